"""Offline validation of signed documents: ASiC-E / ASiC-S with XAdES, and PAdES PDFs.

    from signatures import validate
    report = validate(path_or_bytes_or_file, "iesniegums.edoc")
    report.status      # Status.VALID, INVALID, UNTRUSTED, NO_TIMESTAMP, UNSIGNED or MALFORMED
    report.words       # "Parakstīts — Jānis Bērziņš, 05.03.2026 14:02, ar laika zīmogu"
    report.signatures  # one SignatureResult each: signer, time, time-stamped?, status, reason
    report.data_files  # the files inside a container
    report.summary()   # JSON for staff; personal codes only with private=True

Trust comes from settings.SIGNATURE_TRUST_STORE (a folder of certificates) or the trust_store
argument; nothing is fetched over the network. Imports no project app (core's layer + 1).
"""

from __future__ import annotations

import io
import logging
import os
from pathlib import Path
from typing import BinaryIO

from signatures import asic, pades, reasons
from signatures._sync import outside_event_loop
from signatures.report import DataFile, Kind, Report, SignatureResult, Status
from signatures.trust import TrustStore, default_store

__all__ = ["DataFile", "Kind", "Report", "SignatureResult", "Status", "TrustStore", "validate"]

logger = logging.getLogger(__name__)

SIGNED_SUFFIXES = frozenset({".edoc", ".asice", ".sce", ".asics", ".scs", ".bdoc", ".pdf"})
PDF_HEADER_WITHIN = 1024  # a PDF's %PDF- may follow up to 1 kB of junk (readers accept it)


def validate(
    source: bytes | str | os.PathLike | BinaryIO,
    name: str = "",
    *,
    trust_store: TrustStore | str | os.PathLike | None = None,
) -> Report:
    """What is signed in this file, by whom and when; never raises for what the file holds."""
    if trust_store is None:
        trust = default_store()
    elif isinstance(trust_store, TrustStore):
        trust = trust_store
    else:
        trust = TrustStore.from_folder(trust_store)
    if isinstance(source, bytes | bytearray | memoryview):
        with io.BytesIO(bytes(source)) as stream:
            return _validate(stream, name, trust)
    if isinstance(source, str | os.PathLike):
        with open(source, "rb") as stream:
            return _validate(stream, name or Path(source).name, trust)
    source.seek(0)
    return _validate(source, name, trust)


def _validate(stream: BinaryIO, name: str, trust: TrustStore) -> Report:
    # pyHanko's synchronous validation calls asyncio.run: never from a thread running a loop.
    return outside_event_loop(_validate_here, stream, name, trust)


def _validate_here(stream: BinaryIO, name: str, trust: TrustStore) -> Report:
    size = stream.seek(0, io.SEEK_END)
    stream.seek(0)
    head = stream.read(PDF_HEADER_WITHIN)
    stream.seek(0)
    try:
        if head.startswith(b"PK\x03\x04"):
            return asic.validate(stream, size, trust)
        if b"%PDF-" in head:
            return pades.validate(stream, trust)
    except Exception as error:  # the last net: a report, never a 500
        logger.warning("Signature validation failed on %r", name, exc_info=True)
        report = Report(status=Status.MALFORMED, kind=Kind.OTHER, reason=str(reasons.ZIP_BROKEN))
        report.details.append(f"error: {error!r}"[:500])
        return report
    if Path(name).suffix.lower() in SIGNED_SUFFIXES:
        return Report(status=Status.MALFORMED, kind=Kind.OTHER, reason=str(reasons.NOT_A_CONTAINER))
    return Report(status=Status.UNSIGNED, kind=Kind.OTHER)
