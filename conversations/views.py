"""The client's side of conversations: the thread on the order and e-service pages (the block,
`thread_context`), its own page where a new message is posted (and shown again with its errors,
400, when refused), 'Uzdot jautājumu' about any order, and attachment downloads. Everything is
scoped to the active client: another client's order, e-service or attachment is a 404."""

from __future__ import annotations

import logging

from django.contrib import messages as flash
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from conversations.forms import AskForm, MessageForm
from conversations.models import Attachment
from conversations.services import (
    attachment_gone,
    mark_read_by_client,
    page_link,
    post_message,
    thread_messages,
    thread_of,
)
from eservices.models import EService
from manskonts.decorators import client_required
from manskonts.storage import (
    content_disposition,
    is_object_storage,
    is_stored,
    open_stored,
    presigned_download_url,
)
from manskonts.uploads import reports_upload_limits
from orders.models import Order

log = logging.getLogger("manskonts.conversations")

ANCHOR = "#saruna"
PRIVATE_HEADERS = {"X-Content-Type-Options": "nosniff", "Cache-Control": "private, no-store"}


def post_url(target: Order | EService) -> str:
    if isinstance(target, Order):
        return reverse("conversations:order", args=[target.number])
    return reverse("conversations:eservice", args=[target.pk])


def thread_context(request: HttpRequest, target: Order | EService, form=None) -> dict:
    """What the thread block (templates/conversations/_thread.html) shows about `target`, which
    the caller has already looked up through the client's scope. A GET by one of the client's
    people marks VZD's messages read, as a mail client does: idempotent, and no write at all when
    nothing is unread."""
    thread = thread_of(target)
    shown = thread_messages(thread)
    if thread is not None and request.method == "GET":
        # The header above was counted before the thread block ran: its count drops from the
        # next page on, while the block itself says which messages are new.
        mark_read_by_client(thread, shown)
    return {
        "thread": thread,
        "thread_messages": shown,
        "thread_target": target,
        "thread_is_order": isinstance(target, Order),
        "message_form": form if form is not None else MessageForm(),
        "message_post_url": post_url(target),
    }


def _thread_page(request: HttpRequest, target: Order | EService) -> HttpResponse:
    if request.method == "POST":
        form = MessageForm(
            request.POST, request.FILES, overflow=getattr(request, "upload_overflow", None)
        )
        if form.is_valid():
            post_message(
                target,
                by=request.user,
                text=form.cleaned_data["text"],
                files=form.cleaned_data["files"],
                from_staff=False,
            )
            flash.success(request, _("Ziņa nosūtīta VZD."))
            return HttpResponseRedirect(page_link(target) + ANCHOR, status=303)
        context = thread_context(request, target, form)
        return render(request, "conversations/thread.html", context, status=400)
    return render(request, "conversations/thread.html", thread_context(request, target))


@reports_upload_limits
@require_http_methods(["GET", "HEAD", "POST"])
@client_required
def order_thread(request: HttpRequest, number: str) -> HttpResponse:
    """The conversation about an order on a page of its own; POST adds a message."""
    order = get_object_or_404(Order.objects.for_client(request.client), number=number)
    return _thread_page(request, order)


@reports_upload_limits
@require_http_methods(["GET", "HEAD", "POST"])
@client_required
def eservice_thread(request: HttpRequest, pk: int) -> HttpResponse:
    """The conversation about an e-service on a page of its own; POST adds a message."""
    eservice = get_object_or_404(EService.objects.for_client(request.client), pk=pk)
    return _thread_page(request, eservice)


@reports_upload_limits
@require_http_methods(["GET", "HEAD", "POST"])
@client_required
def ask(request: HttpRequest) -> HttpResponse:
    """'Uzdot jautājumu': a question about any of the client's orders (?pasutijums= fills it in)."""
    if request.method == "POST":
        form = AskForm(
            request.POST,
            request.FILES,
            client=request.client,
            overflow=getattr(request, "upload_overflow", None),
        )
        if form.is_valid():
            order = form.cleaned_data["order"]
            post_message(
                order,
                by=request.user,
                text=form.cleaned_data["text"],
                files=form.cleaned_data["files"],
                from_staff=False,
            )
            flash.success(request, _("Jautājums nosūtīts VZD."))
            return HttpResponseRedirect(page_link(order) + ANCHOR, status=303)
        return render(request, "conversations/ask.html", {"form": form}, status=400)
    initial = {"order": request.GET.get("pasutijums", "")[:20]}
    return render(
        request, "conversations/ask.html", {"form": AskForm(client=request.client, initial=initial)}
    )


def _private(response: HttpResponse) -> HttpResponse:
    for header, value in PRIVATE_HEADERS.items():
        response[header] = value
    return response


@require_safe
@client_required
def attachment(request: HttpRequest, pk: int) -> HttpResponse:
    """A message's attachment, scoped to the active client (404 otherwise), as an attachment."""
    item = get_object_or_404(
        Attachment.objects.for_client(request.client).select_related(
            "message__thread__order", "message__thread__eservice"
        ),
        pk=pk,
    )
    gone = attachment_gone(item)
    if gone:
        return _refused(request, item, gone)
    if is_object_storage(item.file.storage):
        if not is_stored(item.file.name, item.file.storage):
            return _refused(request, item, _("Datne vairs nav pieejama."))
        url = presigned_download_url(item.file.name, item.original_name)
        return _private(HttpResponseRedirect(url))
    source = open_stored(item.file.name, item.file.storage)
    if source is None:
        log.warning("download: stored object missing attachment_id=%s", item.pk)
        return _refused(request, item, _("Datne vairs nav pieejama."))
    log.info("download attachment_id=%s user_id=%s", item.pk, request.user.pk)
    response = FileResponse(source, content_type="application/octet-stream")
    response["Content-Disposition"] = content_disposition(item.original_name)
    return _private(response)


def _refused(request: HttpRequest, item: Attachment, reason: str) -> HttpResponse:
    context = {"attachment": item, "reason": reason, "back": page_link(item.message.thread)}
    return _private(render(request, "conversations/refused.html", context, status=410))
