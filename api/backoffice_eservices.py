"""E-services through the back-office API (docs/api.md, "Back office"): a status change through
eservices.services.change_eservice_status, as the admin's status action (an illegal one is 409
with the workflow's reason), and results attached as the admin's result inline attaches them
(documents.services.attach_result). Audited under the service account's user; the client told
as from the admin."""

from datetime import datetime

from django.core.exceptions import ValidationError
from ninja import File, Path, Router, Schema
from ninja.files import UploadedFile
from pydantic import Field

from api.auth import audited
from api.backoffice import TAG, WRITE_ERRORS, ResultsOut, ServiceAuth, need_operation, store_results
from api.idempotency import idempotent
from api.listing import json_response
from api.models import BackOfficeScope
from api.problems import Problem, not_found
from api.schemas import ProblemOut
from eservices.models import EService, EServiceStatus
from eservices.services import change_eservice_status

router = Router(auth=ServiceAuth(), tags=[TAG])

ESERVICE_ID = Path(..., ge=1, le=2**31 - 1)


class EServiceStatusIn(Schema):
    status: str = Field(..., json_schema_extra={"enum": list(EServiceStatus.values)})


class EServiceBackOut(Schema):
    id: int
    client_id: int
    service: str
    object_code: str
    status: str
    status_changed_at: datetime
    received_at: datetime | None


def _eservice_answer(eservice: EService, status: int = 200):
    data = {
        "id": eservice.pk,
        "client_id": eservice.client_id,
        "service": eservice.service.code,
        "object_code": eservice.object_code or "",
        "status": eservice.status,
        "status_changed_at": eservice.status_changed_at,
        "received_at": eservice.received_at,
    }
    return json_response(EServiceBackOut, data, status=status)


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
