"""A large report is built by a real Celery worker on real Redis."""

import time
from io import BytesIO

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from eservices.models import ExportJob
from notifications.models import Notification
from tests.factories import EServiceFactory, LegalClientFactory, MembershipFactory
from tests.worker import celery_worker  # noqa: F401 — fixture

pytestmark = pytest.mark.worker


@pytest.fixture
def worker_media(settings, monkeypatch):
    """The worker process stores files where this test reads them."""
    monkeypatch.setenv("MEDIA_ROOT", str(settings.MEDIA_ROOT))


@pytest.mark.django_db(transaction=True)
def test_background_export_is_built_by_the_worker(worker_media, celery_worker, signed_in, settings):  # noqa: F811
    settings.ESERVICE_EXPORT_DIRECT_LIMIT = 3
    legal = LegalClientFactory(registration_number="40003517893")
    admin = MembershipFactory(client=legal, role="admin").user
    for _ in range(8):
        EServiceFactory(client=legal, received_at=timezone.now(), status="completed")
    http = signed_in(admin, acting_for=legal)

    response = http.post(reverse("eservices:report_export"))

    job = ExportJob.objects.get()
    assert response.status_code == 302
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.state in (ExportJob.State.DONE, ExportJob.State.FAILED):
            break
        time.sleep(0.3)
    assert job.state == ExportJob.State.DONE
    assert job.done == 8
    assert Notification.objects.filter(kind=Notification.Kind.EXPORT_READY).count() == 1
    download = http.get(reverse("eservices:export_download", args=[job.pk]))
    assert download.status_code == 200
    sheet = load_workbook(BytesIO(b"".join(download.streaming_content))).active
    assert sheet.max_row == 9
