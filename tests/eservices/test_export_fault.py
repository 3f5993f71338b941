"""Fault injection (issue 11, point 5): kill -9 of the whole Celery worker in the middle of a large
export, then a new worker. The export is finished once, the client told once, no file orphaned,
and the original message — re-delivered as Redis would after its visibility time-out — builds
nothing again."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest
from django.utils import timezone

from accounts.models import Client
from eservices.models import EService, ExportJob
from eservices.tasks import build_export, recover_exports
from notifications.models import Notification
from orders.models import Service
from tests.factories import UserFactory, own_client
from tests.worker import celery_worker, start_worker, wait_until_answering  # noqa: F401

pytestmark = [pytest.mark.worker, pytest.mark.fault]

ROWS = 25_000
LEASE = 2  # seconds: short, so the test sees the lease run out


@pytest.fixture
def worker_settings(settings, monkeypatch):
    """The worker processes store files where this test reads them, and hold short leases."""
    monkeypatch.setenv("MEDIA_ROOT", str(settings.MEDIA_ROOT))
    monkeypatch.setenv("EXPORT_LEASE_SECONDS", str(LEASE))
    settings.EXPORT_LEASE_SECONDS = LEASE
    settings.ESERVICE_EXPORT_DIRECT_LIMIT = 10


def many_eservices(client: Client, count: int) -> None:
    service = Service.objects.get(code="kadastra-info-ipasums")
    now = timezone.now()
    EService.objects.bulk_create(
        (
            EService(
                client=client,
                service=service,
                object_code="13000263302",
                status="completed",
                received_at=now,
            )
            for _ in range(count)
        ),
        batch_size=5000,
    )


def wait_for(condition, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if value := condition():
            return value
        time.sleep(0.05)
    pytest.fail(f"{what} within {seconds:.0f} s")


def export_files(settings) -> list[Path]:
    return sorted(p for p in (Path(settings.MEDIA_ROOT) / "exports").rglob("*") if p.is_file())


@pytest.mark.django_db(transaction=True)
def test_worker_killed_mid_export_then_a_new_worker_finishes_it_once(
    worker_settings,
    celery_worker,  # noqa: F811
    settings,
):
    person = UserFactory()
    client = own_client(person)
    many_eservices(client, ROWS)
    job = ExportJob.objects.create(client=client, requested_by=person)
    build_export.delay(str(job.pk))

    wait_for(
        lambda: ExportJob.objects.filter(pk=job.pk, state="running", done__gt=0).exists(),
        30,
        "the export did not start",
    )
    celery_worker.send_signal(signal.SIGKILL)  # the whole worker, no warm shutdown, no ack
    celery_worker.wait(timeout=20)
    job.refresh_from_db()
    assert job.state == ExportJob.State.RUNNING
    assert 0 < job.done < ROWS
    assert export_files(settings) == []

    rerun = start_worker(f"rerun-{os.getpid()}@%h")
    try:
        wait_until_answering(rerun)
        # Beat runs this every minute; the dead worker's lease runs out LEASE seconds later.
        time.sleep(LEASE + 0.5)
        assert recover_exports.delay().get(timeout=30) == {"resumed": 1, "failed": 0, "resent": 0}
        wait_for(
            lambda: ExportJob.objects.filter(pk=job.pk, state="done").exists(),
            60,
            "the resumed export did not finish",
        )
        job.refresh_from_db()
        first = (job.file.name, job.finished_at)

        # Redis re-delivers the killed worker's unacknowledged message (after an hour in
        # production): the same task again. Then the beat runs again.
        build_export.delay(str(job.pk)).get(timeout=30)
        assert recover_exports.delay().get(timeout=30) == {"resumed": 0, "failed": 0, "resent": 0}
    finally:
        rerun.terminate()
        rerun.wait(timeout=20)

    job.refresh_from_db()
    assert (job.state, job.done, job.total, job.attempts) == ("done", ROWS, ROWS, 2)
    assert (job.file.name, job.finished_at) == first
    assert Notification.objects.filter(kind=Notification.Kind.EXPORT_READY).count() == 1
    assert [str(p.relative_to(settings.MEDIA_ROOT)) for p in export_files(settings)] == [
        job.file.name
    ]
