"""Template helpers for the upload partial (templates/documents/_upload_form.html) and the files
table (templates/documents/_documents.html, declared in documents/tables.py)."""

from __future__ import annotations

from django import template
from django.conf import settings
from django.utils.safestring import SafeString

from documents.forms import UploadForm
from documents.tables import TABLE
from documents.uploads import pop_upload_feedback
from manskonts.templatetags.manskonts import table_head

register = template.Library()


@register.simple_tag(takes_context=True)
def upload_feedback(context, upload_url: str, parts=()) -> dict:
    """The upload form (documents.forms.UploadForm) with the errors the upload view left for it
    after redirecting back here (shown once), and whether there are any."""
    request = context.get("request")
    feedback = pop_upload_feedback(request, upload_url) if request is not None else {}
    form = UploadForm(
        parts=parts or (),
        chosen_part=feedback.get("part", ""),
        max_bytes=settings.FILE_UPLOAD_MAX_BYTES,
        max_files=settings.FILE_UPLOAD_MAX_FILES,
    )
    errors = feedback.get("errors", [])
    part_errors = feedback.get("part_errors", [])
    if errors:
        form.show_refusal(part_errors, [e for e in errors if e not in part_errors])
    return {"form": form, "errors": errors}


@register.simple_tag(takes_context=True)
def document_table_head(context) -> SafeString:
    """The files table's header cells, from its declaration."""
    return table_head(context, TABLE.layout(), {})


@register.simple_tag
def document_rows(documents) -> SafeString:
    """The files table's rows, one per document, the cells in the header's order."""
    return TABLE.layout().rows(documents)
