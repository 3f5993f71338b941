"""VZD's replies in a client's conversation through the back-office API (docs/api.md, "Back
office"): as a clerk's reply on the thread's admin page, through conversations.services
.post_message with from_staff (the thread answered, the client's messages read by VZD, the
client's people notified as from the admin), checked by the message form the admin's reply
shares (check_text, check_attachments). Scope messages:write; signed with the service account's
name ("VZD — <its name>"), audited under its user. The conversation is read here too (on the
same paths), as its admin page shows it; reading marks nothing read (the reply does). Its
„Piešķirt man” is here too, for the clerk named (conversations.services.assign)."""

from datetime import datetime

from django.core.exceptions import ValidationError
from ninja import File, Form, Path, Router, Schema
from ninja.files import UploadedFile
from pydantic import Field

from api.auth import audited
from api.backoffice import (
    ERRORS,
    TAG,
    WRITE_ERRORS,
    ServiceAuth,
    invalid_values,
    need_operation,
)
from api.backoffice_requests import AssignIn, named_clerk
from api.endpoints import ORDER_NUMBER
from api.idempotency import idempotent
from api.listing import json_response
from api.messages import POST_BODY, message_out, posted_message
from api.models import BackOfficeScope
from api.problems import not_found
from api.schemas import ProblemOut
from conversations.models import Message
from conversations.services import assign, thread_messages, thread_of
from eservices.models import EService
from orders.models import Order

router = Router(auth=ServiceAuth(), tags=[TAG])

MESSAGE_ERRORS = {**WRITE_ERRORS, 413: ProblemOut}
TEXT = Form(None, description="The message, at most 5000 characters")


class BackAttachmentOut(Schema):
    id: int
    name: str
    size: int
    deleted: bool
    download_url: str


class BackMessageOut(Schema):
    id: int
    from_vzd: bool
    author: str
    text: str
    created_at: datetime
    read_at: datetime | None = Field(description="When the other side read it")
    attachments: list[BackAttachmentOut]


class ConversationReadOut(Schema):
    thread_id: int | None = Field(description="None until anyone has written")
    status: str | None = Field(None, description="waiting (for VZD's answer) or answered")
    waiting_since: datetime | None = None
    items: list[BackMessageOut]


BACK_DOWNLOAD = "/api/v1/backoffice/message-attachments/{}/content"


def _conversation(request, target):
    need_operation(request, BackOfficeScope.MESSAGES_WRITE)
    if target is None:
        return not_found(request)
    thread = thread_of(target)
    items = [message_out(m, BACK_DOWNLOAD) for m in thread_messages(thread)]
    data = {
        "thread_id": thread.pk if thread else None,
        "status": thread.status if thread else None,
        "waiting_since": thread.waiting_since if thread else None,
        "items": items,
    }
    return json_response(ConversationReadOut, data)


# One URL per path, named as its POST's: manskonts.uploads gives that name the reply's room.
@router.get(
    "/backoffice/orders/{number}/messages",
    response={200: ConversationReadOut, **ERRORS},
    url_name="back_office_order_message",
)
def get_back_office_order_messages(request, number: str = ORDER_NUMBER):
    """The order's conversation as the thread's admin page shows it, oldest first."""
    return _conversation(request, Order.objects.filter(number=number).first())


@router.get(
    "/backoffice/eservices/{eservice_id}/messages",
    response={200: ConversationReadOut, **ERRORS},
    url_name="back_office_eservice_message",
)
def get_back_office_eservice_messages(request, eservice_id: int = Path(..., ge=1, le=2**31 - 1)):
    """The e-service's conversation, oldest first."""
    return _conversation(request, EService.objects.filter(pk=eservice_id).first())


# --- replying --------------------------------------------------------------------------------------
def _reply(request, target, text, files):
    need_operation(request, BackOfficeScope.MESSAGES_WRITE)
    if target is None:
        return not_found(request)
    message = posted_message(request, target, text, files, from_staff=True)
    shown = Message.objects.prefetch_related("attachments").get(pk=message.pk)
    return json_response(BackMessageOut, message_out(shown, BACK_DOWNLOAD), status=201)


@router.post(
    "/backoffice/orders/{number}/messages",
    response={201: BackMessageOut, **MESSAGE_ERRORS},
    openapi_extra=POST_BODY,
    url_name="back_office_order_message",
)
@idempotent
def post_back_office_order_message(
    request,
    number: str = ORDER_NUMBER,
    text: str | None = TEXT,
    files: File[list[UploadedFile]] = None,
):
    """Reply in the order's conversation as VZD (`multipart/form-data` with `text` and optional
    `files`, at most 5, or JSON `{"text": …}`), as the thread's admin page does; the thread is
    started if nobody has written yet, as the admin's „Pievienot sarunu” does."""
    return _reply(request, Order.objects.filter(number=number).first(), text, files)


@router.post(
    "/backoffice/eservices/{eservice_id}/messages",
    response={201: BackMessageOut, **MESSAGE_ERRORS},
    openapi_extra=POST_BODY,
    url_name="back_office_eservice_message",
)
@idempotent
def post_back_office_eservice_message(
    request,
    eservice_id: int = Path(..., ge=1, le=2**31 - 1),
    text: str | None = TEXT,
    files: File[list[UploadedFile]] = None,
):
    """Reply in the e-service's conversation as VZD, as above."""
    return _reply(request, EService.objects.filter(pk=eservice_id).first(), text, files)


# --- assigning ------------------------------------------------------------------------------------
ESERVICE_ID = Path(..., ge=1, le=2**31 - 1)


class ConversationAssignOut(Schema):
    thread_id: int
    assignee: str = Field(description="The clerk's user name")
    changed: bool = Field(description="False: the clerk answered it already")


def _assign(request, target, name: str):
    """The thread admin's „Piešķirt man” for the clerk named: conversations.services.assign
    (staff only), audited; 404 without the order or e-service or before anyone has written."""
    need_operation(request, BackOfficeScope.MESSAGES_WRITE)
    thread = thread_of(target) if target is not None else None
    if thread is None:
        return not_found(request)
    clerk = named_clerk(name)
    try:
        with audited(request):
            changed = assign([thread], clerk)
    except ValidationError as error:
        raise invalid_values(error) from None
    data = {"thread_id": thread.pk, "assignee": clerk.get_username(), "changed": bool(changed)}
    return json_response(ConversationAssignOut, data)


ASSIGNED = {200: ConversationAssignOut, **WRITE_ERRORS}


@router.post("/backoffice/orders/{number}/conversation/assign", response=ASSIGNED)
@idempotent
def assign_order_conversation(request, payload: AssignIn, number: str = ORDER_NUMBER):
    """„Piešķirt man” on the order's conversation, for the clerk named (`clerk`: an active VZD
    staff member's user name): the one who answers it, as the admin's action makes them."""
    return _assign(request, Order.objects.filter(number=number).first(), payload.clerk)


@router.post("/backoffice/eservices/{eservice_id}/conversation/assign", response=ASSIGNED)
@idempotent
def assign_eservice_conversation(request, payload: AssignIn, eservice_id: int = ESERVICE_ID):
    """„Piešķirt man” on the e-service's conversation, as above."""
    return _assign(request, EService.objects.filter(pk=eservice_id).first(), payload.clerk)
