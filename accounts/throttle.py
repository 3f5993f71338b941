"""Throttling of the staff admin sign-in: 10 failures per 5 minutes per account and per IP address.

Counters live in Django's cache (Redis in production, shared by every web worker). A fixed window
per key: the first failure starts it, and it ends ADMIN_LOGIN_FAILURE_WINDOW_SECONDS later.
"""

from __future__ import annotations

import hashlib
import logging

from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _

from manskonts.client_address import client_address

log = logging.getLogger("manskonts.security")


def _key(kind: str, value: str) -> str:
    digest = hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()[:32]
    return f"admin-login-failures:{kind}:{digest}"


def client_ip(request: HttpRequest | None) -> str:
    return client_address(request) or "unknown"


def _keys(username: str, ip: str) -> dict[str, str]:
    return {"account": _key("account", username.strip().lower()), "ip": _key("ip", ip)}


def blocked_by(username: str, ip: str) -> list[str]:
    """Which limits (account, ip) this attempt has exceeded."""
    keys = _keys(username, ip)
    counts = cache.get_many(list(keys.values()))
    limit = settings.ADMIN_LOGIN_MAX_FAILURES
    return [kind for kind, key in keys.items() if counts.get(key, 0) >= limit]


def record_failure(username: str, ip: str) -> None:
    window = settings.ADMIN_LOGIN_FAILURE_WINDOW_SECONDS
    for key in _keys(username, ip).values():
        cache.add(key, 0, timeout=window)
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=window)


class ThrottledAdminAuthenticationForm(AdminAuthenticationForm):
    """The admin's sign-in form, refusing further attempts once an account or IP hit the limit."""

    def clean(self):
        username = self.cleaned_data.get("username") or ""
        ip = client_ip(self.request)
        blocked = blocked_by(username, ip)
        if blocked:
            log.warning(
                "staff sign-in throttled username=%r ip=%s limits=%s",
                username[:150],
                ip,
                ",".join(blocked),
            )
            raise ValidationError(
                _(
                    "Pārāk daudz neveiksmīgu pieslēgšanās mēģinājumu. "
                    "Mēģiniet vēlreiz pēc %(minutes)s minūtēm."
                )
                % {"minutes": settings.ADMIN_LOGIN_FAILURE_WINDOW_SECONDS // 60},
                code="throttled",
            )
        try:
            return super().clean()
        except ValidationError:
            record_failure(username, ip)
            log.info("staff sign-in failed username=%r ip=%s", username[:150], ip)
            raise
