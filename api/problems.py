"""Errors of the API as RFC 9457 problem details (application/problem+json).

Each has a stable `code` (documented in docs/api.md; clients branch on it, never on the words), the
HTTP `status`, a short `title` and a `detail` sentence in the request's language (Accept-Language:
Latvian unless English is asked for), and sometimes more members (`errors`, `invoices`).
"""

from __future__ import annotations

import json

from django.http import HttpResponse
from django.utils.html import strip_tags
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

MEDIA_TYPE = "application/problem+json"
TYPE_BASE = "urn:manskonts:api:problem:"

TITLES = {
    400: gettext_lazy("Nederīgs pieprasījums"),
    401: gettext_lazy("Nepieciešama autentifikācija"),
    403: gettext_lazy("Aizliegts"),
    404: gettext_lazy("Nav atrasts"),
    405: gettext_lazy("Metode nav atļauta"),
    409: gettext_lazy("Konflikts"),
    410: gettext_lazy("Vairs nav pieejams"),
    413: gettext_lazy("Pieprasījums par lielu"),
    422: gettext_lazy("Pieprasījumu nevar izpildīt"),
    429: gettext_lazy("Pārāk daudz pieprasījumu"),
    500: gettext_lazy("Servera kļūda"),
}


class Problem(Exception):
    """Raised anywhere in an endpoint; the API turns it into the problem response."""

    def __init__(self, status: int, code: str, detail, headers=None, **extra):
        super().__init__(code)
        self.status = status
        self.code = code
        self.detail = detail
        self.headers = headers or {}
        self.extra = extra


def problem_response(request, status: int, code: str, detail, **extra) -> HttpResponse:
    body = {
        "type": TYPE_BASE + code,
        "title": str(TITLES.get(status, TITLES[400])),
        "status": status,
        "detail": strip_tags(str(detail)),  # the pages' sentences may hold invoice links
        "code": code,
        "instance": request.path if request is not None else None,
        **extra,
    }
    response = HttpResponse(
        json.dumps(body, ensure_ascii=False), status=status, content_type=MEDIA_TYPE
    )
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="manskonts"'
    response["Cache-Control"] = "no-store"
    return response


def not_found(request) -> HttpResponse:
    return problem_response(
        request, 404, "not_found", _("Šāda ieraksta nav vai tas nav Jums pieejams.")
    )
