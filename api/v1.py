"""/api/v1/: the NinjaAPI, its errors as problem details and its OpenAPI document."""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Swagger
from ninja.errors import AuthenticationError, HttpError, ValidationError

from api.auth import TokenAuth
from api.backoffice import router as backoffice_router
from api.backoffice_billing import router as backoffice_billing_router
from api.backoffice_eservices import router as backoffice_eservices_router
from api.backoffice_messages import router as backoffice_messages_router
from api.backoffice_orders import router as backoffice_orders_router
from api.backoffice_reading import router as backoffice_reading_router
from api.backoffice_requests import router as backoffice_requests_router
from api.client_writes import router as client_writes_router
from api.endpoints import router
from api.messages import router as messages_router
from api.problems import MEDIA_TYPE, Problem, not_found, problem_response
from api.requests import router as requests_router
from api.uploads import router as upload_router

log = logging.getLogger("manskonts.api")

DESCRIPTION = """Mans konts for professional clients: e-services, orders, invoices and files of the
client a personal access token acts for (made on the page "API piekļuve"). Send it as
`Authorization: Bearer mk_…`; cookies are ignored. Lists are pages of the same filters, sorts and
keyset cursors as the portal's pages. Errors are RFC 9457 problem details
(`application/problem+json`) with a stable `code`; `detail` follows Accept-Language (lv, en).
See docs/api.md."""


class ManskontsAPI(NinjaAPI):
    def get_openapi_operation_id(self, operation) -> str:
        return operation.view_func.__name__

    def get_openapi_schema(self, *args, **kwargs):
        """Error responses are declared as application/problem+json, as they are sent."""
        schema = super().get_openapi_schema(*args, **kwargs)
        for path in schema.get("paths", {}).values():
            for operation in path.values():
                for status, response in operation.get("responses", {}).items():
                    content = response.get("content")
                    if str(status)[0] in "45" and content and "application/json" in content:
                        content[MEDIA_TYPE] = content.pop("application/json")
                    if str(status) == "304":
                        response.pop("content", None)
                        response["description"] = "Not Modified (If-None-Match)"
        return schema


api = ManskontsAPI(
    title="Mans konts API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api-v1",
    auth=TokenAuth(),
    docs=Swagger(settings={"persistAuthorization": False, "tryItOutEnabled": False}),
    docs_url="/docs",
    openapi_url="/openapi.json",
)
api.add_router("", router)
api.add_router("", upload_router)
api.add_router("", client_writes_router)
api.add_router("", messages_router)
api.add_router("", requests_router)
api.add_router("", backoffice_router)
api.add_router("", backoffice_billing_router)
api.add_router("", backoffice_requests_router)
api.add_router("", backoffice_orders_router)
api.add_router("", backoffice_eservices_router)
api.add_router("", backoffice_messages_router)
api.add_router("", backoffice_reading_router)


@api.exception_handler(Problem)
def _problem(request, exc: Problem):
    response = problem_response(request, exc.status, exc.code, exc.detail, **exc.extra)
    for name, value in exc.headers.items():
        response[name] = value
    return response


@api.exception_handler(ValidationError)
def _invalid(request, exc: ValidationError):
    errors: dict[str, list[str]] = {}
    for error in exc.errors:
        location = [str(part) for part in error.get("loc", ())]
        name = location[-1] if location else "request"
        errors.setdefault(name, []).append(str(error.get("msg", "")))
    return problem_response(
        request,
        400,
        "invalid_request",
        _("Pieprasījuma parametri nav derīgi: %(names)s.") % {"names": ", ".join(errors)},
        errors=errors,
    )


@api.exception_handler(AuthenticationError)
def _unauthenticated(request, exc):
    return problem_response(
        request, 401, "token_missing", _("Pieprasījumam nepieciešama API piekļuves atslēga.")
    )


@api.exception_handler(Http404)
def _not_found(request, exc):
    return not_found(request)


@api.exception_handler(PermissionDenied)
def _forbidden(request, exc):
    return problem_response(request, 403, "forbidden", _("Šī darbība Jums nav atļauta."))


@api.exception_handler(RequestDataTooBig)
def _too_large(request, exc):
    # A URL that takes files passes a large declared length (manskonts.uploads); a JSON body
    # there is still read whole only up to DATA_UPLOAD_MAX_MEMORY_SIZE. Django's own handler
    # would answer 400; the generic handler below would make it a 500.
    return problem_response(request, 413, "request_too_large", _("Pieprasījums ir par lielu."))


@api.exception_handler(HttpError)
def _http_error(request, exc: HttpError):
    return problem_response(request, exc.status_code, "http_error", str(exc))


@api.exception_handler(Exception)
def _server_error(request, exc):
    log.exception("api error route=%s", request.path)
    return problem_response(request, 500, "server_error", _("Radās kļūda. Mēģiniet vēlreiz vēlāk."))
