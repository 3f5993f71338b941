"""The upload request: check every file, store all or none, and send the person back to the page
they came from. Refusals travel to that page in the session and the upload partial shows them in a
`govuk-error-summary` once (see templates/documents/_upload_form.html)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponseRedirect
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from documents.services import submit_documents
from documents.signing import check_uploads
from manskonts.templatetags.manskonts import file_size
from manskonts.uploads import UploadOverflow
from manskonts.validation import safe_display_name, too_many_files_message

SESSION_KEY = "documents_upload_feedback"
FILES_FIELD = "files"
PART_FIELD = "part"


def remember_upload_feedback(
    request: HttpRequest,
    upload_url: str,
    errors: list[str],
    part: str = "",
    part_errors: list[str] | None = None,
) -> None:
    """`errors`: every refusal; `part_errors`: those of them about the order part chosen."""
    request.session[SESSION_KEY] = {
        "url": upload_url,
        "errors": errors,
        "part": part,
        "part_errors": part_errors or [],
    }


def pop_upload_feedback(request: HttpRequest, upload_url: str) -> dict:
    """{"errors": [...], "part_errors": [...], "part": "2"} left for the form posting to
    upload_url, then forgotten."""
    session = getattr(request, "session", None)
    if session is None:
        return {}
    feedback = session.get(SESSION_KEY)
    if not feedback or feedback.get("url") != upload_url:
        return {}
    del session[SESSION_KEY]
    return {
        "errors": feedback.get("errors", []),
        "part_errors": feedback.get("part_errors", []),
        "part": feedback.get("part", ""),
    }


def handle_upload(
    request: HttpRequest,
    *,
    upload_url: str,
    back_url: str,
    part_errors: list[str],
    signature_required: bool = False,
    **target,
) -> HttpResponseRedirect:
    """Validate request.FILES and store them against `target` (eservice= or order_part=).

    `part_errors` are refusals the caller already found about the order part (none chosen); any
    error means nothing is stored. With `signature_required` (the service's catalogue flag) every
    file's signature is validated now and an unsigned or invalid one refused (documents.signing).
    Always a 303 back to the page, to the form on error.
    """
    errors = list(part_errors)
    overflow = getattr(request, "upload_overflow", None)
    if overflow is not None:
        # The upload handler stopped reading (manskonts/uploads.py): refuse it all, say why.
        errors = [*errors, overflow_message(overflow)]
        checked = []
    else:
        checked, file_errors = check_uploads(
            request.FILES.getlist(FILES_FIELD), signature_required=signature_required
        )
        errors = [*errors, *file_errors]
    if errors:
        remember_upload_feedback(
            request, upload_url, errors, request.POST.get(PART_FIELD, ""), part_errors
        )
        return HttpResponseRedirect(f"{back_url}#iesniegt-dokumentus", status=303)
    documents = submit_documents(checked, by=request.user, **target)
    messages.success(
        request,
        ngettext(
            "Iesniegta %(count)d datne: %(names)s.",
            "Iesniegtas %(count)d datnes: %(names)s.",
            len(documents),
        )
        % {"count": len(documents), "names": ", ".join(d.original_name for d in documents)},
    )
    response = HttpResponseRedirect(back_url, status=303)
    return response


def overflow_message(overflow: UploadOverflow) -> str:
    """The form's message for an upload the handler cut off: the same words as validation's."""
    if overflow.reason == "file":
        return _("Datnei „%(name)s” jābūt mazākai par %(limit)s.") % {
            "name": safe_display_name(overflow.file_name),
            "limit": file_size(overflow.limits.file_bytes),
        }
    if overflow.reason == "files":
        return too_many_files_message(
            overflow.files_seen if overflow.counted_all else None, overflow.limits.max_files
        )
    return _("Vienā reizē var iesniegt ne vairāk kā %(limit)s.") % {
        "limit": file_size(overflow.limits.request_bytes)
    }
