"""Template helpers for the upload partial (templates/documents/_upload_form.html)."""

from __future__ import annotations

from django import template
from django.conf import settings

from documents.uploads import pop_upload_feedback
from documents.validation import ACCEPT_ATTRIBUTE

register = template.Library()


@register.simple_tag(takes_context=True)
def upload_feedback(context, upload_url: str) -> dict:
    """The errors the upload view left for this form after redirecting back here (shown once),
    and the limits the hint names."""
    request = context.get("request")
    feedback = pop_upload_feedback(request, upload_url) if request is not None else {}
    return {
        "errors": feedback.get("errors", []),
        "part": feedback.get("part", ""),
        "max_bytes": settings.FILE_UPLOAD_MAX_BYTES,
        "max_files": settings.FILE_UPLOAD_MAX_FILES,
    }


@register.simple_tag
def upload_accept() -> str:
    return ACCEPT_ATTRIBUTE
