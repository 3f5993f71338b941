"""Refuse a NUL character in the URL path with a 400, before any view sees it.

PostgreSQL cannot store or compare text containing NUL, so an object identifier with one would
turn into a 500 in whichever lookup it reached first; no identifier of ours contains one. Query
strings and forms are left to the filters and forms, which refuse NUL with a message on the page.
"""

from __future__ import annotations

from django.core.exceptions import SuspiciousOperation


class NulGuardMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path:
            raise SuspiciousOperation("NUL character in the URL path")  # Django answers 400
        return self.get_response(request)
