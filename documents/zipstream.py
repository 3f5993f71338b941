"""A ZIP written as it is sent: no temporary file, memory bounded by one chunk."""

from __future__ import annotations

import logging
import zipfile
from collections.abc import Iterable, Iterator

from django.utils import timezone

from documents.models import Document
from manskonts.storage import open_stored
from manskonts.validation import safe_display_name

log = logging.getLogger("manskonts.documents")

CHUNK = 64 * 1024


class _Sink:
    """A write-only, non-seekable file for zipfile; what was written is taken out after each step."""

    def __init__(self) -> None:
        self._chunks: list[bytes] = []

    def write(self, data) -> int:
        self._chunks.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def take(self) -> bytes:
        data = b"".join(self._chunks)
        self._chunks.clear()
        return data


def unique_names(documents: Iterable[Document]) -> list[tuple[Document, str]]:
    """Safe, distinct names inside the archive ("a.pdf", "a (2).pdf"); never a path."""
    seen: set[str] = set()
    named = []
    for document in documents:
        name = safe_display_name(document.original_name)
        stem, dot, ext = name.rpartition(".")
        if not dot:
            stem, ext = name, ""
        candidate, n = name, 1
        while candidate.lower() in seen:
            n += 1
            candidate = f"{stem} ({n}).{ext}" if ext else f"{stem} ({n})"
        seen.add(candidate.lower())
        named.append((document, candidate))
    return named


def _opened(document: Document):
    """The document's bytes and their first chunk, or (None, b"") when the object has vanished
    since the view checked it: that file is left out rather than the archive cut off mid-way."""
    source = open_stored(document.file.name, document.file.storage)
    if source is None:
        return None, b""
    try:
        return source, source.read(CHUNK)
    except FileNotFoundError:
        source.close()
        return None, b""


def stream_zip(documents: Iterable[Document]) -> Iterator[bytes]:
    sink = _Sink()
    with zipfile.ZipFile(sink, mode="w", compression=zipfile.ZIP_DEFLATED) as archive:
        for document, name in unique_names(documents):
            source, chunk = _opened(document)
            if source is None:
                log.warning("results zip: object vanished document_id=%s", document.pk)
                continue
            info = zipfile.ZipInfo(
                name, date_time=timezone.localtime(document.uploaded_at).timetuple()[:6]
            )
            info.compress_type = zipfile.ZIP_DEFLATED
            with source, archive.open(info, "w") as target:
                while chunk:
                    target.write(chunk)
                    if data := sink.take():
                        yield data
                    chunk = source.read(CHUNK)
            if data := sink.take():
                yield data
    if data := sink.take():
        yield data
