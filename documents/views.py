"""Files in and out of Mans konts. Every download goes through `download_decision`; every upload
through `documents.uploads.handle_upload`. Everything is scoped to the active client (404 else)."""

from __future__ import annotations

import logging

from django.contrib import messages
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    StreamingHttpResponse,
)
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.html import format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST, require_safe

from documents.access import download_decision, results_for_download
from documents.models import Document
from documents.signing import open_container_file
from documents.uploads import (
    PART_FIELD,
    choose_part,
    closed_eservice_reason,
    closed_part_reason,
    handle_upload,
)
from documents.zipstream import stream_zip
from eservices.models import EService
from manskonts.decorators import client_required
from manskonts.storage import (
    content_disposition,
    is_stored,
    stored_file_response,
)
from manskonts.uploads import reports_upload_limits
from orders.models import Order

log = logging.getLogger("manskonts.documents")

PRIVATE_HEADERS = {"X-Content-Type-Options": "nosniff", "Cache-Control": "private, no-store"}


def _private(response: HttpResponse) -> HttpResponse:
    for header, value in PRIVATE_HEADERS.items():
        response[header] = value
    return response


def _refused(request: HttpRequest, context: dict, status: int = 403) -> HttpResponse:
    return _private(render(request, "documents/refused.html", context, status=status))


def _missing(request: HttpRequest, document: Document) -> HttpResponse:
    """The record says the file exists but storage has no such object: 410, never a 500."""
    log.warning("download: stored object missing document_id=%s", document.pk)
    reason = _("Datne vairs nav pieejama: tā ir dzēsta no glabātuves.")
    return _refused(request, {"document": document, "reason": reason}, status=410)


@require_safe
@client_required
def download(request: HttpRequest, pk: int) -> HttpResponse:
    """Every file goes through here: scoped to the active client (404 otherwise), then the rules."""
    document = get_object_or_404(
        Document.objects.for_client(request.client).select_related("order_part__order"), pk=pk
    )
    decision = download_decision(document)
    if not decision.allowed:
        log.info("download refused document_id=%s", document.pk)
        return _refused(request, {"document": document, "reason": decision.reason})
    if not document.file:
        raise Http404
    log.info("download document_id=%s user_id=%s", document.pk, request.user.pk)
    # A pre-signed URL is issued only now, after the check; it lives at most a minute.
    response = stored_file_response(document.file, document.original_name)
    if response is None:
        return _missing(request, document)
    return response


@require_safe
@client_required
def download_container_file(request: HttpRequest, pk: int, index: int) -> HttpResponse:
    """One data file from inside a signed container: the container's scope and download
    decision (documents.access), then the member streamed, never the whole container."""
    document = get_object_or_404(
        Document.objects.for_client(request.client).select_related("order_part__order"), pk=pk
    )
    decision = download_decision(document)
    if not decision.allowed:
        log.info("container file download refused document_id=%s", document.pk)
        return _refused(request, {"document": document, "reason": decision.reason})
    if not document.file:
        raise Http404
    inner = open_container_file(document, index)
    if inner is None:
        if document.container_files and 0 <= index < len(document.container_files):
            return _missing(request, document)
        raise Http404
    log.info(
        "download container file document_id=%s index=%s user_id=%s",
        document.pk,
        index,
        request.user.pk,
    )
    response = StreamingHttpResponse(inner.stream, content_type="application/octet-stream")
    response["Content-Length"] = str(inner.size)
    response["Content-Disposition"] = content_disposition(inner.name)
    return _private(response)


def joined(reasons: list[str]) -> str:
    """The reasons as one text; a reason's invoice links (documents.access) stay links."""
    return format_html_join(" ", "{}", ((reason,) for reason in reasons))


@require_safe
@client_required
def download_results_zip(request: HttpRequest, number: str) -> HttpResponse:
    """All results of an order the client may download, as one streamed ZIP."""
    order = get_object_or_404(Order.objects.for_client(request.client), number=number)
    documents, reasons = results_for_download(order)
    present = [d for d in documents if is_stored(d.file.name, d.file.storage)]
    if len(present) < len(documents):
        log.warning(
            "results zip: stored objects missing order=%s missing=%s",
            order.number,
            len(documents) - len(present),
        )
        missing = len(documents) - len(present)
        reasons.append(
            ngettext(
                "%(count)s rezultāta datne vairs nav pieejama: tā ir dzēsta no glabātuves.",
                "%(count)s rezultāta datnes vairs nav pieejamas: tās ir dzēstas no glabātuves.",
                missing,
            )
            % {"count": missing}
        )
        if not present:
            return _refused(request, {"order": order, "reason": joined(reasons)}, status=410)
        documents = present
    if not documents:
        reason = joined(reasons) or _("Šim pasūtījumam nav lejupielādējamu rezultātu.")
        return _refused(request, {"order": order, "reason": reason})
    log.info("download results zip order=%s files=%s", order.number, len(documents))
    response = StreamingHttpResponse(stream_zip(documents), content_type="application/zip")
    response["Content-Disposition"] = content_disposition(
        _("rezultati-%(number)s.zip") % {"number": order.number}
    )
    return _private(response)


def _closed(request: HttpRequest, back_url: str, reason: str) -> HttpResponse:
    """An upload to a completed or terminated e-service or order part: nothing read or stored."""
    messages.error(request, reason)
    return HttpResponseRedirect(back_url, status=303)


@reports_upload_limits
@require_POST
@client_required
def upload_order(request: HttpRequest, number: str) -> HttpResponse:
    """Submit documents to an order; with several parts the client picks the part."""
    order = get_object_or_404(Order.objects.for_client(request.client), number=number)
    parts = list(order.parts.select_related("service").order_by("part_number"))
    part, part_errors = choose_part(parts, request.POST.get(PART_FIELD, ""))
    if part is not None and not part.accepts_documents:
        return _closed(
            request, reverse("orders:detail", args=[order.number]), closed_part_reason(part)
        )
    return handle_upload(
        request,
        upload_url=reverse("documents:upload_order", args=[order.number]),
        back_url=reverse("orders:detail", args=[order.number]),
        part_errors=part_errors,
        signature_required=part is not None and part.service.signature_required,
        order_part=part,
    )


@reports_upload_limits
@require_POST
@client_required
def upload_eservice(request: HttpRequest, pk: int) -> HttpResponse:
    """Submit documents to an e-service."""
    eservice = get_object_or_404(
        EService.objects.for_client(request.client).select_related("service"), pk=pk
    )
    if not eservice.accepts_documents:
        return _closed(
            request,
            reverse("eservices:detail", args=[eservice.pk]),
            closed_eservice_reason(eservice),
        )
    return handle_upload(
        request,
        upload_url=reverse("documents:upload_eservice", args=[eservice.pk]),
        back_url=reverse("eservices:detail", args=[eservice.pk]),
        part_errors=[],
        signature_required=eservice.service.signature_required,
        eservice=eservice,
    )
