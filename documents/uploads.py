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


def choose_part(parts: list, chosen: str) -> tuple[object | None, list[str]]:
    """The order part documents go to: the only one (unless another is named), else the one named
    by its number; (None, [the refusal]) when none fits. The page and the API both ask this."""
    chosen = (chosen or "").strip()
    if len(parts) == 1 and chosen in ("", str(parts[0].part_number)):
        return parts[0], []
    part = next((p for p in parts if str(p.part_number) == chosen), None)
    if part is None:
        return None, [_("Izvēlieties pasūtījuma daļu, kurai iesniedzat dokumentus.")]
    return part, []


def closed_part_reason(part) -> str:
    """Why a completed or terminated part takes no documents (the page's and the API's words)."""
    return _(
        "Dokumentus vairs nevar iesniegt: pasūtījuma daļas %(part)s statuss ir „%(status)s”."
    ) % {"part": part.part_number, "status": part.get_status_display()}


def closed_eservice_reason(eservice) -> str:
    return _("Dokumentus vairs nevar iesniegt: e-pakalpojuma statuss ir „%(status)s”.") % {
        "status": eservice.get_status_display()
    }


def accept_upload(
    request: HttpRequest,
    files: list,
    *,
    part_errors: list[str],
    signature_required: bool = False,
    **target,
) -> tuple[list, list[str]]:
    """Validate `files` (request.FILES' list) and store them all against `target` (eservice= or
    order_part=), or none: (documents stored, refusals). `part_errors` are refusals the caller
    already found about the order part (none chosen); any refusal means nothing is stored. An
    upload the handler cut off (manskonts/uploads.py) is refused whole, saying why. With
    `signature_required` (the service's catalogue flag) every file's signature is validated now
    and an unsigned or invalid one refused (documents.signing). The page and the API call it."""
    errors = list(part_errors)
    overflow = getattr(request, "upload_overflow", None)
    if overflow is not None:
        return [], [*errors, overflow_message(overflow)]
    checked, file_errors = check_uploads(files, signature_required=signature_required)
    errors = [*errors, *file_errors]
    if errors:
        return [], errors
    return submit_documents(checked, by=request.user, **target), []


def handle_upload(
    request: HttpRequest,
    *,
    upload_url: str,
    back_url: str,
    part_errors: list[str],
    signature_required: bool = False,
    **target,
) -> HttpResponseRedirect:
    """The page's upload (accept_upload): always a 303 back to the page, to the form on error."""
    documents, errors = accept_upload(
        request,
        request.FILES.getlist(FILES_FIELD),
        part_errors=part_errors,
        signature_required=signature_required,
        **target,
    )
    if errors:
        remember_upload_feedback(
            request, upload_url, errors, request.POST.get(PART_FIELD, ""), part_errors
        )
        return HttpResponseRedirect(f"{back_url}#iesniegt-dokumentus", status=303)
    messages.success(
        request,
        ngettext(
            "Iesniegta %(count)d datne: %(names)s.",
            "Iesniegtas %(count)d datnes: %(names)s.",
            len(documents),
        )
        % {"count": len(documents), "names": ", ".join(d.original_name for d in documents)},
    )
    return HttpResponseRedirect(back_url, status=303)


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
