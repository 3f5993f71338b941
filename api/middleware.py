"""Requests to /api/: no cookies (a session is never accepted, so CSRF does not apply) and the
language of Accept-Language (Latvian unless English is asked for), not the pages' cookie."""

from __future__ import annotations

from django.conf import settings
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext_lazy as _lazy

from api.problems import problem_response
from documents.uploads import overflow_message
from manskonts.uploads import UploadOverflow, limits_for

PREFIX = "/api/"


def is_api(request) -> bool:
    return request.path_info.startswith(PREFIX)


class ApiCookiesMiddleware:
    """Before the session middleware: an API request's cookies are dropped unread."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if is_api(request):
            request.COOKIES = {}
        return self.get_response(request)


def accept_language(header: str) -> str:
    """The first supported language of an Accept-Language header, by weight; Latvian else."""
    supported = {code for code, _name in settings.LANGUAGES}
    weighted = []
    for position, item in enumerate(header.split(",")[:20]):
        tag, _semi, params = item.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                continue
        code = tag.strip().lower().split("-")[0]
        if code in supported and quality > 0:
            weighted.append((-quality, position, code))
    return min(weighted)[2] if weighted else settings.LANGUAGE_CODE


# Answers made before the API's own views (Django's 405 for a method an operation does not take,
# the body limit's 413): written as problems too, so every API error has one format.
CODES = {
    405: ("method_not_allowed", _lazy("Šī metode šai adresei nav atļauta.")),
    413: ("request_too_large", _lazy("Pieprasījums ir par lielu.")),
}


def as_problem(request, response):
    if response.status_code < 400 or response.get("Content-Type", "").startswith(
        ("application/problem+json", "application/json")
    ):
        return response
    code, detail = CODES.get(
        response.status_code, ("http_error", _lazy("Pieprasījumu nevar izpildīt."))
    )
    limits = limits_for(request)
    if response.status_code == 413 and limits.max_files:
        # An upload URL refused by its declared length: the upload form's words for it.
        code, detail = "upload_too_large", overflow_message(UploadOverflow("request", limits))
    problem = problem_response(request, response.status_code, code, detail)
    if "Allow" in response:
        problem["Allow"] = response["Allow"]
    return problem


class ApiLanguageMiddleware:
    """After the pages' locale middleware: the API speaks the language the caller asks for."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not is_api(request):
            return self.get_response(request)
        language = accept_language(request.headers.get("Accept-Language", ""))
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response = as_problem(request, response)
        response["Content-Language"] = language
        patch_vary_headers(response, ("Accept-Language", "Authorization"))
        return response
