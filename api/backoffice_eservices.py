"""E-services through the back-office API (docs/api.md, "Back office"): registered or edited as
a clerk does on the admin's e-service form (its own EServiceForm validates; keyed by the case
system's own id, `external_id`, so a retry or a second call changes nothing), a status change through
eservices.services.change_eservice_status, as the admin's status action (an illegal one is 409
with the workflow's reason), and results attached as the admin's result inline attaches them
(documents.services.attach_result). Audited under the service account's user; the client told
as from the admin."""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from ninja import File, Path, Router, Schema
from ninja.files import UploadedFile
from pydantic import Field

from accounts.models import Client, User
from api.auth import audited
from api.backoffice import (
    TAG,
    WRITE_ERRORS,
    ClientRef,
    ResultsOut,
    ServiceAuth,
    client_by_ref,
    need_operation,
    store_results,
)
from api.client_writes import invalid_values as form_invalid_values
from api.idempotency import idempotent
from api.listing import json_response
from api.models import BackOfficeScope
from api.problems import Problem, not_found
from api.schemas import ProblemOut
from eservices.admin import EServiceForm
from eservices.models import EService, EServiceStatus
from eservices.services import change_eservice_status
from orders.models import Order, Service

router = Router(auth=ServiceAuth(), tags=[TAG])

ESERVICE_ID = Path(..., ge=1, le=2**31 - 1)


class EServiceStatusIn(Schema):
    status: str = Field(..., json_schema_extra={"enum": list(EServiceStatus.values)})


class EServiceBackOut(Schema):
    id: int = Field(description="The E-pakalpojuma ID")
    external_id: str | None
    created: bool = False
    client_id: int
    service: str
    object_code: str
    status: str
    status_changed_at: datetime
    received_at: datetime | None


def _eservice_answer(eservice: EService, status: int = 200):
    data = {
        "id": eservice.pk,
        "external_id": eservice.external_id,
        "created": status == 201,
        "client_id": eservice.client_id,
        "service": eservice.service.code,
        "object_code": eservice.object_code or "",
        "status": eservice.status,
        "status_changed_at": eservice.status_changed_at,
        "received_at": eservice.received_at,
    }
    return json_response(EServiceBackOut, data, status=status)


class PersonRef(Schema):
    personal_code: str = Field(..., pattern=r"^[0-9]{6}-?[0-9]{5}$")


class EServiceIn(Schema):
    client: ClientRef
    requested_by: PersonRef | None = Field(
        None, description="The client's person, or a user of the legal person, who asked"
    )
    service: str = Field(..., max_length=60, description="The service's code in the catalogue")
    object_code: str = Field("", max_length=40, description="Cadastral designation")
    orders: list[str] = Field(
        [], max_length=50, description="Numbers of the same client's orders it belongs to"
    )
    received_at: datetime | None = Field(None, description="When its result reached the client")


def _requested_by(client: Client, ref: PersonRef | None) -> User | None:
    """The person named, looked up among the client's own people only (an outsider is unknown)."""
    if ref is None:
        return None
    code = ref.personal_code.replace("-", "")
    people = User.objects.filter(personal_code__in=[code, f"{code[:6]}-{code[6:]}"])
    if client.kind == Client.Kind.NATURAL:
        people = people.filter(pk=client.person_id)
    else:
        people = people.filter(memberships__client=client)
    person = people.first()
    if person is None:
        message = _("Šī persona nav klienta lietotājs.")
        raise Problem(400, "unknown_person", message, errors={"requested_by": [message]})
    return person


def _form_data(payload: EServiceIn, client: Client) -> dict:
    service = Service.objects.filter(code=payload.service).first()
    if service is None:
        message = _("Nezināms pakalpojums: %(code)s.") % {"code": payload.service}
        raise Problem(400, "unknown_service", message, errors={"service": [message]})
    numbers = list(dict.fromkeys(payload.orders))
    orders = dict(Order.objects.filter(number__in=numbers).values_list("number", "pk"))
    missing = [n for n in numbers if n not in orders]
    if missing:
        message = _("Pasūtījums %(number)s nav atrasts.") % {"number": ", ".join(missing)}
        raise Problem(400, "unknown_order", message, errors={"orders": [message]})
    person = _requested_by(client, payload.requested_by)
    return {
        "client": client.pk,
        "requested_by": person.pk if person else "",
        "service": service.pk,
        "object_code": payload.object_code,
        "orders": [orders[n] for n in numbers],
        "received_at": payload.received_at.isoformat() if payload.received_at else "",
        "new_status": "",
    }


@router.put(
    "/backoffice/eservices/external/{external_id}",
    response={200: EServiceBackOut, 201: EServiceBackOut, **WRITE_ERRORS},
)
@idempotent
def upsert_eservice(
    request,
    payload: EServiceIn,
    external_id: str = Path(..., min_length=1, max_length=40, pattern=r"^[0-9A-Za-z._-]+$"),
):
    """Register an e-service as a clerk does with the admin's „Pievienot e-pakalpojumu” (its
    form's checks: the orders only the same client's), or bring the one with this `external_id`
    to these values: 201 when created (its E-pakalpojuma ID in `id`), 200 otherwise; the same
    call again saves nothing. Its client is never changed here: 409 `client_differs`."""
    need_operation(request, BackOfficeScope.ORDERS_WRITE)
    client = client_by_ref(payload.client)
    data = _form_data(payload, client)
    try:
        eservice, created = _save_eservice(request, external_id, client, data)
    except IntegrityError:
        # Two first calls at the same moment: the second's insert waited for the first's and hit
        # the unique external_id; run once more, it finds the first's e-service (or another
        # client's: 409).
        eservice, created = _save_eservice(request, external_id, client, data)
    eservice = EService.objects.select_related("service").get(pk=eservice.pk)
    return _eservice_answer(eservice, status=201 if created else 200)


def _save_eservice(request, external_id: str, client: Client, data: dict) -> tuple[EService, bool]:
    """The admin form's save of the e-service keyed `external_id`: (e-service, created)."""
    with transaction.atomic():
        existing = EService.objects.select_for_update().filter(external_id=external_id).first()
        if existing is not None and existing.client_id != client.pk:
            raise Problem(
                409,
                "client_differs",
                _("E-pakalpojums %(id)s pieder citam klientam.") % {"id": existing.pk},
            )
        form = EServiceForm(data, instance=existing or EService(external_id=external_id))
        if not form.is_valid():
            raise form_invalid_values(form.errors)
        if existing is None or form.has_changed():
            with audited(request):
                eservice = form.save()
        else:
            eservice = existing
    return eservice, existing is None


@router.post(
    "/backoffice/eservices/{eservice_id}/status",
    response={200: EServiceBackOut, **WRITE_ERRORS},
)
@idempotent
def change_eservice_status_endpoint(
    request, payload: EServiceStatusIn, eservice_id: int = ESERVICE_ID
):
    """Move an e-service to a new status as the admin's status action does (its history, the
    moment a completed one reached the client, the client notified). A change the workflow does
    not allow is 409 `illegal_transition` with its reason."""
    need_operation(request, BackOfficeScope.ORDERS_WRITE)
    eservice = EService.objects.select_related("service").filter(pk=eservice_id).first()
    if eservice is None:
        return not_found(request)
    try:
        with audited(request):
            change_eservice_status(eservice, payload.status, by=request.user)
    except ValidationError as error:
        raise Problem(409, "illegal_transition", " ".join(error.messages)) from None
    return _eservice_answer(eservice)


@router.post(
    "/backoffice/eservices/{eservice_id}/results",
    response={201: ResultsOut, **WRITE_ERRORS, 413: ProblemOut},
    url_name="attach_eservice_results",
)
@idempotent
def attach_eservice_results(
    request, eservice_id: int = ESERVICE_ID, files: File[list[UploadedFile]] = None
):
    """Attach result files to an e-service, as the admin's „Pievienot rezultātu” on its page:
    the same content check, stored and the client notified by attach_result, all or none, at
    most 10 files."""
    need_operation(request, BackOfficeScope.RESULTS_WRITE)
    eservice = EService.objects.filter(pk=eservice_id).first()
    if eservice is None:
        return not_found(request)
    return store_results(request, files, eservice=eservice)
