"""Requests to the client through the back-office API (docs/api.md, "Back office"): raised on an
order part or an e-service, read with the client's answers, and settled as a clerk settles them
from the admin's list (accept, ask again, extend, terminate, withdraw), each through its one
function in requisitions.services. A move the request's workflow does not allow is 409
`illegal_transition` with the workflow's reason; every write is audited under the service
account's user and tells the client exactly as the same action in the admin does."""

from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from ninja import Path, Router, Schema
from pydantic import Field

from accounts.models import User
from api.auth import audited
from api.backoffice import (
    ERRORS,
    PART_NUMBER,
    TAG,
    WRITE_ERRORS,
    ServiceAuth,
    invalid_values,
    need_operation,
    part_by_number,
)
from api.endpoints import ORDER_NUMBER
from api.idempotency import idempotent
from api.listing import json_response
from api.models import BackOfficeScope
from api.problems import Problem, not_found
from documents.models import Document
from eservices.models import EService
from manskonts.workflow import StatusChangeError
from orders.models import OrderPart
from requisitions import services
from requisitions.models import Answer, Request, RequestItem
from requisitions.services import ItemSpec

router = Router(auth=ServiceAuth(), tags=[TAG])

REQUEST_ID = Path(..., ge=1, le=2**63 - 1)
ESERVICE_ID = Path(..., ge=1, le=2**31 - 1)


# --- what a request looks like to the case system ---------------------------------------------------
class RequestItemIn(Schema):
    name: str = Field(..., min_length=1, max_length=255)
    kind: str = Field(RequestItem.Kind.FILE, json_schema_extra={"enum": RequestItem.Kind.values})
    signed_required: bool = False


class RequestIn(Schema):
    template: int | None = Field(
        None,
        ge=1,
        le=2**63 - 1,
        description="A request template's id, one offered for the target's service (as the "
        "desk offers them): its text and items, unless `text` or `items` are given",
    )
    text: str | None = Field(
        None, min_length=1, max_length=5000, description="Required without a template"
    )
    deadline: date | None = Field(None, description="Default: the service's reply period")
    suspend: bool = Field(True, description="Suspend a part in Izpildē or Reģistrēts")
    items: list[RequestItemIn] | None = Field(
        None, min_length=1, max_length=50, description="Required without a template"
    )


class RequestOut(Schema):
    id: int
    deadline: date
    state: str
    part_status: str | None = Field(
        None, description="The order part's status (none on e-services)"
    )


class RequestItemOut(Schema):
    id: int
    name: str
    kind: str
    signed_required: bool


class AnswerFileOut(Schema):
    id: int
    name: str
    size: int
    deleted: bool
    download_url: str = Field(description="The back office's own download of the client's file")


class AnswerItemOut(Schema):
    item_id: int
    text: str
    files: list[AnswerFileOut]


class AnswerOut(Schema):
    created_at: datetime
    submitted_at: datetime | None = Field(description="None: a draft the client is still writing")
    message: str
    items: list[AnswerItemOut]


class RequestEventOut(Schema):
    action: str
    from_state: str | None
    to_state: str
    at: datetime
    deadline: date | None
    note: str


class RequestDetailOut(Schema):
    id: int
    order_number: str | None
    part_number: int | None
    eservice_id: int | None
    client_id: int
    text: str
    state: str
    state_label: str
    state_changed_at: datetime
    deadline: date
    raised_at: datetime
    suspended_part: bool
    part_status: str | None
    items: list[RequestItemOut]
    answers: list[AnswerOut]
    events: list[RequestEventOut]


def _file(document: Document) -> dict:
    return {
        "id": document.pk,
        "name": document.original_name,
        "size": document.size,
        "deleted": document.is_deleted,
        "download_url": f"/api/v1/backoffice/documents/{document.pk}/content",
    }


def _detail(request_id: int, status: int = 200):
    """The request as the admin's page shows it: items, every answer (drafts too, as its inline
    does) with each point's text and files, and the history."""
    found = (
        Request.objects.select_related("order_part__order", "eservice")
        .prefetch_related("items", "events")
        .get(pk=request_id)
    )
    answers = (
        Answer.objects.filter(request=found)
        .prefetch_related("items__documents")
        .order_by("created_at", "pk")
    )
    part = found.order_part
    data = {
        "id": found.pk,
        "order_number": part.order.number if part else None,
        "part_number": part.part_number if part else None,
        "eservice_id": found.eservice_id,
        "client_id": found.client_id,
        "text": found.text,
        "state": found.state,
        "state_label": str(found.get_state_display()),
        "state_changed_at": found.state_changed_at,
        "deadline": found.deadline,
        "raised_at": found.raised_at,
        "suspended_part": found.suspended_part,
        "part_status": part.status if part else None,
        "items": [
            {
                "id": i.pk,
                "name": i.name,
                "kind": i.kind,
                "signed_required": i.signed_required,
            }
            for i in sorted(found.items.all(), key=lambda i: (i.position, i.pk))
        ],
        "answers": [
            {
                "created_at": a.created_at,
                "submitted_at": a.submitted_at,
                "message": a.message,
                "items": [
                    {
                        "item_id": entry.item_id,
                        "text": entry.text,
                        "files": [_file(d) for d in entry.documents.all()],
                    }
                    for entry in sorted(a.items.all(), key=lambda e: e.item_id)
                ],
            }
            for a in answers
        ],
        "events": [
            {
                "action": e.action,
                "from_state": e.from_state or None,
                "to_state": e.to_state,
                "at": e.at,
                "deadline": e.deadline,
                "note": e.note,
            }
            for e in sorted(found.events.all(), key=lambda e: (e.at, e.pk))
        ],
    }
    return json_response(RequestDetailOut, data, status=status)


# --- raising ----------------------------------------------------------------------------------------
def _template(target: OrderPart | EService, template_id: int):
    """The template named, among those the desk offers for the target (its service's, active)."""
    found = services.templates_for(target).filter(pk=template_id).first()
    if found is None:
        message = _(
            "Pieprasījuma veidne Nr. %(id)s nav atrasta vai netiek piedāvāta pakalpojumam "
            "„%(service)s”."
        ) % {"id": template_id, "service": target.service}
        raise Problem(400, "unknown_template", message, errors={"template": [message]})
    return found


def _raise(request, target: OrderPart | EService, payload: RequestIn):
    """As the admin's add page: a template fills in its text and items, and what the clerk
    writes instead (here `text`, `items`) is what is asked; the template is kept on the record.
    Without either, the service's own refusal (no text, no items)."""
    template = text = items = None
    if payload.template is not None:
        template = _template(target, payload.template)
        text, items = services.from_template(template)
    if payload.text is not None:
        text = payload.text
    if payload.items is not None:
        items = [ItemSpec(i.name, i.kind, i.signed_required) for i in payload.items]
    try:
        with audited(request):
            raised = services.raise_request(
                target,
                items or [],
                text or "",
                by=request.user,
                deadline=payload.deadline,
                suspend=payload.suspend,
                template=template,
            )
    except ValidationError as error:
        if getattr(error, "code", None) == "closed":
            raise Problem(409, "request_refused", " ".join(error.messages)) from None
        raise invalid_values(error) from None
    part_status = None
    if isinstance(target, OrderPart):
        target.refresh_from_db(fields=["status"])
        part_status = target.status
    data = {
        "id": raised.pk,
        "deadline": raised.deadline,
        "state": raised.state,
        "part_status": part_status,
    }
    return json_response(RequestOut, data, status=201)


@router.post(
    "/backoffice/orders/{number}/parts/{part_number}/requests",
    response={201: RequestOut, **WRITE_ERRORS},
)
@idempotent
def raise_part_request(
    request, payload: RequestIn, number: str = ORDER_NUMBER, part_number: int = PART_NUMBER
):
    """Ask the part's client for documents or information, as a clerk does from the desk
    (requisitions.services.raise_request: the deadline on a working day, the part suspended, the
    client notified), from a template of the part's service if `template` names one. A part that
    takes no request is 409 `request_refused` with the reason."""
    need_operation(request, BackOfficeScope.REQUESTS_WRITE)
    part = part_by_number(number, part_number)
    if part is None:
        return not_found(request)
    return _raise(request, part, payload)


@router.post(
    "/backoffice/eservices/{eservice_id}/requests", response={201: RequestOut, **WRITE_ERRORS}
)
@idempotent
def raise_eservice_request(request, payload: RequestIn, eservice_id: int = ESERVICE_ID):
    """Ask an e-service's client, as the admin's "Pievienot pieprasījumu" with an e-service
    (an e-service has no suspended status: `suspend` changes nothing). A completed or cancelled
    e-service is 409 `request_refused`."""
    need_operation(request, BackOfficeScope.REQUESTS_WRITE)
    eservice = EService.objects.select_related("service").filter(pk=eservice_id).first()
    if eservice is None:
        return not_found(request)
    return _raise(request, eservice, payload)


# --- reading ----------------------------------------------------------------------------------------
@router.get("/backoffice/requests/{request_id}", response={200: RequestDetailOut, **ERRORS})
def get_request(request, request_id: int = REQUEST_ID):
    """One request as the clerk's page shows it: its points, the client's answers (drafts too)
    with their files, and its history."""
    need_operation(request, BackOfficeScope.REQUESTS_WRITE)
    if not Request.objects.filter(pk=request_id).exists():
        return not_found(request)
    return _detail(request_id)


# --- settling ---------------------------------------------------------------------------------------
class AskAgainIn(Schema):
    text: str = Field(..., min_length=1, max_length=5000, description="What is still needed")
    deadline: date | None = Field(None, description="A new deadline; none: it stays")


class ExtendIn(Schema):
    deadline: date = Field(description="The new deadline (a non-working day moves on)")


class TerminateIn(Schema):
    reason: str = Field(..., min_length=1, max_length=5000, description="The client sees it")


class WithdrawIn(Schema):
    note: str = Field("", max_length=255)


class AssignIn(Schema):
    clerk: str = Field(
        ..., min_length=1, max_length=150, description="The VZD staff member's user name"
    )


def named_clerk(username: str) -> User:
    """The active user named (whether staff, the assigning service decides), else 400."""
    clerk = User.objects.filter(username=username, is_active=True).first()
    if clerk is None:
        message = _("Darbinieks „%(name)s” nav atrasts.") % {"name": username}
        raise Problem(400, "unknown_clerk", message, errors={"clerk": [message]})
    return clerk


def _settle(request, request_id: int, apply):
    """One of the admin's actions on a request: through its service, audited, 409 with the
    workflow's reason when the request's state does not allow it."""
    need_operation(request, BackOfficeScope.REQUESTS_WRITE)
    found = Request.objects.filter(pk=request_id).first()
    if found is None:
        return not_found(request)
    try:
        with audited(request):
            apply(found)
    except StatusChangeError as error:
        raise Problem(409, "illegal_transition", " ".join(error.messages)) from None
    except ValidationError as error:
        raise invalid_values(error) from None
    return _detail(found.pk)


SETTLED = {200: RequestDetailOut, **WRITE_ERRORS}


@router.post("/backoffice/requests/{request_id}/accept", response=SETTLED)
@idempotent
def accept_request(request, request_id: int = REQUEST_ID):
    """„Pieņemt atbildi”: an answered request is accepted; a part it suspended resumes
    (Izpildē) with its planned date moved on by the working days it waited."""
    return _settle(request, request_id, lambda r: services.accept(r, by=request.user))


@router.post("/backoffice/requests/{request_id}/ask-again", response=SETTLED)
@idempotent
def ask_request_again(request, payload: AskAgainIn, request_id: int = REQUEST_ID):
    """„Pieprasīt vēlreiz”: the answer is not enough; the client answers again (by the same
    deadline, or `deadline`)."""
    return _settle(
        request,
        request_id,
        lambda r: services.ask_again(r, payload.text, by=request.user, deadline=payload.deadline),
    )


@router.post("/backoffice/requests/{request_id}/extend", response=SETTLED)
@idempotent
def extend_request(request, payload: ExtendIn, request_id: int = REQUEST_ID):
    """„Pagarināt termiņu”: a request past its deadline opens again with the new one."""
    return _settle(
        request, request_id, lambda r: services.extend(r, payload.deadline, by=request.user)
    )


@router.post("/backoffice/requests/{request_id}/terminate", response=SETTLED)
@idempotent
def terminate_request(request, payload: TerminateIn, request_id: int = REQUEST_ID):
    """„Pārtraukt izpildi”: past its deadline with no answer; the part becomes Pārtraukts (the
    e-service Atcelts) with the reason the client sees."""
    return _settle(
        request, request_id, lambda r: services.terminate(r, payload.reason, by=request.user)
    )


@router.post("/backoffice/requests/{request_id}/withdraw", response=SETTLED)
@idempotent
def withdraw_request(request, payload: WithdrawIn, request_id: int = REQUEST_ID):
    """„Atsaukt pieprasījumu”: an open request is withdrawn; a part it suspended resumes."""
    return _settle(
        request, request_id, lambda r: services.withdraw(r, by=request.user, note=payload.note)
    )


@router.post("/backoffice/requests/{request_id}/assign", response=SETTLED)
@idempotent
def assign_request(request, payload: AssignIn, request_id: int = REQUEST_ID):
    """„Piešķirt man”, for the clerk named: the staff member who settles the request, on its
    record (requisitions.services.assign: only an active VZD staff member; a settled request
    is 409)."""
    need_operation(request, BackOfficeScope.REQUESTS_WRITE)
    clerk = named_clerk(payload.clerk)

    def apply(found):
        try:
            services.assign(found, to=clerk, by=request.user)
        except ValidationError as error:
            if getattr(error, "code", None) == "final":  # settled: as a move the workflow refuses
                raise StatusChangeError(error.messages[0], code="final") from None
            raise

    return _settle(request, request_id, apply)
