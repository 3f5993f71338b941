"""Refuse a NUL character in the URL path, or in the admin's query string, with a 400, before any
view sees it.

PostgreSQL cannot store or compare text containing NUL, so an object identifier with one would
turn into a 500 in whichever lookup it reached first; no identifier of ours contains one. The
client's query strings and forms are left to the filters and forms, which refuse NUL with a message
on the page; the admin's list filters (?kind__exact=%00) pass the value straight to a query, so
there the whole query string is checked.
"""

from __future__ import annotations

from django.core.exceptions import SuspiciousOperation
from django.urls import reverse


class NulGuardMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.admin_prefix = None

    def __call__(self, request):
        if "\x00" in request.path:
            raise SuspiciousOperation("NUL character in the URL path")  # Django answers 400
        if self.admin_prefix is None:
            self.admin_prefix = reverse("admin:index")
        if request.path.startswith(self.admin_prefix) and _has_nul(request.GET):
            raise SuspiciousOperation("NUL character in an admin query string")
        return self.get_response(request)


def _has_nul(query) -> bool:
    return any("\x00" in key or any("\x00" in v for v in values) for key, values in query.lists())
