"""What a clerk reads in the admin, for VZD's case system (docs/api.md, "Back office"): an
e-service with its files, the requests waiting in one of the desk's queues, and the files and
message attachments themselves as staff download them (no payment rule: that is the client's).
An order and a conversation are read on their own paths (api/backoffice.py,
api/backoffice_messages.py: one router per path). Nothing here changes anything."""

from datetime import date, datetime

from django.db.models import Count
from django.utils.translation import gettext as _
from ninja import Path, Query, Router, Schema
from pydantic import Field

from api.backoffice import (
    ERRORS,
    TAG,
    BackDocumentOut,
    ServiceAuth,
    back_document,
    need_any,
    need_operation,
)
from api.downloads import FILE_RESPONSES, serve_stored
from api.listing import json_response
from api.models import BackOfficeScope
from api.problems import Problem, not_found
from api.schemas import ProblemOut
from conversations.models import Attachment
from conversations.services import attachment_gone
from documents.models import Document
from eservices.models import EService
from requisitions.models import Request
from requisitions.services import service_of
from requisitions.workflow import RequestState

router = Router(auth=ServiceAuth(), tags=[TAG])

ESERVICE_ID = Path(..., ge=1, le=2**31 - 1)
FILE_ERRORS = {**ERRORS, 410: ProblemOut}


# --- orders and e-services --------------------------------------------------------------------------
class EServiceReadOut(Schema):
    id: int
    client_id: int
    requested_by_id: int | None
    service: str
    object_code: str
    status: str
    status_changed_at: datetime
    created_at: datetime
    received_at: datetime | None
    order_numbers: list[str]
    documents: list[BackDocumentOut]


@router.get("/backoffice/eservices/{eservice_id}", response={200: EServiceReadOut, **ERRORS})
def get_back_office_eservice(request, eservice_id: int = ESERVICE_ID):
    """An e-service as its admin page shows it, with its files."""
    need_any(request, BackOfficeScope.ORDERS_WRITE, BackOfficeScope.RESULTS_WRITE)
    eservice = EService.objects.select_related("service").filter(pk=eservice_id).first()
    if eservice is None:
        return not_found(request)
    documents = Document.objects.filter(eservice=eservice).order_by("uploaded_at", "pk")
    data = {
        "id": eservice.pk,
        "client_id": eservice.client_id,
        "requested_by_id": eservice.requested_by_id,
        "service": eservice.service.code,
        "object_code": eservice.object_code or "",
        "status": eservice.status,
        "status_changed_at": eservice.status_changed_at,
        "created_at": eservice.created_at,
        "received_at": eservice.received_at,
        "order_numbers": sorted(eservice.orders.values_list("number", flat=True)),
        "documents": [back_document(d) for d in documents],
    }
    return json_response(EServiceReadOut, data)


@router.get(
    "/backoffice/documents/{document_id}/content",
    response={200: None, 302: None, **FILE_ERRORS},
    openapi_extra=FILE_RESPONSES,
)
def download_back_office_document(request, document_id: int = Path(..., ge=1, le=2**63 - 1)):
    """A file of an order part or an e-service (the client's or a result), as staff download it
    in the admin: no payment rule; deleted after its retention or gone from storage 410."""
    need_any(request, BackOfficeScope.ORDERS_WRITE, BackOfficeScope.REQUESTS_WRITE)
    document = Document.objects.filter(pk=document_id).first()
    if document is None:
        return not_found(request)
    if document.is_deleted:
        raise Problem(410, "file_deleted", _("Datne dzēsta pēc 90 dienām."))
    return serve_stored(document.file, document.original_name)


# --- conversations ----------------------------------------------------------------------------------
@router.get(
    "/backoffice/message-attachments/{attachment_id}/content",
    response={200: None, 302: None, **FILE_ERRORS},
    openapi_extra=FILE_RESPONSES,
)
def download_back_office_attachment(request, attachment_id: int = Path(..., ge=1, le=2**63 - 1)):
    """A message's attachment, as the thread's admin page lets staff download it."""
    need_operation(request, BackOfficeScope.MESSAGES_WRITE)
    item = Attachment.objects.filter(pk=attachment_id).first()
    if item is None:
        return not_found(request)
    gone = attachment_gone(item)
    if gone:
        raise Problem(410, "file_deleted", gone)
    return serve_stored(item.file, item.original_name)


# --- the desk's queues of requests ------------------------------------------------------------------
class QueueQuery(Schema):
    state: RequestState = Field(
        RequestState.ANSWERED,
        description="answered: waiting for VZD; expired: past the deadline",
    )
    limit: int = Field(20, ge=1, le=100)


class QueuedRequestOut(Schema):
    id: int
    order_number: str | None
    part_number: int | None
    eservice_id: int | None
    service: str
    client_id: int
    state: str
    state_changed_at: datetime
    deadline: date


class QueueOut(Schema):
    count: int = Field(description="How many are in this state")
    items: list[QueuedRequestOut] = Field(description="The longest-waiting first")


@router.get("/backoffice/requests", response={200: QueueOut, **ERRORS})
def list_back_office_requests(request, q: Query[QueueQuery]):
    """The requests in one state, the longest-waiting first, as the desk's lines open the
    admin's list (answered and expired: the queues a clerk works through). Settling one takes
    it out of its queue, so the next call starts from the top again; no cursor is needed."""
    need_operation(request, BackOfficeScope.REQUESTS_WRITE)
    queue = Request.objects.filter(state=q.state)
    rows = list(
        queue.select_related(
            "order_part__order", "order_part__service", "eservice__service"
        ).order_by("state_changed_at", "id")[: q.limit]
    )
    count = queue.aggregate(n=Count("pk"))["n"]
    items = [
        {
            "id": r.pk,
            "order_number": r.order_part.order.number if r.order_part_id else None,
            "part_number": r.order_part.part_number if r.order_part_id else None,
            "eservice_id": r.eservice_id,
            "service": service_of(r).code,
            "client_id": r.client_id,
            "state": r.state,
            "state_changed_at": r.state_changed_at,
            "deadline": r.deadline,
        }
        for r in rows
    ]
    return json_response(QueueOut, {"count": count, "items": items})
