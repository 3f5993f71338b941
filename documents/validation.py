"""Upload validation: an allow-list checked by content, a size and a count limit, safe names.

What a file is comes from its bytes (magic numbers; for ZIP-based formats, what is inside the
archive), never from its name or the Content-Type the browser sent. The name only has to agree with
the content: `x.pdf.html` holding a PDF is refused, as is HTML renamed `.pdf`.

Use from a view or a form:

    validate_upload_count(files)            # raises ValidationError (too many / none)
    checked = validate_upload(upload)       # -> CheckedUpload, or raises ValidationError

Messages are Latvian, GOV.UK style ("Datnei … jābūt …"), and name the file.
"""

from __future__ import annotations

import re
import unicodedata
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

HEAD_BYTES = 4096
DISPLAY_NAME_MAX = 150
FALLBACK_NAME = "datne"


@dataclass(frozen=True)
class FileKind:
    code: str
    label: str
    content_type: str
    extensions: frozenset[str]


def _kind(code: str, label: str, content_type: str, *extensions: str) -> FileKind:
    return FileKind(code, label, content_type, frozenset(extensions))


PDF = _kind("pdf", "PDF", "application/pdf", "pdf")
JPEG = _kind("jpeg", "JPEG", "image/jpeg", "jpg", "jpeg", "jpe", "jfif")
PNG = _kind("png", "PNG", "image/png", "png")
TIFF = _kind("tiff", "TIFF", "image/tiff", "tif", "tiff")
DOCX = _kind(
    "docx",
    "DOCX",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "docx",
    "zip",
)
XLSX = _kind(
    "xlsx",
    "XLSX",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "xlsx",
    "zip",
)
ODT = _kind("odt", "ODT", "application/vnd.oasis.opendocument.text", "odt", "zip")
ASICE = _kind(
    "asice",
    "ASiC-E (EDOC)",
    "application/vnd.etsi.asic-e+zip",
    "asice",
    "sce",
    "edoc",
    "bdoc",
    "zip",
)
ZIP = _kind("zip", "ZIP", "application/zip", "zip")
DWG = _kind("dwg", "DWG", "image/vnd.dwg", "dwg")
DXF = _kind("dxf", "DXF", "image/vnd.dxf", "dxf")

ALLOWED_KINDS: tuple[FileKind, ...] = (PDF, JPEG, PNG, TIFF, DOCX, XLSX, ODT, ZIP, DWG, DXF, ASICE)
ALLOWED_LABELS = "PDF, JPEG, PNG, TIFF, DOCX, XLSX, ODT, ZIP, DWG, DXF vai ASiC-E (EDOC)"
# What the file picker offers; only a convenience, the server decides by content.
ACCEPT_ATTRIBUTE = ",".join(
    sorted({f".{ext}" for kind in ALLOWED_KINDS for ext in kind.extensions})
)

ODF_TEXT_MIMETYPE = b"application/vnd.oasis.opendocument.text"
ASICE_MIMETYPE = b"application/vnd.etsi.asic-e+zip"
# DWG: "AC" and a four-character version (AC1015 = AutoCAD 2000 … AC1032 = 2018, AC2.10 = 2.1).
DWG_MAGIC = re.compile(rb"\AAC(?:1\d{3}|[12]\.\d{2})")
# ASCII DXF: group code 0 then SECTION, optionally after 999 comment lines.
DXF_ASCII = re.compile(rb"\A\s*(?:999\r?\n[^\r\n]*\r?\n\s*)*0\r?\nSECTION\r?\n")
DXF_BINARY = b"AutoCAD Binary DXF\r\n\x1a\x00"


@dataclass(frozen=True)
class CheckedUpload:
    """An uploaded file that passed every check: store `upload` under a generated key."""

    upload: UploadedFile
    display_name: str
    kind: FileKind
    size: int

    @property
    def content_type(self) -> str:
        return self.kind.content_type


def safe_display_name(name: str | None, kind: FileKind | None = None) -> str:
    """The name shown to people and put in download headers: never a path, no control or
    direction-override characters, normalised Unicode, at most DISPLAY_NAME_MAX characters with
    the extension kept. Never used as a storage path."""
    name = unicodedata.normalize("NFC", name or "")
    # Only the last path component, whatever the separator the client's system used.
    name = re.split(r"[/\\]", name)[-1]
    # Drop control, format (e.g. U+202E right-to-left override), surrogate and private-use chars.
    name = "".join(
        " " if ch.isspace() else ch
        for ch in name
        if ch.isspace() or not unicodedata.category(ch).startswith("C")
    )
    name = re.sub(r"\s+", " ", name).strip(" .")
    stem, dot, ext = name.rpartition(".")
    if not dot:
        stem, ext = name, ""
    ext = ext[:10]
    if kind is not None and not ext:
        ext = sorted(kind.extensions - {"zip"} or kind.extensions)[0]
    stem = stem.strip(" .") or FALLBACK_NAME
    budget = DISPLAY_NAME_MAX - (len(ext) + 1 if ext else 0)
    stem = stem[:budget].rstrip(" .") or FALLBACK_NAME
    return f"{stem}.{ext}" if ext else stem


def _extension(name: str) -> str:
    suffix = PurePosixPath(name).suffix
    return suffix[1:].lower() if suffix else ""


def _inspect_zip(upload: UploadedFile) -> FileKind | None:
    """What a ZIP archive holds: an OOXML or ODF document, a signed ASiC-E container, or a ZIP."""
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            infos = archive.infolist()
            names = {info.filename for info in infos}
            mimetype = archive.getinfo("mimetype") if "mimetype" in names else None
            if mimetype is not None and mimetype.file_size <= 256:
                declared = archive.read(mimetype).strip()
                if declared == ODF_TEXT_MIMETYPE:
                    return ODT
                if declared == ASICE_MIMETYPE:
                    return ASICE
                return None  # another ODF/ASiC flavour (e.g. a spreadsheet): not on the list
            if "[Content_Types].xml" in names:
                if any(name.lower().endswith("vbaproject.bin") for name in names):
                    return None  # macro-enabled Office documents are not accepted
                if any(name.startswith("word/") for name in names):
                    return DOCX
                if any(name.startswith("xl/") for name in names):
                    return XLSX
                return None
            return ZIP
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, KeyError, ValueError):
        return None
    finally:
        upload.seek(0)


def detect_kind(upload: UploadedFile) -> FileKind | None:
    """The allowed kind the file's bytes show it to be, or None."""
    upload.seek(0)
    head = upload.read(HEAD_BYTES)
    upload.seek(0)
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith((b"II*\x00", b"MM\x00*")):
        return TIFF
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return _inspect_zip(upload)
    if DWG_MAGIC.match(head):
        return DWG
    if head.startswith(DXF_BINARY) or DXF_ASCII.match(head):
        return DXF
    return None


def validate_upload(upload: UploadedFile) -> CheckedUpload:
    """Check one uploaded file; raise ValidationError with a Latvian message naming it."""
    shown = safe_display_name(getattr(upload, "name", ""))
    size = upload.size or 0
    if size == 0:
        raise ValidationError(
            _("Datne „%(name)s” ir tukša. Izvēlieties datni, kurā ir saturs.") % {"name": shown},
            code="empty",
        )
    limit = settings.FILE_UPLOAD_MAX_BYTES
    if size > limit:
        raise ValidationError(
            _("Datnei „%(name)s” jābūt mazākai par %(limit)s.")
            % {"name": shown, "limit": filesizeformat(limit)},
            code="too_big",
        )
    kind = detect_kind(upload)
    if kind is None:
        raise ValidationError(
            _("Datnei „%(name)s” jābūt %(types)s formātā.")
            % {"name": shown, "types": ALLOWED_LABELS},
            code="wrong_type",
        )
    extension = _extension(shown)
    if extension and extension not in kind.extensions:
        raise ValidationError(
            _(
                "Datnes „%(name)s” nosaukuma paplašinājums neatbilst tās saturam (%(kind)s). "
                "Pārsauciet datni vai izvēlieties citu."
            )
            % {"name": shown, "kind": kind.label},
            code="name_mismatch",
        )
    return CheckedUpload(
        upload=upload, display_name=safe_display_name(shown, kind), kind=kind, size=size
    )


def validate_upload_count(files: Sequence[UploadedFile]) -> None:
    """At least one file and at most FILE_UPLOAD_MAX_FILES in one request."""
    if not files:
        raise ValidationError(_("Izvēlieties vismaz vienu datni."), code="required")
    limit = settings.FILE_UPLOAD_MAX_FILES
    if len(files) > limit:
        raise ValidationError(
            _("Vienā reizē var iesniegt ne vairāk kā %(limit)s datnes. Jūs izvēlējāties %(count)s.")
            % {"limit": limit, "count": len(files)},
            code="too_many",
        )


def validate_uploads(files: Sequence[UploadedFile]) -> tuple[list[CheckedUpload], list[str]]:
    """Check the count and every file; returns (checked files, error messages). All or nothing:
    store the checked files only when the error list is empty."""
    try:
        validate_upload_count(files)
    except ValidationError as error:
        return [], list(error.messages)
    checked: list[CheckedUpload] = []
    errors: list[str] = []
    for upload in files:
        try:
            checked.append(validate_upload(upload))
        except ValidationError as error:
            errors.extend(error.messages)
    return checked, errors
