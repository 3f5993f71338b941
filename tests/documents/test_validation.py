"""Upload validation by content: the allow-list, the limits and safe names."""

import pytest
from django.core.exceptions import ValidationError

from manskonts.validation import (
    DISPLAY_NAME_MAX,
    safe_display_name,
    validate_upload,
    validate_upload_count,
    validate_uploads,
)
from tests.documents import samples


@pytest.mark.parametrize(
    ("name", "data", "kind", "content_type"),
    [
        ("iesniegums.pdf", samples.PDF, "pdf", "application/pdf"),
        ("foto.jpg", samples.JPEG, "jpeg", "image/jpeg"),
        ("foto.JPEG", samples.JPEG, "jpeg", "image/jpeg"),
        ("plāns.png", samples.PNG, "png", "image/png"),
        ("skenējums.tif", samples.TIFF_LE, "tiff", "image/tiff"),
        ("skenējums.tiff", samples.TIFF_BE, "tiff", "image/tiff"),
        ("līgums.docx", samples.DOCX, "docx", None),
        ("tāme.xlsx", samples.XLSX, "xlsx", None),
        ("vēstule.odt", samples.ODT, "odt", "application/vnd.oasis.opendocument.text"),
        ("parakstīts.edoc", samples.ASICE, "asice", "application/vnd.etsi.asic-e+zip"),
        ("parakstīts.asice", samples.ASICE, "asice", "application/vnd.etsi.asic-e+zip"),
        ("pielikumi.zip", samples.ZIP, "zip", "application/zip"),
        ("rasējums.dwg", samples.DWG, "dwg", "image/vnd.dwg"),
        ("rasējums.dxf", samples.DXF, "dxf", "image/vnd.dxf"),
        ("rasējums.dxf", samples.DXF_WITH_COMMENT, "dxf", "image/vnd.dxf"),
    ],
)
def test_validate_upload_accepts_allowed_kind_by_content(name, data, kind, content_type):
    checked = validate_upload(samples.upload(name, data, "text/html"))

    assert checked.kind.code == kind
    assert checked.display_name == name
    assert checked.size == len(data)
    if content_type:
        assert checked.content_type == content_type


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("rēķins.pdf", samples.HTML),  # HTML renamed .pdf
        ("x.pdf.html", samples.HTML),
        ("attēls.png", samples.SVG),
        ("skripts.pdf", samples.SHELL),
        ("tabula.ods", samples.ODS),  # ODF, but not a text document
        ("makro.docx", samples.DOCM),  # macro-enabled
        ("bojāts.zip", b"PK\x03\x04 not really a zip"),
    ],
)
def test_validate_upload_refuses_content_not_on_the_list(name, data):
    with pytest.raises(ValidationError) as error:
        validate_upload(samples.upload(name, data, "application/pdf"))

    assert error.value.code == "wrong_type"
    assert error.value.messages == [
        f"Datnei „{name}” jābūt PDF, JPEG, PNG, TIFF, DOCX, XLSX, ODT, ZIP, DWG, DXF, "
        "ASiC-E (EDOC) vai ASiC-S formātā."
    ]


def test_validate_upload_refuses_pdf_named_as_html():
    with pytest.raises(ValidationError) as error:
        validate_upload(samples.upload("x.pdf.html", samples.PDF, "application/pdf"))

    assert error.value.code == "name_mismatch"
    assert error.value.messages == [
        "Datnes „x.pdf.html” nosaukuma paplašinājums neatbilst tās saturam (PDF). "
        "Pārsauciet datni vai izvēlieties citu."
    ]


def test_validate_upload_ignores_spoofed_content_type():
    with pytest.raises(ValidationError) as error:
        validate_upload(samples.upload("lapa.pdf", samples.HTML, "application/pdf"))

    assert error.value.code == "wrong_type"


def test_validate_upload_refuses_empty_file():
    with pytest.raises(ValidationError) as error:
        validate_upload(samples.upload("tukšs.pdf", b""))

    assert error.value.code == "empty"
    assert error.value.messages == [
        "Datne „tukšs.pdf” ir tukša. Izvēlieties datni, kurā ir saturs."
    ]


def test_validate_upload_refuses_file_over_the_limit(settings):
    settings.FILE_UPLOAD_MAX_BYTES = 1024

    with pytest.raises(ValidationError) as error:
        validate_upload(samples.upload("liels.pdf", samples.PDF + b"0" * 1024))

    assert error.value.code == "too_big"
    assert error.value.messages == ["Datnei „liels.pdf” jābūt mazākai par 1,0\xa0KB."]


def test_validate_upload_accepts_file_exactly_at_the_limit(settings):
    settings.FILE_UPLOAD_MAX_BYTES = len(samples.PDF)

    checked = validate_upload(samples.upload("tieši.pdf", samples.PDF))

    assert checked.size == settings.FILE_UPLOAD_MAX_BYTES


def test_validate_upload_names_the_file_without_its_path():
    checked = validate_upload(samples.upload("../../x.pdf", samples.PDF))

    assert checked.display_name == "x.pdf"


def test_validate_upload_gives_a_nameless_file_its_extension():
    checked = validate_upload(samples.upload("skenējums", samples.PNG))

    assert checked.display_name == "skenējums.png"


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("../../x", "x"),
        ("..\\..\\windows\\x.pdf", "x.pdf"),
        ("/etc/passwd", "passwd"),
        ("a\x00b\r\nc.pdf", "ab c.pdf"),
        ("rēķins\u202efdp.exe", "rēķinsfdp.exe"),  # right-to-left override removed
        ("  .slēpts.pdf  ", "slēpts.pdf"),
        ("", "datne"),
        ("..", "datne"),
        ("Ze\u0301mes.pdf", "Zémes.pdf"),  # NFC
    ],
)
def test_safe_display_name_strips_paths_and_control_characters(raw, shown):
    assert safe_display_name(raw) == shown


def test_safe_display_name_limits_length_and_keeps_extension():
    shown = safe_display_name("ļ" * 500 + ".pdf")

    assert len(shown) == DISPLAY_NAME_MAX
    assert shown.endswith("ļ.pdf")


def test_validate_upload_count_refuses_more_than_allowed(settings):
    settings.FILE_UPLOAD_MAX_FILES = 2
    files = [samples.upload(f"{i}.pdf", samples.PDF) for i in range(3)]

    with pytest.raises(ValidationError) as error:
        validate_upload_count(files)

    assert error.value.code == "too_many"
    assert error.value.messages == [
        "Vienā reizē var iesniegt ne vairāk kā 2 datnes. Jūs izvēlējāties 3."
    ]


def test_validate_upload_count_refuses_none():
    with pytest.raises(ValidationError) as error:
        validate_upload_count([])

    assert error.value.messages == ["Izvēlieties vismaz vienu datni."]


def test_validate_uploads_reports_every_bad_file():
    files = [
        samples.upload("labs.pdf", samples.PDF),
        samples.upload("slikts.pdf", samples.HTML),
        samples.upload("tukšs.png", b""),
    ]

    checked, errors = validate_uploads(files)

    assert [c.display_name for c in checked] == ["labs.pdf"]
    assert len(errors) == 2
