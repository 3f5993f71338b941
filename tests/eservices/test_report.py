"""The report of received e-services, its Excel file, and background export jobs."""

from datetime import date, datetime, timedelta
from io import BytesIO

import pytest
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from eservices import jobs as export_jobs
from eservices import views as eservice_views
from eservices.models import ExportJob
from eservices.tasks import build_export
from notifications.models import Notification
from orders.models import Service
from tests.factories import EServiceFactory, OrderFactory

REPORT = "/mans-konts/e-pakalpojumi/atskaite/"
EXPORT = "/mans-konts/e-pakalpojumi/atskaite/excel/"


@pytest.fixture
def received_rows(legal, colleague):
    now = timezone.now()
    survey = Service.objects.get(code="buves-uzmerisana")
    rows = [
        EServiceFactory(
            client=legal,
            requested_by=colleague,
            received_at=now - timedelta(days=i),
            status="completed",
            created_at=now - timedelta(days=10 + i),
            service=survey if i % 2 else Service.objects.get(code="kadastra-info-ipasums"),
            label=f"Objekts {i}",
        )
        for i in range(5)
    ]
    rows[0].orders.add(OrderFactory(client=legal, number="2026-0000099"))
    EServiceFactory(client=legal)  # not received: not in the report
    return rows


@pytest.mark.django_db
def test_report_shows_received_rows_with_totals_by_group_and_status(
    legal, legal_admin, signed_in, received_rows
):
    response = signed_in(legal_admin, acting_for=legal).get(REPORT)

    totals = response.context["totals"]
    assert response.status_code == 200
    assert totals["total"] == 5
    assert {g["name"]: g["total"] for g in totals["groups"]} == {
        "Kadastra informācija": 3,
        "Kadastrālā uzmērīšana": 2,
    }
    assert [e.pk for e in response.context["page"].rows] == [e.pk for e in received_rows]


@pytest.mark.django_db
def test_excel_has_the_pages_rows_headers_and_date_cells(
    legal, legal_admin, signed_in, received_rows
):
    http = signed_in(legal_admin, acting_for=legal)
    query = "?sort=label&received_from=" + (timezone.localdate() - timedelta(days=3)).isoformat()
    page = http.get(REPORT + query)

    response = http.post(EXPORT + query)

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="e-pakalpojumi-')
    sheet = load_workbook(BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == (
        "E-pakalpojuma ID",
        "Izveidošanas datums",
        "Pakalpojuma nosaukums",
        "Pakalpojuma grupa",
        "Objekts",
        "Statuss",
        "Izmaiņu datums",
        "Saņemšanas datums",
        "Saistītie pasūtījumi",
        "Klienta identifikators",
        "Lietotājs",
    )
    assert [r[0] for r in rows[1:]] == [e.pk for e in page.context["page"].rows]
    first = page.context["page"].rows[0]
    assert rows[1][1] == datetime.combine(timezone.localdate(first.created_at), datetime.min.time())
    assert sheet["B2"].number_format == "DD.MM.YYYY"
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:K{len(rows)}"
    assert sheet.column_dimensions["C"].width == 48
    assert rows[1][8] == "2026-0000099"
    assert rows[1][4] == "1300 026 3302"


@pytest.mark.django_db
def test_excel_refuses_bad_filters_and_get(legal, legal_admin, signed_in, received_rows):
    http = signed_in(legal_admin, acting_for=legal)

    bad = http.post(EXPORT + "?created_from=vakar")
    get = http.get(EXPORT)

    assert bad.status_code == 302
    assert get.status_code == 405


@pytest.mark.django_db
def test_large_report_runs_as_a_job_with_progress_and_notification(
    legal,
    legal_admin,
    colleague,
    signed_in,
    received_rows,
    settings,
    django_capture_on_commit_callbacks,
):
    settings.ESERVICE_EXPORT_DIRECT_LIMIT = 2
    http = signed_in(legal_admin, acting_for=legal)

    response = http.post(EXPORT + "?sort=id", follow=False)
    job = ExportJob.objects.get()
    queued_state = job.state
    # The test transaction never commits, so the queued task is run here (the worker test runs
    # the real thing on Redis).
    build_export(str(job.pk))
    job.refresh_from_db()

    assert response.status_code == 302
    assert response["Location"] == reverse("eservices:export", args=[job.pk])
    assert queued_state == ExportJob.State.PENDING
    assert job.state == ExportJob.State.DONE
    assert job.done == 5
    status = http.get(response["Location"]).content.decode()
    assert "Atskaitē ir 5 rindas." in status
    download = http.get(reverse("eservices:export_download", args=[job.pk]))
    sheet = load_workbook(BytesIO(b"".join(download.streaming_content))).active
    assert [r[0] for r in sheet.iter_rows(min_row=2, values_only=True)] == sorted(
        e.pk for e in received_rows
    )
    assert set(
        Notification.objects.filter(kind=Notification.Kind.EXPORT_READY).values_list(
            "recipient", flat=True
        )
    ) == {legal_admin.pk, colleague.pk}


@pytest.mark.django_db
def test_export_job_pages_are_scoped_to_the_client(
    legal, legal_admin, colleague, outsider, signed_in
):
    job = ExportJob.objects.create(client=legal, requested_by=legal_admin)
    status = reverse("eservices:export", args=[job.pk])
    download = reverse("eservices:export_download", args=[job.pk])

    assert signed_in(colleague, acting_for=legal).get(status).status_code == 200
    assert signed_in(colleague).get(status).status_code == 404
    assert signed_in(outsider).get(status).status_code == 404
    assert signed_in(outsider).get(download).status_code == 404
    assert signed_in(outsider).post(download).status_code == 405
    assert HttpClient().get(status).status_code == 302
    running = signed_in(legal_admin, acting_for=legal).get(status).content.decode()
    assert '<progress id="export-progress"' in running
    assert 'data-export-status="pending"' in running
    assert 'http-equiv="refresh"' not in running


@pytest.mark.django_db
def test_excel_date_cells_are_real_dates(legal, legal_admin, signed_in, received_rows):
    response = signed_in(legal_admin, acting_for=legal).post(EXPORT)

    sheet = load_workbook(BytesIO(b"".join(response.streaming_content))).active

    assert isinstance(sheet["H2"].value, datetime | date)
    assert sheet["H2"].number_format == "DD.MM.YYYY"


@pytest.mark.django_db
def test_a_report_larger_than_an_excel_sheet_is_refused_before_a_job(
    legal, legal_admin, signed_in, received_rows, settings, monkeypatch
):
    settings.ESERVICE_EXPORT_DIRECT_LIMIT = 2
    monkeypatch.setattr(eservice_views, "MAX_ROWS", 4)  # the five rows are one too many
    http = signed_in(legal_admin, acting_for=legal)

    response = http.post(EXPORT + "?sort=id")

    assert response.status_code == 302
    assert response["Location"] == REPORT + "?sort=id"
    assert not ExportJob.objects.exists()
    page = http.get(response["Location"]).content.decode()
    assert "Atskaitē ir vairāk rindu, nekā ietilpst Excel lapā (1 048 575)." in page


@pytest.mark.django_db
def test_a_job_whose_rows_grew_past_an_excel_sheet_fails_with_the_reason(
    legal, legal_admin, signed_in, received_rows, settings, monkeypatch
):
    settings.ESERVICE_EXPORT_DIRECT_LIMIT = 2
    http = signed_in(legal_admin, acting_for=legal)
    http.post(EXPORT + "?sort=id")
    job = ExportJob.objects.get()
    monkeypatch.setattr(export_jobs, "MAX_ROWS", 4)

    build_export(str(job.pk))

    job.refresh_from_db()
    assert job.state == ExportJob.State.FAILED
    assert not job.file
    status = http.get(reverse("eservices:export", args=[job.pk])).content.decode()
    assert "nekā ietilpst Excel lapā (1 048 575)" in status
