"""The back-office API for VZD's case system (docs/api.md, "Back office"): service accounts made
by a superuser, OAuth 2.0 client credentials for a 15-minute access token, and writes through
the same service functions as the admin (orders.services): idempotent upserts of orders and parts
by order number and part number, status changes through change_order_part_status (an illegal
one is 409 with its reason), an order read with its files, results attached. Every write is
recorded in the audit trail under the account's actor, and notifies clients exactly as the same
change made in the admin does. The authentication, the scope check and the helpers the other
back-office modules share live here too (api/backoffice_*.py: billing, the client change,
requests, e-services, messages, reading)."""

import base64
import binascii
import contextlib
import json
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext as _
from ninja import File, Form, Path, Router, Schema
from ninja.files import UploadedFile
from ninja.security import HttpBearer
from pydantic import Field

from accounts.models import Client
from api.auth import audited, limit_rate_key, refuse_token_in_url
from api.client_writes import invalid_values as form_invalid_values
from api.endpoints import ORDER_NUMBER, _document
from api.idempotency import idempotent
from api.listing import json_response
from api.models import BackOfficeScope
from api.problems import Problem, not_found
from api.schemas import DocumentOut, ProblemOut
from api.service_accounts import (
    ACCESS_LIFETIME,
    CredentialsRefused,
    CredentialsThrottled,
    authenticate,
    issue_access_token,
)
from api.uploads import refuse_overflow
from documents.models import Document
from documents.services import attach_result
from documents.uploads import FILES_FIELD
from manskonts.client_address import client_address
from manskonts.validation import validate_upload
from orders.models import Order, OrderPart, Service
from orders.services import change_order_part_status, upsert_order, upsert_order_part
from orders.workflow import OrderStatus

TAG = "back-office"
ERRORS = {400: ProblemOut, 401: ProblemOut, 403: ProblemOut, 404: ProblemOut, 429: ProblemOut}
WRITE_ERRORS = {**ERRORS, 409: ProblemOut, 422: ProblemOut}
PART_NUMBER = Path(..., ge=1, le=32767)


def _nul_in(value) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_nul_in(k) or _nul_in(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_nul_in(v) for v in value)
    return False


def refuse_nul(request) -> None:
    """400 invalid_request for a NUL character in the query string, the form fields or a JSON
    string of the body: the back office's values go to lookups and saves as they are (a service
    code, an order number, a clerk's name, a reason), and PostgreSQL can neither compare nor
    store text with NUL (manskonts.nul_guard does the same for the admin's query strings)."""
    values = [request.GET.lists()]
    if request.method == "POST" and request.content_type in (
        "multipart/form-data",
        "application/x-www-form-urlencoded",
    ):
        try:
            values.append(request.POST.lists())
        except MultiPartParserError:  # no boundary, a broken part: not a body we can read
            message = _("Pieprasījuma parametri nav derīgi: %(names)s.") % {"names": "body"}
            raise Problem(400, "invalid_request", message) from None
    found = any(_nul_in(k) or _nul_in(v) for pairs in values for k, v in pairs)
    if not found and request.content_type == "application/json" and request.body:
        with contextlib.suppress(ValueError):  # not JSON: the operation's parsing refuses it
            found = _nul_in(json.loads(request.body))
    if found:
        message = _("Pieprasījuma parametri nav derīgi: %(names)s.") % {"names": "NUL"}
        raise Problem(400, "invalid_request", message)


class ServiceAuth(HttpBearer):
    """A service account's access token (from POST /backoffice/token), never a client's."""

    def __call__(self, request):
        refuse_token_in_url(request)
        refuse_nul(request)
        scheme, _space, raw = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not raw.strip():
            raise Problem(401, "token_missing", _("Pieprasījumam nepieciešama piekļuves pilnvara."))
        account = authenticate(raw)
        if account is None:
            raise Problem(
                401, "token_invalid", _("Piekļuves pilnvara nav derīga vai tās termiņš beidzies.")
            )
        limit_rate_key(f"svc:{account.pk}")
        request.service_account = account
        request.user = account.user
        return account

    def authenticate(self, request, token):  # the work is done in __call__
        return None


router = Router(auth=ServiceAuth(), tags=[TAG])


def need_operation(request, scope: str) -> None:
    if scope not in request.service_account.scopes:
        raise Problem(
            403,
            "insufficient_scope",
            _("Servisa kontam nav tiesību „%(scope)s”.") % {"scope": scope},
            scope=scope,
        )


def need_any(request, *scopes: str) -> None:
    """One of `scopes` (reading follows from writing: who writes orders or requests reads them)."""
    if not set(scopes) & set(request.service_account.scopes):
        need_operation(request, scopes[0])


def invalid_values(error: ValidationError) -> Problem:
    """A service's refusal as a form's: 400 invalid_values (api.client_writes), a message without
    a field under `request`."""
    if hasattr(error, "error_dict"):
        return form_invalid_values(error.message_dict)
    return form_invalid_values({"request": error.messages})


def part_by_number(number: str, part_number: int) -> OrderPart | None:
    """The part the case system names by its order's number and its own (any client's: the back
    office sees them all), with its order and service."""
    return (
        OrderPart.objects.select_related("order", "service")
        .filter(order__number=number, part_number=part_number)
        .first()
    )


# --- the token --------------------------------------------------------------------------------------
class AccessTokenOut(Schema):
    access_token: str
    token_type: str = "Bearer"  # noqa: S105 — the OAuth 2.0 token type, not a secret
    expires_in: int
    scope: str


@router.post(
    "/backoffice/token",
    auth=None,
    response={200: AccessTokenOut, 400: ProblemOut, 401: ProblemOut, 429: ProblemOut},
)
def backoffice_token(
    request,
    grant_type: str = Form(..., max_length=40, description="client_credentials"),
    client_id: str | None = Form(None, max_length=40),
    client_secret: str | None = Form(None, max_length=100),
):
    """OAuth 2.0 client credentials (RFC 6749 4.4): the client id and secret, in HTTP Basic or in
    the form, for a bearer access token valid 15 minutes. Failed attempts are throttled per
    client id and per address: past the limit, 429 with Retry-After."""
    if grant_type != "client_credentials":
        raise Problem(
            400, "unsupported_grant_type", _("Atbalstīts tikai grant_type=client_credentials.")
        )
    scheme, _space, encoded = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "basic":
        try:
            client_id, _colon, client_secret = (
                base64.b64decode(encoded, validate=True).decode().partition(":")
            )
        except (binascii.Error, UnicodeDecodeError):
            client_id = client_secret = None
    try:
        token, raw = issue_access_token(
            client_id or "", client_secret or "", address=client_address(request)
        )
    except CredentialsThrottled as throttled:
        raise Problem(
            429,
            "rate_limited",
            _("Pārāk daudz neizdevušos mēģinājumu. Mēģiniet pēc %(seconds)s s.")
            % {"seconds": throttled.retry_after},
            headers={"Retry-After": str(throttled.retry_after)},
        ) from None
    except CredentialsRefused:
        raise Problem(
            401, "invalid_client", _("Klienta ID vai noslēpums nav derīgs, vai konts atsaukts.")
        ) from None
    response = json_response(
        AccessTokenOut,
        {
            "access_token": raw,
            "expires_in": int(ACCESS_LIFETIME.total_seconds()),
            "scope": " ".join(token.account.scopes),
        },
    )
    response["Cache-Control"] = "no-store"
    return response


# --- orders and parts -------------------------------------------------------------------------------
class ClientRef(Schema):
    """Whose order: a natural person by personal code, a legal person by registration number."""

    personal_code: str | None = Field(None, pattern=r"^[0-9]{6}-?[0-9]{5}$")
    registration_number: str | None = Field(None, pattern=r"^[0-9]{11}$")


class PartIn(Schema):
    service: str = Field(..., max_length=60, description="The service's code in the catalogue")
    object_code: str = Field("", max_length=40, description="Cadastral designation")
    delivery_method: str = Field(
        OrderPart.Delivery.VZD_ACCOUNT,
        json_schema_extra={"enum": list(OrderPart.Delivery.values)},
    )
    planned_completion_date: date | None = None


class NumberedPartIn(PartIn):
    part_number: int = Field(..., ge=1, le=32767)


class OrderIn(Schema):
    client: ClientRef
    channel: str = Field(Order.Channel.IN_PERSON, json_schema_extra={"enum": Order.Channel.values})
    parts: list[NumberedPartIn] = Field(..., min_length=1, max_length=100)


class PartOut(Schema):
    part_number: int
    service: str
    object_code: str
    delivery_method: str
    status: str
    status_changed_at: str
    planned_completion_date: date | None
    original_planned_completion_date: date | None


class OrderBackOut(Schema):
    number: str
    client_id: int
    channel: str
    created: bool
    parts: list[PartOut]


class StatusIn(Schema):
    status: str = Field(..., json_schema_extra={"enum": list(OrderStatus.values)})
    note: str = Field("", max_length=500)


def client_by_ref(ref: ClientRef) -> Client:
    query = None
    if ref.registration_number and not ref.personal_code:
        query = Client.objects.filter(
            kind=Client.Kind.LEGAL, registration_number=ref.registration_number
        )
    elif ref.personal_code and not ref.registration_number:
        code = ref.personal_code.replace("-", "")
        query = Client.objects.filter(
            kind=Client.Kind.NATURAL, person__personal_code__in=[code, f"{code[:6]}-{code[6:]}"]
        )
    client = query.first() if query is not None else None
    if client is None:
        message = _("Klients nav atrasts: norādiet viņa personas kodu vai reģistrācijas numuru.")
        raise Problem(400, "unknown_client", message, errors={"client": [message]})
    return client


def _part_values(data: PartIn) -> dict:
    service = Service.objects.filter(code=data.service).first()
    if service is None:
        message = _("Nezināms pakalpojums: %(code)s.") % {"code": data.service}
        raise Problem(400, "unknown_service", message, errors={"service": [message]})
    values = data.model_dump(exclude={"service"})
    values["service"] = service
    return values


def _part(part: OrderPart) -> dict:
    return {
        "part_number": part.part_number,
        "service": part.service.code,
        "object_code": part.object_code or "",
        "delivery_method": part.delivery_method,
        "status": part.status,
        "status_changed_at": part.status_changed_at.isoformat(),
        "planned_completion_date": part.planned_completion_date,
        "original_planned_completion_date": part.original_planned_completion_date,
    }


def _order_answer(order: Order, created: bool):
    parts = order.parts.select_related("service").order_by("part_number")
    data = {
        "number": order.number,
        "client_id": order.client_id,
        "channel": order.channel,
        "created": created,
        "parts": [_part(p) for p in parts],
    }
    return json_response(OrderBackOut, data, status=201 if created else 200)


class BackDocumentOut(Schema):
    id: int
    name: str
    direction: str = Field(description="submitted (the client's) or result (VZD's)")
    part_number: int | None
    size: int
    uploaded_at: datetime
    deleted: bool
    download_url: str = Field(description="The back office's download (no payment rule)")


def back_document(d: Document) -> dict:
    return {
        "id": d.pk,
        "name": d.original_name,
        "direction": d.direction,
        "part_number": d.order_part.part_number if d.order_part_id else None,
        "size": d.size,
        "uploaded_at": d.uploaded_at,
        "deleted": d.is_deleted,
        "download_url": f"/api/v1/backoffice/documents/{d.pk}/content",
    }


class OrderReadOut(Schema):
    number: str
    client_id: int
    channel: str
    parts: list[PartOut]
    documents: list[BackDocumentOut] = Field(description="Of every part, oldest first")


@router.get("/backoffice/orders/{number}", response={200: OrderReadOut, **ERRORS})
def get_back_office_order(request, number: str = ORDER_NUMBER):
    """An order as its admin page and its parts' pages show it: the parts with their statuses
    and dates, and every file submitted to them or attached as a result."""
    need_any(request, BackOfficeScope.ORDERS_WRITE, BackOfficeScope.RESULTS_WRITE)
    order = Order.objects.filter(number=number).first()
    if order is None:
        return not_found(request)
    parts = order.parts.select_related("service").order_by("part_number")
    documents = (
        Document.objects.filter(order_part__order=order)
        .select_related("order_part")
        .order_by("uploaded_at", "pk")
    )
    data = {
        "number": order.number,
        "client_id": order.client_id,
        "channel": order.channel,
        "parts": [_part(p) for p in parts],
        "documents": [back_document(d) for d in documents],
    }
    return json_response(OrderReadOut, data)


@router.put(
    "/backoffice/orders/{number}", response={200: OrderBackOut, 201: OrderBackOut, **WRITE_ERRORS}
)
@idempotent
def upsert_order_endpoint(request, payload: OrderIn, number: str = ORDER_NUMBER):
    """Create the order or bring it and the parts named to these values (the same call again
    changes nothing): 201 when created, 200 otherwise. Parts not named are left as they are."""
    need_operation(request, BackOfficeScope.ORDERS_WRITE)
    client = client_by_ref(payload.client)
    parts = []
    for data in payload.parts:
        values = _part_values(data)
        values["part_number"] = data.part_number
        parts.append(values)
    if len({p["part_number"] for p in parts}) < len(parts):
        message = _("Katrai pasūtījuma daļai jābūt savam numuram.")
        raise Problem(400, "invalid_values", message, errors={"parts": [message]})
    try:
        with audited(request):
            order, created = upsert_order(
                number, client=client, channel=payload.channel, parts=parts
            )
    except ValidationError as error:
        if getattr(error, "code", None) == "client_differs":
            raise Problem(409, "client_differs", error.messages[0]) from None
        raise invalid_values(error) from None
    return _order_answer(order, created)


@router.put(
    "/backoffice/orders/{number}/parts/{part_number}",
    response={200: OrderBackOut, 201: OrderBackOut, **WRITE_ERRORS},
)
@idempotent
def upsert_order_part_endpoint(
    request, payload: PartIn, number: str = ORDER_NUMBER, part_number: int = PART_NUMBER
):
    """Create one part of an existing order or bring it to these values."""
    need_operation(request, BackOfficeScope.ORDERS_WRITE)
    order = Order.objects.filter(number=number).first()
    if order is None:
        return not_found(request)
    values = {**_part_values(payload), "part_number": part_number}
    try:
        with audited(request):
            _part_row, created = upsert_order_part(order, values)
    except ValidationError as error:
        raise invalid_values(error) from None
    return _order_answer(order, created)


@router.post(
    "/backoffice/orders/{number}/parts/{part_number}/status",
    response={200: OrderBackOut, **WRITE_ERRORS},
)
@idempotent
def change_part_status(
    request, payload: StatusIn, number: str = ORDER_NUMBER, part_number: int = PART_NUMBER
):
    """Move a part to a new status through the one status change (orders.services): recorded in
    its history, planned dates set or moved, the client notified as from the admin. A change the
    workflow does not allow is 409 `illegal_transition` with its reason."""
    need_operation(request, BackOfficeScope.ORDERS_WRITE)
    part = part_by_number(number, part_number)
    if part is None:
        return not_found(request)
    try:
        with audited(request):
            change_order_part_status(part, payload.status, by=request.user, note=payload.note)
    except ValidationError as error:
        raise Problem(409, "illegal_transition", " ".join(error.messages)) from None
    return _order_answer(part.order, False)


# --- results ----------------------------------------------------------------------------------------
class ResultsOut(Schema):
    items: list[DocumentOut]


@router.post(
    "/backoffice/orders/{number}/parts/{part_number}/results",
    response={201: ResultsOut, **WRITE_ERRORS, 413: ProblemOut},
)
@idempotent
def attach_results(
    request,
    number: str = ORDER_NUMBER,
    part_number: int = PART_NUMBER,
    files: File[list[UploadedFile]] = None,
):
    """Attach result files to a part, as the admin's result upload does: the same content check
    (manskonts.validation), stored and the client notified by documents.services.attach_result;
    all stored or none."""
    need_operation(request, BackOfficeScope.RESULTS_WRITE)
    part = part_by_number(number, part_number)
    if part is None:
        return not_found(request)
    return store_results(request, files, order_part=part)


def store_results(request, files, **target):
    """The admin's result upload for `target` (order_part= or eservice=): every file through the
    same content check, then stored and the client notified by attach_result, all or none."""
    refuse_overflow(request)
    if not files:
        message = _("Izvēlieties datni.")
        raise Problem(400, "upload_refused", message, errors={FILES_FIELD: [message]})
    checked, errors = [], []
    for upload in files:
        try:
            checked.append(validate_upload(upload))
        except ValidationError as error:
            errors.extend(error.messages)
    if errors:
        raise Problem(400, "upload_refused", " ".join(errors), errors={FILES_FIELD: errors})
    with audited(request), transaction.atomic():
        documents = [attach_result(c, by=request.user, **target) for c in checked]
    return json_response(ResultsOut, {"items": [_document(d) for d in documents]}, status=201)
