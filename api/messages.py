"""Conversations through the client API: the client's threads, a thread's messages with their
attachments, sending a message (scope messages:write) and marking VZD's messages read, through
the pages' own functions (conversations.services: thread_of, thread_messages, post_message,
mark_read_by_client; conversations.forms.MessageForm: check_text and the attachment checks) and
the attachment page's download rule (another client's 404, purged 410)."""

import json
from datetime import date, datetime

from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Path, Query, Router, Schema
from ninja.files import UploadedFile

from api.auth import audited, need_scope
from api.client_writes import invalid_values
from api.downloads import FILE_RESPONSES, serve_stored
from api.endpoints import ERRORS, ORDER_NUMBER, Paging, _sort
from api.endpoints import _invalid_choice as invalid_choice
from api.idempotency import idempotent
from api.listing import api_page, etag_response, json_response, page_meta
from api.models import Scope
from api.problems import Problem, not_found
from api.schemas import PageMeta, ProblemOut
from api.uploads import refuse_overflow
from conversations.forms import MessageForm
from conversations.models import Attachment, Message, Thread
from conversations.services import (
    MAX_ATTACHMENTS,
    attachment_gone,
    mark_read_by_client,
    post_message,
    thread_messages,
    thread_of,
)
from eservices.models import EService
from manskonts.listing import SortChoices, SortOption
from orders.models import Order

router = Router()

TAG = "sarunas"
WRITE_ERRORS = {**ERRORS, 409: ProblemOut, 413: ProblemOut, 422: ProblemOut}
THREAD_STATUS = dict(Thread.Status.choices)
# Newest activity first, as a mail client lists its conversations.
THREAD_SORTS = SortChoices(
    [SortOption("activity", "activity", ("last_message_at", "id"))], default="-activity"
)


# --- schemas ----------------------------------------------------------------------------------------
class AttachmentOut(Schema):
    id: int
    name: str
    size: int
    content_type: str
    uploaded_at: datetime
    deleted: bool = Field(description="Deleted from storage after its retention (90 days)")
    available_until: date
    download_url: str


class MessageOut(Schema):
    id: int
    from_vzd: bool
    author: str = Field(description="'VZD — Ilze' for a clerk, the person's name otherwise")
    text: str
    created_at: datetime
    read_at: datetime | None = Field(description="When the other side read it")
    new: bool = Field(description="VZD's and not yet read by the client's side")
    attachments: list[AttachmentOut]


class ThreadOut(Schema):
    id: int
    order_number: str | None
    eservice_id: int | None
    status: str = Field(description="waiting (for VZD's answer) or answered")
    status_label: str
    waiting_since: datetime | None
    last_message_at: datetime
    unread_count: int = Field(description="VZD's messages none of the client's people read yet")
    messages_url: str


class ThreadPage(PageMeta):
    items: list[ThreadOut]


class ConversationOut(Schema):
    thread: ThreadOut | None = Field(description="None until anyone has written")
    items: list[MessageOut]


class ReadOut(Schema):
    marked_read: int = Field(description="How many of VZD's messages this marked read")
    thread: ThreadOut


class MessageIn(Schema):
    text: str = Field(description="The message, at most 5000 characters")


# --- reading ----------------------------------------------------------------------------------------
def _with_unread(queryset):
    unread = (
        Message.objects.filter(thread=OuterRef("pk"))
        .unread_by_client()
        .order_by()
        .values("thread")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return queryset.select_related("order").annotate(
        unread_count=Coalesce(Subquery(unread, output_field=IntegerField()), 0)
    )


def _messages_url(thread: Thread) -> str:
    if thread.order_id:
        return f"/api/v1/orders/{thread.order.number}/messages"
    return f"/api/v1/eservices/{thread.eservice_id}/messages"


def _thread(thread: Thread, unread_count: int | None = None) -> dict:
    return {
        "id": thread.pk,
        "order_number": thread.order.number if thread.order_id else None,
        "eservice_id": thread.eservice_id,
        "status": thread.status,
        "status_label": str(THREAD_STATUS.get(thread.status, thread.status)),
        "waiting_since": thread.waiting_since,
        "last_message_at": thread.last_message_at,
        "unread_count": thread.unread_count if unread_count is None else unread_count,
        "messages_url": _messages_url(thread),
    }


CLIENT_DOWNLOAD = "/api/v1/message-attachments/{}/content"


def _attachment(a: Attachment, download: str = CLIENT_DOWNLOAD) -> dict:
    return {
        "id": a.pk,
        "name": a.original_name,
        "size": a.size,
        "content_type": a.content_type,
        "uploaded_at": a.uploaded_at,
        "deleted": a.is_deleted,
        "available_until": a.available_until,
        "download_url": download.format(a.pk),
    }


def message_out(m: Message, download: str = CLIENT_DOWNLOAD) -> dict:
    """A message as MessageOut shows it (author as shown to the client, `new`, attachments with
    the client's download URLs): the conversation's items and the message POST's answer. `m`
    comes from Message.objects.with_new_to_client() with its attachments prefetched. The back
    office reads the same fields (its schema keeps those it shows) with its own `download` URL."""
    return {
        "id": m.pk,
        "from_vzd": m.from_staff,
        "author": m.shown_author,
        "text": m.text,
        "created_at": m.created_at,
        "read_at": m.read_at,
        "new": bool(getattr(m, "is_new", False)),
        "attachments": [_attachment(a, download) for a in m.attachments.all()],
    }


class ThreadQuery(Paging):
    sort: str | None = _sort(THREAD_SORTS, THREAD_SORTS.default)
    unread: bool = Field(False, description="Only threads with a message of VZD not yet read")
    status: str | None = Field(None, json_schema_extra={"enum": list(THREAD_STATUS)})


@router.get("/threads", response={200: ThreadPage, **ERRORS}, tags=[TAG])
def list_threads(request, q: Query[ThreadQuery]):
    """The client's conversations (one per order or e-service), newest activity first, with the
    count of VZD's messages not yet read."""
    need_scope(request, Scope.READ)
    queryset = _with_unread(Thread.objects.for_client(request.client))
    if q.unread:
        queryset = queryset.filter(unread_count__gt=0)
    if q.status:
        if q.status not in THREAD_STATUS:
            message = invalid_choice()
            raise Problem(400, "invalid_filter", message, errors={"status": [message]})
        queryset = queryset.filter(status=q.status)
    page, _fs = api_page(
        request, None, queryset, THREAD_SORTS, {}, sort=q.sort, cursor=q.cursor, limit=q.limit
    )
    return {**page_meta(page), "items": [_thread(t) for t in page.rows]}


def _conversation(target) -> dict:
    thread = thread_of(target)
    shown = thread_messages(thread)
    if thread is None:
        return {"thread": None, "items": []}
    unread = sum(1 for m in shown if m.from_staff and m.read_at is None)
    return {"thread": _thread(thread, unread), "items": [message_out(m) for m in shown]}


def _order(request, number: str) -> Order | None:
    return Order.objects.for_client(request.client).filter(number=number).first()


def _eservice(request, eservice_id: int) -> EService | None:
    return EService.objects.for_client(request.client).filter(pk=eservice_id).first()


# Both methods of a messages URL share one URL name (the upload limits are a URL's: settings).
@router.get(
    "/orders/{number}/messages",
    response={200: ConversationOut, 304: None, **ERRORS},
    tags=[TAG],
    url_name="order_messages",
)
def get_order_messages(request, number: str = ORDER_NUMBER):
    """The conversation about an order, oldest message first, as its page shows it. Reading it
    here marks nothing read (POST …/read does, as opening the page does)."""
    need_scope(request, Scope.READ)
    order = _order(request, number)
    if order is None:
        return not_found(request)
    return etag_response(request, ConversationOut, _conversation(order))


@router.get(
    "/eservices/{eservice_id}/messages",
    response={200: ConversationOut, 304: None, **ERRORS},
    tags=[TAG],
    url_name="eservice_messages",
)
def get_eservice_messages(request, eservice_id: int = Path(..., ge=1, le=2**31 - 1)):
    """The conversation about an e-service, oldest message first."""
    need_scope(request, Scope.READ)
    eservice = _eservice(request, eservice_id)
    if eservice is None:
        return not_found(request)
    return etag_response(request, ConversationOut, _conversation(eservice))


@router.get(
    "/message-attachments/{attachment_id}/content",
    response={200: None, 302: None, **ERRORS, 410: ProblemOut},
    tags=[TAG],
    openapi_extra=FILE_RESPONSES,
)
def download_message_attachment(request, attachment_id: int = Path(..., ge=1, le=2**63 - 1)):
    """A message's attachment under the page's rule: the client's own only (404 otherwise), 410
    once deleted after its retention or gone from storage."""
    need_scope(request, Scope.READ)
    item = Attachment.objects.for_client(request.client).filter(pk=attachment_id).first()
    if item is None:
        return not_found(request)
    gone = attachment_gone(item)
    if gone:
        raise Problem(410, "file_deleted", gone)
    return serve_stored(item.file, item.original_name, _("Datne vairs nav pieejama."))


# --- writing ----------------------------------------------------------------------------------------
POST_BODY = {
    "requestBody": {
        "content": {
            "application/json": {"schema": MessageIn.model_json_schema()},
        }
    }
}
FILES_DESCRIPTION = (
    f"Optional attachments (field `files`), at most {MAX_ATTACHMENTS}, each at most "
    "FILE_UPLOAD_MAX_BYTES, the formats the page takes"
)


def message_form_data(request, text: str | None, files) -> tuple[dict, MultiValueDict]:
    """The data and files for conversations.forms.MessageForm from a message POST, the client's
    or the back office's: a JSON body `{"text": …}` (no files) or the multipart `text` and
    `files`; a JSON body that is not an object with a string `text` is 400 invalid_request."""
    if request.content_type == "application/json":
        try:
            body = json.loads(request.body or b"null")
        except ValueError:
            body = None
        if not isinstance(body, dict) or not isinstance(body.get("text", ""), str):
            message = _("Pieprasījuma parametri nav derīgi: %(names)s.") % {"names": "text"}
            raise Problem(400, "invalid_request", message, errors={"text": [message]})
        return {"text": body.get("text", "")}, MultiValueDict()
    return {"text": text or ""}, MultiValueDict({"files": list(files or [])})


def posted_message(request, target, text: str | None, files, *, from_staff: bool) -> Message:
    """A message POST, the client's or the back office's, checked by
    conversations.forms.MessageForm as the page's and the admin's form are (an upload cut off by
    the handler 413 `upload_too_large`, refused files 400 `upload_refused`, other values 400
    `invalid_values`), then posted by conversations.services.post_message, audited."""
    refuse_overflow(request)
    data, uploads = message_form_data(request, text, files)
    form = MessageForm(data, uploads)
    if not form.is_valid():
        if "files" in form.errors:
            errors = {name: [str(m) for m in messages] for name, messages in form.errors.items()}
            raise Problem(400, "upload_refused", " ".join(form.errors["files"]), errors=errors)
        raise invalid_values(form.errors)
    with audited(request):
        return post_message(
            target,
            by=request.user,
            text=form.cleaned_data["text"],
            files=form.cleaned_data["files"],
            from_staff=from_staff,
        )


def _post(request, target, text, files):
    need_scope(request, Scope.MESSAGES_WRITE)
    if target is None:
        return not_found(request)
    message = posted_message(request, target, text, files, from_staff=False)
    shown = Message.objects.with_new_to_client().prefetch_related("attachments").get(pk=message.pk)
    return json_response(MessageOut, message_out(shown), status=201)


@router.post(
    "/orders/{number}/messages",
    response={201: MessageOut, **WRITE_ERRORS},
    tags=[TAG],
    openapi_extra=POST_BODY,
    url_name="order_messages",
)
@idempotent
def post_order_message(
    request,
    number: str = ORDER_NUMBER,
    text: str | None = Form(None, description="The message, at most 5000 characters"),
    files: File[list[UploadedFile]] = None,
):
    """Write to VZD about an order, as its page's form does (`multipart/form-data` with `text`
    and optional `files`, or JSON `{"text": …}`): the same checks, VZD told as from the page."""
    return _post(request, _order(request, number), text, files)


@router.post(
    "/eservices/{eservice_id}/messages",
    response={201: MessageOut, **WRITE_ERRORS},
    tags=[TAG],
    openapi_extra=POST_BODY,
    url_name="eservice_messages",
)
@idempotent
def post_eservice_message(
    request,
    eservice_id: int = Path(..., ge=1, le=2**31 - 1),
    text: str | None = Form(None, description="The message, at most 5000 characters"),
    files: File[list[UploadedFile]] = None,
):
    """Write to VZD about an e-service, as its page's form does."""
    return _post(request, _eservice(request, eservice_id), text, files)


@router.post(
    "/threads/{thread_id}/read",
    response={200: ReadOut, **ERRORS, 409: ProblemOut, 422: ProblemOut},
    tags=[TAG],
)
@idempotent
def read_thread(request, thread_id: int = Path(..., ge=1, le=2**63 - 1)):
    """Mark VZD's messages in the thread read for all the client's people, with the
    notifications about them, as opening the page does (again: nothing changes)."""
    need_scope(request, Scope.READ)
    thread = (
        Thread.objects.for_client(request.client)
        .select_related("order")
        .filter(pk=thread_id)
        .first()
    )
    if thread is None:
        return not_found(request)
    marked = mark_read_by_client(thread)
    return json_response(ReadOut, {"marked_read": marked, "thread": _thread(thread, 0)})
