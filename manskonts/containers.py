"""A ZIP's central directory read at bounded cost, before `zipfile` builds its list.

`zipfile.ZipFile` reads the whole central directory into memory and makes a `ZipInfo` for every
record it holds, however many the end record claims: a 46 MB file listing a million entries costs
seconds of CPU and hundreds of MB before any check can run. `read_directory` reads the end record
(and the ZIP64 end record) first, refuses a directory with more entries or bytes than allowed
without reading it, and otherwise walks the records with `struct`, stopping at the limit: the
names and declared sizes the limits in `manskonts.validation` are checked against. It finds the
records exactly where `zipfile` will (same end-record search, same prepended-data offset), so an
archive that passes here is the archive `zipfile` then opens.
"""

from __future__ import annotations

import io
import struct
from dataclasses import dataclass
from typing import IO

EOCD = struct.Struct("<4s4H2LH")  # end of central directory record
EOCD_SIGNATURE = b"PK\x05\x06"
ZIP64_LOCATOR = struct.Struct("<4sLQL")
ZIP64_LOCATOR_SIGNATURE = b"PK\x06\x07"
ZIP64_EOCD = struct.Struct("<4sQ2H2L4Q")
ZIP64_EOCD_SIGNATURE = b"PK\x06\x06"
CENTRAL_RECORD = struct.Struct("<4s6H3L5H2L")
CENTRAL_SIGNATURE = b"PK\x01\x02"
LOCAL_HEADER_SIZE = 30
MAX_COMMENT = 0xFFFF
ZIP64_EXTRA = 0x0001
UTF8_FLAG = 0x800


class DirectoryError(Exception):
    """The archive's directory cannot be read safely; `too_many` when it is over the limits."""

    def __init__(self, reason: str, *, too_many: bool = False):
        super().__init__(reason)
        self.too_many = too_many


@dataclass(frozen=True, slots=True)
class Entry:
    name: str
    flags: int
    method: int
    compressed: int
    uncompressed: int
    offset: int  # of the local header, prepended data included

    @property
    def is_dir(self) -> bool:
        return self.name.endswith("/")


@dataclass(frozen=True)
class Directory:
    entries: list[Entry]
    start: int  # where the central directory begins: entries' data lies before it
    prepended: int  # bytes before the archive proper (a self-extractor stub), as zipfile counts


def _zip64_sizes(extra: bytes, uncompressed: int, compressed: int, offset: int):
    """Replace the 0xFFFFFFFF fields by the values in the ZIP64 extra field, in its order."""
    position = 0
    while position + 4 <= len(extra):
        tag, length = struct.unpack_from("<2H", extra, position)
        data = extra[position + 4 : position + 4 + length]
        if tag == ZIP64_EXTRA:
            values = [v for (v,) in struct.iter_unpack("<Q", data[: len(data) // 8 * 8])]
            fields = [uncompressed, compressed, offset]
            for index, value in enumerate(fields):
                if value == 0xFFFFFFFF:
                    if not values:
                        raise DirectoryError("ZIP64 extra field too short")
                    fields[index] = values.pop(0)
            return tuple(fields)
        position += 4 + length
    return uncompressed, compressed, offset


def read_directory(
    fp: IO[bytes], size: int, *, max_entries: int, max_directory_bytes: int
) -> Directory:
    """The entries of the ZIP in `fp` (`size` bytes), or DirectoryError.

    Reads at most the last 64 kB, the ZIP64 end record and `max_directory_bytes` of directory;
    keeps at most `max_entries` entries (more, declared or present: DirectoryError(too_many)).
    """
    tail_size = min(size, EOCD.size + MAX_COMMENT)
    fp.seek(size - tail_size)
    tail = fp.read(tail_size)
    # As zipfile._EndRecData: the record at the very end (no comment), else the last signature.
    if tail[-EOCD.size : -EOCD.size + 4] == EOCD_SIGNATURE and tail[-2:] == b"\x00\x00":
        position = len(tail) - EOCD.size
    else:
        position = tail.rfind(EOCD_SIGNATURE)
    if position < 0 or position + EOCD.size > len(tail):
        raise DirectoryError("no end of central directory record")
    end = size - tail_size + position
    _sig, disk, directory_disk, _on_disk, count, directory_size, directory_offset, _comment = (
        EOCD.unpack_from(tail, position)
    )
    if disk or directory_disk:
        raise DirectoryError("archive spans several disks")
    directory_end = end
    if end >= ZIP64_LOCATOR.size:
        fp.seek(end - ZIP64_LOCATOR.size)
        locator = fp.read(ZIP64_LOCATOR.size)
        if locator[:4] == ZIP64_LOCATOR_SIGNATURE:
            # As zipfile._EndRecData64: the ZIP64 record sits right before its locator.
            record_at = end - ZIP64_LOCATOR.size - ZIP64_EOCD.size
            if record_at < 0:
                raise DirectoryError("truncated ZIP64 end record")
            fp.seek(record_at)
            record = fp.read(ZIP64_EOCD.size)
            if len(record) != ZIP64_EOCD.size or record[:4] != ZIP64_EOCD_SIGNATURE:
                raise DirectoryError("bad ZIP64 end record")
            fields = ZIP64_EOCD.unpack(record)
            disk, directory_disk = fields[4], fields[5]
            count, directory_size, directory_offset = fields[7], fields[8], fields[9]
            if disk or directory_disk:
                raise DirectoryError("archive spans several disks")
            directory_end = record_at
    if count > max_entries:
        raise DirectoryError(f"{count} entries declared", too_many=True)
    if directory_size > max_directory_bytes:
        raise DirectoryError(f"central directory of {directory_size} bytes", too_many=True)
    start = directory_end - directory_size
    prepended = start - directory_offset
    if start < 0 or prepended < 0:
        raise DirectoryError("central directory outside the file")
    fp.seek(start)
    directory = fp.read(directory_size)
    if len(directory) != directory_size:
        raise DirectoryError("truncated central directory")

    entries: list[Entry] = []
    position = 0
    # As zipfile._RealGetContents: records until the directory's declared size is used up.
    while position < directory_size:
        if len(entries) == max_entries:
            raise DirectoryError("more entries than allowed", too_many=True)
        if position + CENTRAL_RECORD.size > directory_size:
            raise DirectoryError("truncated central directory record")
        record = CENTRAL_RECORD.unpack_from(directory, position)
        if record[0] != CENTRAL_SIGNATURE:
            raise DirectoryError("bad central directory record")
        flags, method = record[3], record[4]
        compressed, uncompressed = record[8], record[9]
        name_length, extra_length, comment_length = record[10], record[11], record[12]
        offset = record[16]
        name_at = position + CENTRAL_RECORD.size
        raw_name = directory[name_at : name_at + name_length]
        extra = directory[name_at + name_length : name_at + name_length + extra_length]
        position = name_at + name_length + extra_length + comment_length
        if position > directory_size:
            raise DirectoryError("truncated central directory record")
        if 0xFFFFFFFF in (compressed, uncompressed, offset):
            uncompressed, compressed, offset = _zip64_sizes(extra, uncompressed, compressed, offset)
        name = raw_name.decode("utf-8" if flags & UTF8_FLAG else "cp437", errors="replace")
        entries.append(Entry(name, flags, method, compressed, uncompressed, offset + prepended))
    return Directory(entries=entries, start=start, prepended=prepended)


def data_start(fp: IO[bytes], header_offset: int) -> int:
    """Where a member's data begins: after its local header, whose name and extra field may
    differ in length from the central directory's."""
    fp.seek(header_offset)
    header = fp.read(LOCAL_HEADER_SIZE)
    if len(header) != LOCAL_HEADER_SIZE or header[:4] != b"PK\x03\x04":
        raise DirectoryError("bad local file header")
    name_length, extra_length = struct.unpack_from("<2H", header, 26)
    return header_offset + LOCAL_HEADER_SIZE + name_length + extra_length


class Window(io.RawIOBase):
    """A read-only, seekable view of `length` bytes of `fp` from `start`: a member stored
    uncompressed, inspected as an archive in place without copying it."""

    def __init__(self, fp: IO[bytes], start: int, length: int):
        self._fp, self._start, self._length, self._position = fp, start, length, 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._position

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._position, io.SEEK_END: self._length}[whence]
        self._position = max(0, base + offset)
        return self._position

    def readinto(self, buffer) -> int:
        wanted = min(len(buffer), max(0, self._length - self._position))
        if wanted == 0:
            return 0
        self._fp.seek(self._start + self._position)
        data = self._fp.read(wanted)
        buffer[: len(data)] = data
        self._position += len(data)
        return len(data)
