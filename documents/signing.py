"""Signatures on documents (issue 16; docs/signatures.md): every PDF and ASiC-E (.edoc) file is
checked by `signatures.validate`, offline, against SIGNATURE_TRUST_STORE.

- After an upload (client or staff), a Celery task sent through the outbox checks each such file
  (`documents.tasks.check_signature`); until it is done the document says "Pārbauda parakstu…".
  With tasks eager (no REDIS_URL) the check runs after the commit, inside the request.
- Where a signed document is required (a catalogue service with `signature_required`, a request
  item with `signed_required`) the files are checked at the upload itself, before anything is
  stored: `check_uploads(files, signature_required=True)` refuses an unsigned or invalid one with a
  message that says how to sign (eParaksts), and its result is stored with the document (no task).
- `revalidate` checks stored documents again (the `revalidate_signatures` command, after the
  trust store changed).

The stored report is the validator's own summary with personal codes (for VZD staff, who download
it in the admin); client pages read only the words and names, which never hold a personal code.
"""

from __future__ import annotations

import logging
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

import outbox
import signatures
from documents.models import Document, SignatureStatus
from manskonts.storage import open_stored
from manskonts.validation import (
    ASICE,
    ASICS,
    PDF,
    CheckedUpload,
    safe_display_name,
    validate_uploads,
)

log = logging.getLogger("manskonts.documents")

TASK = "documents.tasks.check_signature"
SIGNABLE_CONTENT_TYPES = frozenset({PDF.content_type, ASICE.content_type, ASICS.content_type})
CHUNK = 64 * 1024


@dataclass(frozen=True)
class SignedUpload(CheckedUpload):
    """A checked upload whose signature was validated at the upload: stored with its result."""

    signature: signatures.Report | None = None


def is_signable(content_type: str) -> bool:
    """The kinds that carry a signature the portal checks: PDF (PAdES) and ASiC-E (XAdES)."""
    return content_type in SIGNABLE_CONTENT_TYPES


def validate_signature(source, name: str) -> signatures.Report:
    """The validator's report; its words are Latvian whatever the page's language (stored)."""
    with translation.override(settings.LANGUAGE_CODE):
        return signatures.validate(source, name)


def _report_fields(report: signatures.Report) -> dict:
    with translation.override(settings.LANGUAGE_CODE):
        summary = report.summary(private=True)
        for entry, signature in zip(summary["signatures"], report.signatures, strict=True):
            entry["words"] = signature.words
        return {
            "signature_status": str(report.status),
            "signature_words": report.words,
            "signature_report": summary,
            "signature_checked_at": timezone.now(),
        }


# --- At the upload --------------------------------------------------------------------------------


def refusal(checked: CheckedUpload, report: signatures.Report | None) -> str | None:
    """Why this file cannot be accepted where a signed document is required, or None."""
    if report is not None and report.status == signatures.Status.VALID:
        return None
    found = report.words if report is not None else _("Nav parakstīts")
    found = found[:1].lower() + found[1:]
    return _(
        "Datni „%(name)s” nevar pieņemt: %(found)s. Šeit jāiesniedz dokuments, kas parakstīts ar "
        "drošu elektronisko parakstu un laika zīmogu. Parakstiet to ar eParaksts "
        "(www.eparaksts.lv, eID karte vai eParaksts mobile) un iesniedziet iegūto .edoc datni "
        "vai parakstīto PDF."
    ) % {"name": checked.display_name, "found": found}


def with_signature(checked: CheckedUpload) -> SignedUpload:
    """The upload with its signature validated now (None for kinds that carry no signature)."""
    if isinstance(checked, SignedUpload):
        return checked
    report = None
    if is_signable(checked.content_type):
        report = validate_signature(
            getattr(checked.upload, "file", checked.upload), checked.display_name
        )
        checked.upload.seek(0)
    return SignedUpload(
        **{f: getattr(checked, f) for f in CheckedUpload.__dataclass_fields__}, signature=report
    )


def check_uploads(
    files, *, signature_required: bool = False
) -> tuple[list[CheckedUpload], list[str]]:
    """`manskonts.validation.validate_uploads` and, with `signature_required`, every file's
    signature: (checked files, error messages), all or nothing as there — store the files only
    when the error list is empty. Pass the checked files on to `submit_documents` (or
    `requisitions.services.save_draft`): a signature checked here is stored, not checked again.

    Request answers use it with `signature_required=item.signed_required`."""
    checked, errors = validate_uploads(files)
    if not signature_required:
        return checked, errors
    signed = [with_signature(item) for item in checked]
    errors = [*errors, *(m for item in signed if (m := refusal(item, item.signature)))]
    return signed, errors


def require_signatures(files: Iterable[CheckedUpload]) -> list[SignedUpload]:
    """Every file validly signed, or ValidationError with one message per file refused."""
    signed = [with_signature(item) for item in files]
    messages = [m for item in signed if (m := refusal(item, item.signature))]
    if messages:
        raise ValidationError(messages, code="signature_required")
    return signed


def prepare(document: Document, checked: CheckedUpload) -> None:
    """Before the record is created: the result checked at the upload, else pending (a task)."""
    report = getattr(checked, "signature", None)
    if report is not None:
        for name, value in _report_fields(report).items():
            setattr(document, name, value)
    elif is_signable(document.content_type):
        document.signature_status = SignatureStatus.PENDING


def schedule(documents: Iterable[Document]) -> None:
    """A check for each pending document, sent through the outbox once the caller commits."""
    for document in documents:
        if document.signature_status == SignatureStatus.PENDING:
            outbox.send_task(TASK, args=[document.pk])


# --- After the upload, and again ------------------------------------------------------------------


def check_stored(document_id: int) -> Document | None:
    """Validate a stored document's file and record the result (the task; the command). Safe to
    run twice. A document gone, deleted or without its object is left as it is."""
    document = Document.objects.filter(pk=document_id).first()
    if document is None or document.is_deleted or not document.file:
        log.info("signature check skipped document_id=%s", document_id)
        return None
    source = open_stored(document.file.name, document.file.storage)
    if source is None:
        log.warning("signature check: stored object missing document_id=%s", document_id)
        return None
    with source:
        report = validate_signature(source, document.original_name)
    fields = _report_fields(report)
    with transaction.atomic():
        updated = Document.objects.filter(pk=document.pk, deleted_at__isnull=True).update(**fields)
    if updated:
        for name, value in fields.items():
            setattr(document, name, value)
    log.info("signature checked document_id=%s status=%s", document.pk, report.status)
    return document


def revalidate(queryset=None) -> dict[str, int]:
    """Check again every stored PDF and ASiC-E document (or those of `queryset`): after the
    trust store changed. Returns how many ended in each status."""
    queryset = queryset if queryset is not None else Document.objects.all()
    ids = (
        queryset.available()
        .exclude(file="")
        .filter(content_type__in=SIGNABLE_CONTENT_TYPES)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    counts: dict[str, int] = {}
    for pk in ids.iterator(chunk_size=500):
        document = check_stored(pk)
        if document is not None:
            counts[document.signature_status] = counts.get(document.signature_status, 0) + 1
    return counts


# --- Data files inside a container ----------------------------------------------------------------


@dataclass(frozen=True)
class ContainerFile:
    name: str  # as shown and in the download's name (safe_display_name of the member's last part)
    size: int
    stream: Iterator[bytes]


def open_container_file(document: Document, index: int) -> ContainerFile | None:
    """The `index`-th data file of a stored ASiC container (as the signature report lists
    them), streamed; None when there is no such file. The container passed the upload's bounded
    checks; zipfile never yields more than a member declares."""
    listed = document.container_files
    if not 0 <= index < len(listed) or not document.file:
        return None
    member_name = listed[index]["name"]
    source = open_stored(document.file.name, document.file.storage)
    if source is None:
        return None
    try:
        archive = zipfile.ZipFile(source)
        info = archive.getinfo(member_name)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError):
        source.close()
        return None
    if info.is_dir() or info.filename == "mimetype" or info.filename.startswith("META-INF/"):
        source.close()
        return None

    def chunks() -> Iterator[bytes]:
        try:
            with archive.open(info) as member:
                while chunk := member.read(CHUNK):
                    yield chunk
        finally:
            archive.close()
            source.close()

    shown = safe_display_name(member_name.rsplit("/", 1)[-1])
    return ContainerFile(name=shown, size=info.file_size, stream=chunks())
