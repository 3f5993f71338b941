"""Upload validation: an allow-list checked by content, a size and a count limit, safe names.

What a file is comes from its bytes (magic numbers; for ZIP-based formats, what is inside the
archive), never from its name or the Content-Type the browser sent. The name only has to agree with
the content: `x.pdf.html` holding a PDF is refused, as is HTML renamed `.pdf`.

Use from a view or a form:

    validate_upload_count(files)            # raises ValidationError (too many / none)
    checked = validate_upload(upload)       # -> CheckedUpload, or raises ValidationError

Messages are Latvian, GOV.UK style ("Datnei … jābūt …"), and name the file.

Containers (ZIP, DOCX, XLSX, ODT, ASiC-E) are inspected at bounded cost: their directory is read
by manskonts/containers.py before zipfile lists it, and refused over the CONTAINER_* limits below
(entries, unpacked size, compression ratio, nested archives), each with its own message.
"""

from __future__ import annotations

import re
import struct
import tempfile
import unicodedata
import zipfile
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import IO, NoReturn

from django.conf import settings
from django.contrib.humanize.templatetags.humanize import intcomma
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from manskonts.containers import (
    LOCAL_HEADER_SIZE,
    Directory,
    DirectoryError,
    Entry,
    Window,
    data_start,
    read_directory,
)
from manskonts.templatetags.manskonts import file_size

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
# ASiC-S: one data file and its signature (eParaksts makes ASiC-E; other EU tools may make these).
ASICS = _kind("asics", "ASiC-S", "application/vnd.etsi.asic-s+zip", "asics", "scs", "zip")
ZIP = _kind("zip", "ZIP", "application/zip", "zip")
DWG = _kind("dwg", "DWG", "image/vnd.dwg", "dwg")
DXF = _kind("dxf", "DXF", "image/vnd.dxf", "dxf")

ALLOWED_KINDS: tuple[FileKind, ...] = (
    PDF, JPEG, PNG, TIFF, DOCX, XLSX, ODT, ZIP, DWG, DXF, ASICE, ASICS
)  # fmt: skip
ALLOWED_LABELS = "PDF, JPEG, PNG, TIFF, DOCX, XLSX, ODT, ZIP, DWG, DXF, ASiC-E (EDOC) vai ASiC-S"
# What the file picker offers; only a convenience, the server decides by content.
ACCEPT_ATTRIBUTE = ",".join(
    sorted({f".{ext}" for kind in ALLOWED_KINDS for ext in kind.extensions})
)

ODF_TEXT_MIMETYPE = b"application/vnd.oasis.opendocument.text"
ASICE_MIMETYPE = b"application/vnd.etsi.asic-e+zip"
ASICS_MIMETYPE = b"application/vnd.etsi.asic-s+zip"
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


# Containers (ZIP, DOCX, XLSX, ODT, ASiC-E) are inspected at bounded cost, whatever they hold:
# the directory is read first (manskonts/containers.py) and refused over these limits before
# zipfile lists it; only a few hundred bytes of each member and at most NESTED_INFLATE_MAX of
# nested documents are ever decompressed, so one file costs well under 1 s of CPU and 50 MB
# (bench/validation.py prints the worst cases).
CONTAINER_MAX_ENTRIES = 10_000  # members in one file, nested documents' members included
CONTAINER_MAX_DIRECTORY_BYTES = 4 * 1024 * 1024  # 10,000 records with 400-byte names
CONTAINER_MAX_UNCOMPRESSED = 500 * 1024 * 1024  # declared size of everything unpacked
CONTAINER_MAX_RATIO = 100  # uncompressed : compressed, per member over RATIO_FLOOR
CONTAINER_MAX_OVERALL_RATIO = 50  # the same over the whole file, when it unpacks to > 10 MB
RATIO_FLOOR = 1024 * 1024
OVERALL_RATIO_FLOOR = 10 * 1024 * 1024
NESTED_INFLATE_MAX = 20 * 1024 * 1024  # nested documents decompressed to be inspected, in all
SNIFF_BYTES = 262  # enough for every archive signature below, tar's at 257 included
SUPPORTED_METHODS = frozenset({zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED})
ARCHIVE_MAGIC = (
    b"PK\x03\x04",  # ZIP (and every OOXML / ODF / ASiC package)
    b"PK\x05\x06",  # empty ZIP
    b"PK\x07\x08",  # spanned ZIP
    b"\x1f\x8b",  # gzip
    b"7z\xbc\xaf\x27\x1c",
    b"Rar!\x1a\x07",
    b"BZh",
    b"\xfd7zXZ\x00",
    b"\x28\xb5\x2f\xfd",  # zstd
    b"MSCF",  # cabinet
)
ZIP_MAGIC = ARCHIVE_MAGIC[:3]
ARCHIVE_EXTENSIONS = frozenset(
    {"zip", "7z", "rar", "gz", "tgz", "bz2", "tbz2", "xz", "txz", "zst", "tar", "cab", "jar", "z"}
)
BAD_ZIP = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    OSError,
    EOFError,
    KeyError,
    ValueError,
    NotImplementedError,
    RuntimeError,
    zlib.error,
    struct.error,
)


def _is_archive(name: str, head: bytes) -> bool:
    return (
        head.startswith(ARCHIVE_MAGIC)
        or head[257:262] == b"ustar"
        or (_extension(name) in ARCHIVE_EXTENSIONS)
    )


def _is_package(names: set[str]) -> bool:
    """An OOXML or ODF/ASiC document, as opposed to a plain archive."""
    return "[Content_Types].xml" in names or "mimetype" in names


class _ContainerCheck:
    """The limits over one uploaded file: its own members and those of documents nested in it
    (a DOCX signed in an ASiC-E container, a chart's workbook embedded in a DOCX), one level deep.
    Every refusal is a ValidationError naming the uploaded file."""

    def __init__(self, shown: str):
        self.shown = shown
        self.entries_left = CONTAINER_MAX_ENTRIES
        self.unpacked_left = CONTAINER_MAX_UNCOMPRESSED
        self.inflate_left = NESTED_INFLATE_MAX

    def refuse(self, message: str, code: str, **params) -> NoReturn:
        raise ValidationError(message % {"name": self.shown, **params}, code=code)

    def too_many(self) -> NoReturn:
        self.refuse(
            _(
                "Datnē „%(name)s” ir vairāk nekā %(limit)s iekļauto datņu. "
                "Sadaliet to vairākās datnēs."
            ),
            "too_many_entries",
            limit=intcomma(CONTAINER_MAX_ENTRIES),
        )

    def too_big(self) -> NoReturn:
        self.refuse(
            _(
                "Datnes „%(name)s” saturs pēc izpakošanas pārsniegtu %(limit)s. "
                "Sadaliet to vairākās datnēs."
            ),
            "too_big_unpacked",
            limit=file_size(CONTAINER_MAX_UNCOMPRESSED),
        )

    def too_compressed(self) -> NoReturn:
        self.refuse(
            _(
                "Datne „%(name)s” ir saspiesta neparasti cieši (vairāk nekā %(ratio)s reizes) "
                "un var būt bīstama, tāpēc to nevar pieņemt."
            ),
            "compression_ratio",
            ratio=CONTAINER_MAX_RATIO,
        )

    def nested(self, inner: str) -> NoReturn:
        self.refuse(
            _(
                "Datnē „%(name)s” ir ievietots arhīvs „%(inner)s”. "
                "Iesniedziet tā saturu atsevišķi, bez ievietotiem arhīviem."
            ),
            "nested_archive",
            inner=safe_display_name(inner),
        )

    def encrypted(self) -> NoReturn:
        self.refuse(
            _(
                "Datne „%(name)s” ir aizsargāta ar paroli, tāpēc to nevar pārbaudīt. "
                "Iesniedziet to bez paroles."
            ),
            "encrypted",
        )

    def unsupported_method(self) -> NoReturn:
        self.refuse(
            _(
                "Datnē „%(name)s” izmantota neatbalstīta saspiešanas metode. "
                "Saspiediet datnes no jauna ar parasto ZIP (Deflate) saspiešanu."
            ),
            "compression_method",
        )

    def inspect(self, fp: IO[bytes], size: int, *, nested: bool) -> FileKind | None:
        """The kind of the archive in `fp`, after every limit; None if it is no readable ZIP."""
        try:
            directory = read_directory(
                fp,
                size,
                max_entries=self.entries_left,
                max_directory_bytes=CONTAINER_MAX_DIRECTORY_BYTES,
            )
        except DirectoryError as error:
            if error.too_many:
                self.too_many()
            return None
        entries = directory.entries
        self.entries_left -= len(entries)
        self._check_sizes(entries, directory)
        try:
            with zipfile.ZipFile(fp) as archive:
                infos = archive.infolist()
                if len(infos) != len(entries):
                    return None
                kind = self._kind(archive, {info.filename for info in infos})
                for info in infos:
                    if not info.is_dir() and info.compress_size:
                        self._check_member(archive, info, fp, nested=nested)
                return kind
        except BAD_ZIP:
            return None

    def _check_sizes(self, entries: list[Entry], directory: Directory) -> None:
        """The declared sizes: total unpacked, compression ratios, and members that overlap
        (the same compressed bytes listed many times) or lie outside the data."""
        unpacked = compressed = 0
        for entry in entries:
            if entry.flags & 0x1:
                self.encrypted()
            if entry.method not in SUPPORTED_METHODS:
                self.unsupported_method()
            if entry.uncompressed > RATIO_FLOOR and (
                entry.uncompressed > CONTAINER_MAX_RATIO * max(entry.compressed, 1)
            ):
                self.too_compressed()
            if entry.offset + LOCAL_HEADER_SIZE + entry.compressed > directory.start:
                self.refuse_damaged()
            unpacked += entry.uncompressed
            compressed += entry.compressed + LOCAL_HEADER_SIZE
        if unpacked > self.unpacked_left:
            self.too_big()
        self.unpacked_left -= unpacked
        if unpacked > OVERALL_RATIO_FLOOR and unpacked > CONTAINER_MAX_OVERALL_RATIO * max(
            compressed, 1
        ):
            self.too_compressed()
        if compressed > directory.start - directory.prepended:
            self.refuse_damaged()

    def refuse_damaged(self) -> NoReturn:
        self.refuse(
            _(
                "Datnes „%(name)s” uzbūve ir bojāta vai neparasta (tās daļas pārklājas), "
                "tāpēc to nevar pieņemt."
            ),
            "damaged",
        )

    @staticmethod
    def _kind(archive: zipfile.ZipFile, names: set[str]) -> FileKind | None:
        """What the archive holds: an OOXML or ODF document, an ASiC-E or ASiC-S container, a ZIP."""
        if "mimetype" in names:
            with archive.open("mimetype") as member:
                declared = member.read(257)  # bounded, whatever size the directory declares
            if len(declared) > 256:
                return None
            declared = declared.strip()
            if declared == ODF_TEXT_MIMETYPE:
                return ODT
            if declared == ASICE_MIMETYPE:
                return ASICE
            if declared == ASICS_MIMETYPE:
                return ASICS
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

    def _check_member(
        self, archive: zipfile.ZipFile, info: zipfile.ZipInfo, fp: IO[bytes], *, nested: bool
    ) -> None:
        """No archive inside, except a document (OOXML / ODF) one level down that passes the same
        limits; its members count towards this file's."""
        with archive.open(info) as member:
            head = member.read(SNIFF_BYTES)
        if not _is_archive(info.filename, head):
            return
        if (
            nested
            or not head.startswith(ZIP_MAGIC)
            or _extension(info.filename) in ARCHIVE_EXTENSIONS
        ):
            self.nested(info.filename)
        if info.compress_type == zipfile.ZIP_STORED:
            try:
                start = data_start(fp, info.header_offset)
            except DirectoryError:
                self.refuse_damaged()
            size = info.compress_size
            self._check_package(Window(fp, start, size), size, info.filename)
            return
        if info.file_size > self.inflate_left:
            self.nested(info.filename)
        with tempfile.SpooledTemporaryFile(max_size=1024 * 1024) as inner:
            with archive.open(info) as member:
                copied = 0
                while chunk := member.read(64 * 1024):
                    copied += len(chunk)
                    if copied > self.inflate_left:
                        self.nested(info.filename)
                    inner.write(chunk)
            self.inflate_left -= copied
            self._check_package(inner, copied, info.filename)

    def _check_package(self, inner: IO[bytes], size: int, name: str) -> None:
        kind = self.inspect(inner, size, nested=True)
        if kind is None or kind is ZIP:
            self.nested(name)


def _inspect_zip(upload: UploadedFile, shown: str) -> FileKind | None:
    """What a ZIP archive holds, checked at bounded cost (see _ContainerCheck)."""
    upload.seek(0)
    try:
        return _ContainerCheck(shown).inspect(upload, upload.size, nested=False)
    finally:
        upload.seek(0)


def detect_kind(upload: UploadedFile, shown: str = "") -> FileKind | None:
    """The allowed kind the file's bytes show it to be, or None; a container over the limits
    raises ValidationError naming it as `shown`."""
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
        return _inspect_zip(upload, shown or FALLBACK_NAME)
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
            % {"name": shown, "limit": file_size(limit)},
            code="too_big",
        )
    kind = detect_kind(upload, shown)
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
        raise ValidationError(too_many_files_message(len(files), limit), code="too_many")


def too_many_files_message(count: int | None, limit: int) -> str:
    """More files than `limit` in one request; `count` if known."""
    if count is None:
        return _("Vienā reizē var iesniegt ne vairāk kā %(limit)s datnes.") % {"limit": limit}
    return _(
        "Vienā reizē var iesniegt ne vairāk kā %(limit)s datnes. Jūs izvēlējāties %(count)s."
    ) % {"limit": limit, "count": count}


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
