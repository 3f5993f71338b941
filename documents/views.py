from __future__ import annotations

import logging

from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from accounts.acting_for import client_required
from documents.access import download_decision
from documents.models import Document

log = logging.getLogger("manskonts.documents")


@require_GET
@client_required
def download(request: HttpRequest, pk: int) -> HttpResponse:
    """Every file goes through here: scoped to the active client (404 otherwise), then the rules."""
    document = get_object_or_404(
        Document.objects.for_client(request.client).select_related("order_part__order"), pk=pk
    )
    decision = download_decision(document)
    if not decision.allowed:
        log.info("download refused document_id=%s", document.pk)
        return render(
            request,
            "documents/refused.html",
            {"document": document, "reason": decision.reason},
            status=403,
        )
    if not document.file:
        raise Http404
    response = FileResponse(
        document.file.open("rb"),
        as_attachment=True,
        filename=document.original_name,
        content_type="application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
