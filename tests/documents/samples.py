"""Small real files of every allowed kind, and some that must be refused, built in memory."""

from __future__ import annotations

import io
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00"
TIFF_LE = b"II*\x00\x08\x00\x00\x00\x00\x00"
TIFF_BE = b"MM\x00*\x00\x00\x00\x08\x00\x00"
DWG = b"AC1032\x00\x00\x00\x00\x00\x00\x00\x00"
DXF = b"  0\r\nSECTION\r\n  2\r\nHEADER\r\n  0\r\nENDSEC\r\n  0\r\nEOF\r\n"
DXF_WITH_COMMENT = b"999\nmade by hand\n  0\nSECTION\n  2\nENTITIES\n  0\nENDSEC\n  0\nEOF\n"
HTML = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
SHELL = b"#!/bin/sh\nrm -rf /\n"


def zip_bytes(entries: dict[str, bytes], *, mimetype: bytes | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        if mimetype is not None:
            archive.writestr(zipfile.ZipInfo("mimetype"), mimetype, zipfile.ZIP_STORED)
        for name, data in entries.items():
            archive.writestr(name, data, zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


DOCX = zip_bytes({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"})
DOCM = zip_bytes(
    {
        "[Content_Types].xml": b"<Types/>",
        "word/document.xml": b"<w:document/>",
        "word/vbaProject.bin": b"\x00",
    }
)
XLSX = zip_bytes({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>"})
ODT = zip_bytes(
    {"content.xml": b"<office:document-content/>"},
    mimetype=b"application/vnd.oasis.opendocument.text",
)
ODS = zip_bytes(
    {"content.xml": b"<office:document-content/>"},
    mimetype=b"application/vnd.oasis.opendocument.spreadsheet",
)
ASICE = zip_bytes(
    {"dokuments.pdf": PDF, "META-INF/signatures0.xml": b"<XAdESSignatures/>"},
    mimetype=b"application/vnd.etsi.asic-e+zip",
)
ZIP = zip_bytes({"plans/a.pdf": PDF, "plans/b.png": PNG})


def upload(name: str, data: bytes, content_type: str = "application/octet-stream"):
    return SimpleUploadedFile(name, data, content_type=content_type)
