"""Background exports are built once, one per client at a time, recovered when their worker dies
(issue 11, point 5), and their files expire after EXPORT_RETENTION_DAYS (point 7).

Tasks run eagerly here; `test_export_fault.py` kills a real worker."""

from __future__ import annotations

import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone

from eservices.models import ExportJob
from eservices.tasks import build_export
from notifications.models import Notification
from tests.factories import EServiceFactory

pytestmark = pytest.mark.django_db

EXPORT = reverse("eservices:report_export")


@pytest.fixture
def rows(owner_client):
    return [
        EServiceFactory(client=owner_client, received_at=timezone.now(), status="completed")
        for _ in range(5)
    ]


def export_files(settings) -> list[str]:
    """Every export file in storage (local media in these tests), as storage names."""
    root = Path(settings.MEDIA_ROOT)
    return sorted(str(p.relative_to(root)) for p in (root / "exports").rglob("*") if p.is_file())


def ready_notifications() -> int:
    return Notification.objects.filter(kind=Notification.Kind.EXPORT_READY).count()


def status_page(http, job) -> str:
    return http.get(reverse("eservices:export", args=[job.pk])).content.decode()


def queue_export(http, settings) -> ExportJob:
    settings.ESERVICE_EXPORT_DIRECT_LIMIT = 2
    response = http.post(EXPORT)
    assert response.status_code == 302
    return ExportJob.objects.order_by("-created_at").first()


def held_by_a_live_worker(job: ExportJob, seconds: int = 60) -> None:
    """What a worker building the job right now has written: running, its token, a lease."""
    ExportJob.objects.filter(pk=job.pk).update(
        state=ExportJob.State.RUNNING,
        claim=uuid.uuid4(),
        lease_until=timezone.now() + timedelta(seconds=seconds),
        attempts=1,
        done=10000,
        total=80000,
    )


def test_a_finished_export_delivered_again_is_not_rebuilt_nor_notified_twice(
    signed_in, owner, rows, settings
):
    """Redis re-delivers an unacknowledged task after its visibility time-out: the second
    delivery used to build the workbook again, send a second "ready" and orphan the first file."""
    http = signed_in(owner)
    job = queue_export(http, settings)

    build_export(str(job.pk))
    job.refresh_from_db()
    first_file, first_finished = job.file.name, job.finished_at
    build_export(str(job.pk))  # the same message, delivered again
    job.refresh_from_db()

    assert job.state == ExportJob.State.DONE
    assert (job.file.name, job.finished_at) == (first_file, first_finished)
    assert ready_notifications() == 1
    assert export_files(settings) == [first_file]


def test_one_running_export_per_client_the_others_wait_and_the_page_says_so(
    signed_in, owner, rows, settings, django_capture_on_commit_callbacks
):
    """One client used to start 8 heavy exports at once; now one runs and the rest wait."""
    http = signed_in(owner)
    first = queue_export(http, settings)
    held_by_a_live_worker(first)
    second = queue_export(http, settings)

    build_export(str(second.pk))  # a second worker picks the second message up
    second.refresh_from_db()

    assert second.state == ExportJob.State.PENDING
    page = status_page(http, second)
    assert "Gaida rindā" in page
    assert "Vienlaikus tiek sagatavota viena Jūsu atskaite" in page
    assert reverse("eservices:export", args=[first.pk]) in page

    # The first one's worker dies; the recovery resumes it, and its run goes on to the second.
    from eservices.tasks import recover_exports

    ExportJob.objects.filter(pk=first.pk).update(lease_until=timezone.now() - timedelta(seconds=1))
    with django_capture_on_commit_callbacks(execute=True):
        assert recover_exports() == {"resumed": 1, "failed": 0, "resent": 0}

    assert set(ExportJob.objects.values_list("state", flat=True)) == {ExportJob.State.DONE}
    assert ready_notifications() == 2
    first.refresh_from_db()
    assert first.attempts == 2


def test_an_export_whose_worker_died_is_resumed_and_the_page_says_so(
    signed_in, owner, rows, settings
):
    """Killed mid-export, the job used to stay "12 %" until Redis's one-hour time-out."""
    from eservices.tasks import recover_exports

    http = signed_in(owner)
    job = queue_export(http, settings)
    held_by_a_live_worker(job, seconds=-1)  # its lease ran out: nobody renews it

    assert recover_exports()["resumed"] == 1

    job.refresh_from_db()
    assert (job.state, job.done, job.claim) == (ExportJob.State.PENDING, 0, None)
    assert "atsākta no sākuma" in status_page(http, job)


def test_an_export_that_keeps_losing_its_worker_is_failed_with_a_message(
    signed_in, owner, rows, settings
):
    from eservices.tasks import recover_exports

    settings.EXPORT_MAX_ATTEMPTS = 3
    http = signed_in(owner)
    job = queue_export(http, settings)
    held_by_a_live_worker(job, seconds=-1)
    ExportJob.objects.filter(pk=job.pk).update(attempts=3)

    assert recover_exports() == {"resumed": 0, "failed": 1, "resent": 0}

    job.refresh_from_db()
    assert job.state == ExportJob.State.FAILED
    assert job.finished_at is not None
    page = status_page(http, job)
    assert "vairākas reizes tika pārtraukta" in page
    assert ready_notifications() == 0


def test_a_live_export_is_left_alone_by_the_recovery_and_a_duplicate_delivery(
    signed_in, owner, rows, settings
):
    from eservices.tasks import recover_exports

    http = signed_in(owner)
    job = queue_export(http, settings)
    held_by_a_live_worker(job)

    assert recover_exports() == {"resumed": 0, "failed": 0, "resent": 0}
    build_export(str(job.pk))

    job.refresh_from_db()
    assert (job.state, job.attempts, job.done) == (ExportJob.State.RUNNING, 1, 10000)


def test_a_run_whose_job_was_taken_over_stops_without_a_file_or_a_notification(
    owner_client, rows, settings
):
    from eservices import jobs

    job = ExportJob.objects.create(client=owner_client)
    stalled, old_token = jobs.claim(job.pk)
    ExportJob.objects.filter(pk=job.pk).update(lease_until=timezone.now() - timedelta(seconds=1))
    taken, new_token = jobs.claim(job.pk)  # the lease ran out: another run takes the job

    with pytest.raises(jobs.LeaseLost):
        jobs.build(stalled, old_token)
    assert export_files(settings) == []
    jobs.build(taken, new_token)

    job.refresh_from_db()
    assert job.state == ExportJob.State.DONE
    assert ready_notifications() == 1
    assert export_files(settings) == [job.file.name]


def test_a_waiting_export_whose_message_was_consumed_is_sent_again(
    signed_in, owner, rows, settings, django_capture_on_commit_callbacks
):
    from eservices.tasks import recover_exports

    http = signed_in(owner)
    job = queue_export(http, settings)
    ExportJob.objects.filter(pk=job.pk).update(enqueued_at=timezone.now() - timedelta(minutes=5))

    with django_capture_on_commit_callbacks(execute=True):
        assert recover_exports() == {"resumed": 0, "failed": 0, "resent": 1}

    job.refresh_from_db()
    assert job.state == ExportJob.State.DONE
    assert ready_notifications() == 1


# --- Expiry (point 7) -----------------------------------------------------------------------------


def ready_export(client, *, days_ago: float) -> ExportJob:
    job = ExportJob.objects.create(client=client, state=ExportJob.State.DONE, done=5, total=5)
    job.file.save("atskaite.xlsx", ContentFile(b"PK\x03\x04 xlsx"), save=False)
    ExportJob.objects.filter(pk=job.pk).update(
        file=job.file.name, finished_at=timezone.now() - timedelta(days=days_ago)
    )
    job.refresh_from_db()
    return job


def test_export_files_expire_after_seven_days_and_the_records_stay(signed_in, owner, owner_client):
    """A 400-day-old report used to be still stored and downloadable."""
    from documents.services import purge_expired_files

    http = signed_in(owner)
    old = ready_export(owner_client, days_ago=400)
    week = ready_export(owner_client, days_ago=7 + 1 / 24)
    fresh = ready_export(owner_client, days_ago=6)
    old_key, week_key = old.file.name, week.file.name

    report = purge_expired_files()

    assert report.exports_purged == 2
    for job, key in ((old, old_key), (week, week_key)):
        job.refresh_from_db()
        assert not default_storage.exists(key)
        assert job.deleted_at is not None
        assert (job.state, job.file.name, job.done) == (ExportJob.State.DONE, "", 5)
        download = http.get(reverse("eservices:export_download", args=[job.pk]), follow=True)
        assert download.status_code == 200
        assert "Atskaite ir dzēsta" in download.content.decode()
        assert "šī atskaite dzēsta" in download.content.decode()
    fresh.refresh_from_db()
    assert fresh.deleted_at is None
    assert http.get(reverse("eservices:export_download", args=[fresh.pk])).status_code == 200
    report_page = http.get(reverse("eservices:report")).content.decode()
    assert "Sagatavotās atskaites glabā 7 dienas" in report_page
    assert "Dzēsta" in report_page
    assert purge_expired_files().exports_purged == 0


def test_a_ready_export_page_says_until_when_it_is_kept(signed_in, owner, owner_client):
    job = ready_export(owner_client, days_ago=1)
    until = timezone.localtime(job.finished_at + timedelta(days=7))

    page = status_page(signed_in(owner), job)

    assert f"to var lejupielādēt līdz {until:%d.%m.%Y %H:%M}" in page
    assert "Atskaiti glabā 7 dienas" in page


def test_an_export_file_missing_from_storage_is_said_to_be_unavailable(
    signed_in, owner, owner_client
):
    job = ready_export(owner_client, days_ago=1)
    default_storage.delete(job.file.name)

    response = signed_in(owner).get(
        reverse("eservices:export_download", args=[job.pk]), follow=True
    )

    assert response.status_code == 200
    assert "Atskaites datne vairs nav pieejama" in response.content.decode()


def test_an_export_purge_killed_before_deleting_is_finished_by_the_next_run(
    signed_in, owner, owner_client
):
    """Marked deleted (committed) before the object goes: a killed run's job already says so."""
    from documents.services import purge_expired_files

    job = ready_export(owner_client, days_ago=10)
    key = job.file.name
    ExportJob.objects.filter(pk=job.pk).update(deleted_at=timezone.now())  # then the kill

    download = signed_in(owner).get(reverse("eservices:export_download", args=[job.pk]))
    assert download.status_code == 302
    assert purge_expired_files().exports_purged == 1

    job.refresh_from_db()
    assert not default_storage.exists(key)
    assert job.file.name == ""


@pytest.mark.parametrize(
    ("count", "shown"),
    [
        (21, "Excel atskaite (21 rinda) ir gatava lejupielādei."),
        (10000, "Excel atskaite (10000 rindas) ir gatava lejupielādei."),
    ],
)
def test_the_ready_notification_agrees_with_the_number_of_rows(
    signed_in, owner, rows, settings, count, shown
):
    from eservices.notices import notify_export_ready

    job = queue_export(signed_in(owner), settings)

    notify_export_ready(job, count)

    notice = Notification.objects.filter(kind=Notification.Kind.EXPORT_READY).latest("id")
    assert notice.body == shown
