"""ASiC-E and ASiC-S containers (ETSI EN 319 162) with XAdES signatures, read at bounded cost.

Before zipfile reads the central directory, the end record's counts are checked; then every
member's declared size and ratio; then only the members a signature references are read, each
once per digest algorithm, streamed (zipfile never yields more than a member declares).
"""

from __future__ import annotations

import hashlib
import re
import zipfile
from typing import BinaryIO

from lxml import etree

from manskonts.containers import DirectoryError, read_directory
from manskonts.validation import (
    CONTAINER_MAX_DIRECTORY_BYTES,
    CONTAINER_MAX_ENTRIES,
    CONTAINER_MAX_OVERALL_RATIO,
    CONTAINER_MAX_RATIO,
    CONTAINER_MAX_UNCOMPRESSED,
    OVERALL_RATIO_FLOOR,
    RATIO_FLOOR,
    SUPPORTED_METHODS,
)
from signatures import reasons, xades
from signatures.report import DataFile, Kind, Report, SignatureResult, Status, worst
from signatures.trust import TrustStore

# The upload check's bounds (manskonts/validation.py), one set for both: an ASiC container is far
# inside them.
MAX_ENTRIES = CONTAINER_MAX_ENTRIES
MAX_DIRECTORY_BYTES = CONTAINER_MAX_DIRECTORY_BYTES
MAX_UNCOMPRESSED = CONTAINER_MAX_UNCOMPRESSED
MAX_RATIO = CONTAINER_MAX_RATIO  # per member over RATIO_FLOOR
MAX_OVERALL_RATIO = CONTAINER_MAX_OVERALL_RATIO  # over the container past OVERALL_RATIO_FLOOR
MAX_METADATA_BYTES = 5 * 1024 * 1024  # manifest.xml and each signatures*.xml
CHUNK = 1024 * 1024

ASICE_MIMETYPE = b"application/vnd.etsi.asic-e+zip"
ASICS_MIMETYPE = b"application/vnd.etsi.asic-s+zip"
SIGNATURE_FILE = re.compile(r"META-INF/[^/]*signatures[^/]*\.xml", re.IGNORECASE)
CADES_FILE = re.compile(r"META-INF/[^/]*signature[^/]*\.p7s", re.IGNORECASE)


class Refused(Exception):
    def __init__(self, reason, status: Status = Status.MALFORMED):
        super().__init__(reason)
        self.reason, self.status = reason, status


def validate(stream: BinaryIO, size: int, trust: TrustStore) -> Report:
    try:
        return _validate(stream, size, trust)
    except Refused as refused:
        return Report(status=refused.status, kind=Kind.ASICE, reason=str(refused.reason))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError) as error:
        # a CRC mismatch or a truncated member, found while reading it
        report = Report(status=Status.MALFORMED, kind=Kind.ASICE, reason=str(reasons.ZIP_BROKEN))
        report.details.append(f"zip: {error}")
        return report


def _validate(stream: BinaryIO, size: int, trust: TrustStore) -> Report:
    _check_end_record(stream, size)
    archive = zipfile.ZipFile(stream)
    members = archive.infolist()
    _check_members(members, size)
    names = [m.filename for m in members]
    data_files = [
        m
        for m in members
        if not m.is_dir() and m.filename != "mimetype" and not m.filename.startswith("META-INF/")
    ]
    signature_files = [m for m in members if SIGNATURE_FILE.fullmatch(m.filename)]

    kind = _mimetype(archive, members, signature_files)
    report = Report(
        status=Status.UNSIGNED,
        kind=kind,
        data_files=[DataFile(m.filename, m.file_size) for m in data_files],
    )
    if kind == Kind.OTHER:
        report.reason = str(reasons.NOT_A_CONTAINER)
        return report  # a plain ZIP: nothing in it is signed
    if not signature_files:
        if any(CADES_FILE.fullmatch(n) for n in names):
            raise Refused(reasons.UNSUPPORTED_FORMAT)
        return report
    if kind == Kind.ASICE:
        _check_manifest(archive, names, data_files)
    elif len(data_files) != 1:
        raise Refused(reasons.ZIP_BROKEN)  # ASiC-S holds exactly one data object

    data = {m.filename: m for m in data_files}
    digests: dict[tuple[str, str], bytes] = {}

    def data_digest(name: str, algorithm: str) -> bytes | None:
        if name not in data:
            return None
        if (name, algorithm) not in digests:
            digest = hashlib.new(algorithm)
            with archive.open(data[name]) as member:
                while chunk := member.read(CHUNK):
                    digest.update(chunk)
            digests[name, algorithm] = digest.digest()
        return digests[name, algorithm]

    for member in signature_files:
        try:
            elements = xades.parse_signature_file(_read_small(archive, member))
        except xades.Broken as error:
            report.signatures.append(
                SignatureResult(status=Status.MALFORMED, reason=str(error.args[0]))
            )
            continue
        for element in elements:
            report.signatures.append(xades.verify(element, data_digest, trust))

    report.status = worst([s.status for s in report.signatures])
    if report.status == Status.MALFORMED:
        report.reason = next(s.reason for s in report.signatures if s.status == Status.MALFORMED)
    covered = {name for s in report.signatures for name in s.covers}
    uncovered = [m.filename for m in data_files if m.filename not in covered]
    if uncovered and report.status not in (Status.MALFORMED, Status.INVALID):
        report.status = Status.INVALID
        report.reason = str(reasons.FILE_NOT_COVERED % {"name": uncovered[0]})
    return report


def _check_end_record(stream: BinaryIO, size: int) -> None:
    """The directory read at bounded cost by the core's reader (manskonts/containers.py), the
    same one the upload check uses, before zipfile reads it; the members' declared sizes are
    checked next (_check_members)."""
    try:
        read_directory(
            stream, size, max_entries=MAX_ENTRIES, max_directory_bytes=MAX_DIRECTORY_BYTES
        )
    except DirectoryError as error:
        raise Refused(reasons.ZIP_TOO_LARGE if error.too_many else reasons.ZIP_BROKEN) from error
    stream.seek(0)


def _check_members(members: list[zipfile.ZipInfo], size: int) -> None:
    if len(members) > MAX_ENTRIES:
        raise Refused(reasons.ZIP_TOO_LARGE)  # the end record lied about the count
    names = [m.filename for m in members]
    if len(set(names)) != len(names):
        raise Refused(reasons.ZIP_BROKEN)  # two members of one name: which one was signed?
    total = 0
    for member in members:
        if member.flag_bits & 0x1 or member.compress_type not in SUPPORTED_METHODS:
            raise Refused(reasons.ZIP_BROKEN)
        if member.filename.startswith("/") or ".." in member.filename.split("/"):
            raise Refused(reasons.ZIP_BROKEN)
        total += member.file_size
        if member.file_size > RATIO_FLOOR and member.file_size > MAX_RATIO * max(
            member.compress_size, 1
        ):
            raise Refused(reasons.ZIP_TOO_LARGE)
    if total > MAX_UNCOMPRESSED or (
        total > OVERALL_RATIO_FLOOR and total > MAX_OVERALL_RATIO * max(size, 1)
    ):
        raise Refused(reasons.ZIP_TOO_LARGE)


def _mimetype(archive, members, signature_files) -> Kind:
    first = members[0] if members else None
    if first is None or first.filename != "mimetype":
        if any(m.filename == "mimetype" for m in members) or signature_files:
            raise Refused(reasons.MIMETYPE_WRONG)
        return Kind.OTHER
    if first.compress_type != zipfile.ZIP_STORED or first.file_size > 100:
        raise Refused(reasons.MIMETYPE_WRONG)
    value = archive.read(first).strip()
    if value == ASICE_MIMETYPE:
        return Kind.ASICE
    if value == ASICS_MIMETYPE:
        return Kind.ASICS
    if signature_files:
        raise Refused(reasons.MIMETYPE_WRONG)
    return Kind.OTHER  # an ODF or other mimetype-first ZIP


def _read_small(archive, member) -> bytes:
    if member.file_size > MAX_METADATA_BYTES:
        raise xades.Broken(reasons.XML_TOO_LARGE)
    return archive.read(member)


def _check_manifest(archive, names, data_files) -> None:
    if "META-INF/manifest.xml" not in names:
        raise Refused(reasons.MANIFEST_MISSING)
    member = archive.getinfo("META-INF/manifest.xml")
    try:
        root = _parse(_read_small(archive, member))
    except xades.Broken as error:
        raise Refused(reasons.MANIFEST_MISSING) from error
    listed = {
        element.get(f"{{{MANIFEST}}}full-path")
        for element in root.iter(f"{{{MANIFEST}}}file-entry")
    }
    missing = [m.filename for m in data_files if m.filename not in listed]
    if missing:
        raise Refused(reasons.MANIFEST_MISSING)


MANIFEST = "urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"


def _parse(data: bytes):
    try:
        root = etree.fromstring(data, xades.PARSER)
    except (etree.XMLSyntaxError, ValueError) as error:
        raise xades.Broken(reasons.XML_BROKEN) from error
    if root.getroottree().docinfo.doctype:
        raise xades.Broken(reasons.XML_BROKEN)
    return root
