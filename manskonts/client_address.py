"""The address a request came from, for throttling and logs, also behind a reverse proxy.

Behind a proxy REMOTE_ADDR is the proxy's, so every visitor would share one address (and one
throttle). Each trusted proxy appends the address it received the request from to
X-Forwarded-For; with TRUSTED_PROXY_COUNT proxies in front of gunicorn, the client's address is
the entry that many places from the end. Entries to the left of it come from the client and can
be forged, so they are never used. Without trusted proxies (the default) the header is ignored.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def _valid(value: str) -> str:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return ""


def client_address(request: HttpRequest | None) -> str:
    """The client's IP address, or "" when there is none to tell."""
    if request is None:
        return ""
    remote = _valid(request.META.get("REMOTE_ADDR", ""))
    hops = settings.TRUSTED_PROXY_COUNT
    if hops <= 0:
        return remote
    forwarded = [part for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part]
    if len(forwarded) < hops:
        return remote  # not through all our proxies: whatever is there was not written by them
    return _valid(forwarded[-hops]) or remote
