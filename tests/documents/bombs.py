"""Hostile containers, written byte by byte: what an attacker uploads to make validation slow or
greedy. Built in memory in a fraction of a second (a million-entry directory is one record
repeated), used by tests/security/test_zip_bombs.py and bench/validation.py.

Python's zipfile cannot write these (it refuses lies and would take minutes over a million
entries), so `raw_zip` writes local headers, a central directory and the end records itself.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from dataclasses import dataclass
from functools import cache

LOCAL = struct.Struct("<4s5H3L2H")
CENTRAL = struct.Struct("<4s6H3L5H2L")
EOCD = struct.Struct("<4s4H2LH")
ZIP64_EOCD = struct.Struct("<4sQ2H2L4Q")
ZIP64_LOCATOR = struct.Struct("<4sLQL")
MiB = 1024 * 1024
GiB = 1024 * MiB


@dataclass(frozen=True)
class Member:
    name: str
    data: bytes  # as stored in the archive (already compressed when method is deflate)
    size: int  # the uncompressed size declared in the headers
    crc: int = 0
    method: int = zipfile.ZIP_DEFLATED


def stored(name: str, data: bytes) -> Member:
    return Member(name, data, len(data), zlib.crc32(data), zipfile.ZIP_STORED)


def deflated(name: str, data: bytes) -> Member:
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    return Member(name, packer.compress(data) + packer.flush(), len(data), zlib.crc32(data))


@cache
def deflated_zeros(size: int) -> tuple[bytes, int]:
    """Raw deflate of `size` zero bytes and their CRC, made 1 MiB at a time."""
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    block, parts, crc = bytes(MiB), [], 0
    for _ in range(size // MiB):
        parts.append(packer.compress(block))
        crc = zlib.crc32(block, crc)
    parts.append(packer.flush())
    return b"".join(parts), crc


def zeros(name: str, size: int) -> Member:
    """A member that unpacks to `size` zero bytes: about a thousand times its stored size."""
    data, crc = deflated_zeros(size)
    return Member(name, data, size, crc)


def raw_zip(
    members: list[Member],
    *,
    repeat_directory: int = 1,
    declared_count: int | None = None,
    zip64: bool = False,
) -> bytes:
    """A ZIP of `members`; its central directory lists them `repeat_directory` times over (all
    pointing at the same data), and its end record claims `declared_count` entries if given."""
    out = io.BytesIO()
    records = []
    for member in members:
        offset = out.tell()
        name = member.name.encode()
        compressed = len(member.data)
        sizes = (min(compressed, 0xFFFFFFFF), min(member.size, 0xFFFFFFFF))
        extra = b""
        if member.size >= 0xFFFFFFFF:
            sizes = (compressed, 0xFFFFFFFF)
            extra = struct.pack("<2HQ", 0x0001, 8, member.size)
        out.write(
            LOCAL.pack(
                b"PK\x03\x04", 45, 0x800, member.method, 0, 0x21, member.crc, *sizes, len(name), 0
            )
        )
        out.write(name)
        out.write(member.data)
        records.append(
            CENTRAL.pack(
                b"PK\x01\x02",
                45,
                45,
                0x800,
                member.method,
                0,
                0x21,
                member.crc,
                *sizes,
                len(name),
                len(extra),
                0,
                0,
                0,
                0,
                offset,
            )
            + name
            + extra
        )
    directory_offset = out.tell()
    directory = b"".join(records) * repeat_directory
    out.write(directory)
    count = len(records) * repeat_directory if declared_count is None else declared_count
    if zip64:
        zip64_at = out.tell()
        out.write(
            ZIP64_EOCD.pack(
                b"PK\x06\x06", 44, 45, 45, 0, 0, count, count, len(directory), directory_offset
            )
        )
        out.write(ZIP64_LOCATOR.pack(b"PK\x06\x07", 0, zip64_at, 1))
        out.write(EOCD.pack(b"PK\x05\x06", 0, 0, 0xFFFF, 0xFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 0))
    else:
        short = min(count, 0xFFFF)
        out.write(EOCD.pack(b"PK\x05\x06", 0, 0, short, short, len(directory), directory_offset, 0))
    return out.getvalue()


CONTENT_TYPES = stored("[Content_Types].xml", b"<Types/>")
DOCUMENT_XML = deflated("word/document.xml", b"<w:document/>")
ASICE_MIMETYPE = stored("mimetype", b"application/vnd.etsi.asic-e+zip")
SIGNATURES = deflated("META-INF/signatures0.xml", b"<XAdESSignatures/>")
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def million_entries(count: int = 1_040_000, *, zip64: bool = True) -> bytes:
    """The reported attack: a directory listing about a million entries (about 47 MB), every
    record pointing at the same one-byte file; ZIP64 end record with the true count."""
    return raw_zip([stored("a", b"x")], repeat_directory=count, zip64=zip64)


def lying_count(count: int = 1_040_000) -> bytes:
    """The same directory, with an end record that claims a single entry."""
    return raw_zip([stored("a", b"x")], repeat_directory=count, declared_count=1)


def just_over_the_entry_limit(limit: int = 10_000) -> bytes:
    """A small directory (under 0.5 MB) of limit + 1 entries that claims to hold one."""
    return raw_zip([stored("a", b"x")], repeat_directory=limit + 1, declared_count=1)


def nested_42(levels: int = 2, width: int = 16, leaf: int = 16 * MiB) -> bytes:
    """Like 42.zip: `width` ZIPs in a ZIP, `levels` deep, `width` leaves of `leaf` zero bytes at
    the bottom (2 levels of 16 × 16 × 16 MiB: 4 GiB unpacked)."""
    archive = raw_zip([zeros(f"{i:x}.bin", leaf) for i in range(width)])
    for _level in range(levels - 1):
        archive = raw_zip([stored(f"{i:x}.zip", archive) for i in range(width)])
    return archive


def high_ratio(size: int = GiB) -> bytes:
    """One member that unpacks to `size` zero bytes (1 GiB from about 1 MB)."""
    return raw_zip([stored("plans/a.pdf", PDF), zeros("plans/nulles.txt", size)])


def huge_declared_size() -> bytes:
    """A member whose ZIP64 header claims 16 EiB from a few bytes."""
    return raw_zip([stored("a.pdf", PDF), Member("b.txt", b"\x03\x00", 2**64 - 2)])


def just_over_the_unpacked_total(limit: int, ratio: int) -> bytes:
    """Members each within the compression ratio, together declaring more than `limit`; their
    data is never decompressed before the refusal."""
    per_member = 100 * MiB
    compressed = per_member // ratio + 4096
    count = limit // per_member + 1
    return raw_zip([Member(f"{i}.bin", bytes(compressed), per_member) for i in range(count)])


def overlapping(count: int = 1000) -> bytes:
    """One member listed `count` times in the directory, every record on the same data: the
    overlap of David Fifield's non-recursive zip bomb."""
    return raw_zip([stored("a.pdf", PDF * 20)], repeat_directory=count)


def docx_with(*members: Member) -> bytes:
    return raw_zip([CONTENT_TYPES, DOCUMENT_XML, *members])


def asice_with(*members: Member) -> bytes:
    return raw_zip([ASICE_MIMETYPE, *members, SIGNATURES])


def docx_bomb(size: int = GiB) -> bytes:
    """A DOCX whose document part unpacks to `size` zero bytes."""
    return raw_zip([CONTENT_TYPES, zeros("word/document.xml", size)])


def docx_embedding_many_entries(count: int = 20_000) -> bytes:
    """A DOCX with an embedded workbook (stored, as Word may) whose directory has `count`
    entries: the entry limit counts nested documents' entries too."""
    workbook = raw_zip(
        [stored("[Content_Types].xml", b"<Types/>"), stored("xl/workbook.xml", b"<w/>")],
        repeat_directory=count // 2,
    )
    return docx_with(stored("word/embeddings/Microsoft_Excel_Worksheet.xlsx", workbook))


def asice_with_docx_bomb(size: int = GiB) -> bytes:
    """An ASiC-E (.edoc) signing a DOCX whose document part unpacks to `size` zero bytes."""
    return asice_with(deflated("līgums.docx", docx_bomb(size)))


def asice_with_zip() -> bytes:
    """An ASiC-E that signs a ZIP."""
    return asice_with(stored("pielikumi.zip", raw_zip([stored("a.pdf", PDF)])))


def asice_with_docx() -> bytes:
    """What people really sign: an ASiC-E holding an ordinary DOCX (accepted)."""
    return asice_with(deflated("līgums.docx", docx_with()))


def docx_with_chart() -> bytes:
    """An ordinary DOCX with a chart's workbook embedded (accepted)."""
    workbook = raw_zip(
        [stored("[Content_Types].xml", b"<Types/>"), deflated("xl/workbook.xml", b"<w/>")]
    )
    return docx_with(stored("word/embeddings/Microsoft_Excel_Worksheet.xlsx", workbook))
