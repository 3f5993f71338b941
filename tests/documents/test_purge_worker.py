"""The purge on a real Celery worker on real Redis, killed mid-way and run again."""

from __future__ import annotations

import os
import signal
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from documents.models import Document, DocumentAuditEntry, PurgeRun
from documents.tasks import purge_expired_files
from tests.factories import EServiceFactory
from tests.worker import celery_worker, start_worker, wait_until_answering  # noqa: F401

pytestmark = [pytest.mark.worker, pytest.mark.fault]

FILES = 4000


@pytest.fixture
def shared_media(tmp_path, monkeypatch, settings):
    """The worker process stores and deletes files in this test's media folder too."""
    media = tmp_path / "media"
    monkeypatch.setenv("MEDIA_ROOT", str(media))
    return media


def expired_files(media: Path, count: int) -> list[int]:
    eservice = EServiceFactory()
    folder = media / "documents" / "old"
    folder.mkdir(parents=True)
    uploaded = timezone.now() - timedelta(days=120)
    rows = []
    for i in range(count):
        name = f"documents/old/{i:05d}"
        (media / name).write_bytes(b"%PDF-1.4\n")
        rows.append(
            Document(
                file=name,
                original_name=f"{i}.pdf",
                size=9,
                content_type="application/pdf",
                direction=Document.Direction.SUBMITTED,
                eservice=eservice,
                uploaded_at=uploaded + timedelta(seconds=i),
            )
        )
    return [d.pk for d in Document.objects.bulk_create(rows, batch_size=1000)]


@pytest.mark.django_db(transaction=True)
def test_purge_killed_mid_run_then_run_again_ends_right_once(shared_media, celery_worker):  # noqa: F811
    ids = expired_files(shared_media, FILES)

    purge_expired_files.delay(batch_size=10)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if Document.objects.filter(deleted_at__isnull=False).count() >= 30:
            break
        time.sleep(0.02)
    celery_worker.send_signal(signal.SIGKILL)  # no warm shutdown, no ack: as a lost worker
    celery_worker.wait(timeout=20)

    # Killed mid-way: some batches finished, one perhaps half deleted, the rest untouched. Every
    # record whose file is gone says "deleted" (issue 11, point 6), audited or about to be.
    deleted = set(Document.objects.filter(deleted_at__isnull=False).values_list("pk", flat=True))
    assert 0 < len(deleted) < FILES
    gone = {pk for pk in ids if not (shared_media / f"documents/old/{ids.index(pk):05d}").exists()}
    assert gone <= deleted
    audited = set(
        DocumentAuditEntry.objects.filter(action="purged").values_list("document_id", flat=True)
    )
    assert audited <= gone
    assert PurgeRun.objects.get().finished_at is None  # /healthz shows it never finished

    rerun = start_worker(f"rerun-{os.getpid()}@%h")
    try:
        wait_until_answering(rerun)
        report = purge_expired_files.delay(batch_size=500).get(timeout=120)
    finally:
        rerun.terminate()
        rerun.wait(timeout=20)

    assert report["purged"] == FILES - len(audited)  # what the killed run left, then the rest
    assert Document.objects.filter(deleted_at__isnull=True).count() == 0
    assert DocumentAuditEntry.objects.filter(action="purged").count() == FILES
    assert sorted(DocumentAuditEntry.objects.values_list("document_id", flat=True)) == sorted(ids)
    assert list((shared_media / "documents" / "old").iterdir()) == []
    assert Document.objects.exclude(file="").count() == 0
    assert PurgeRun.objects.filter(finished_at__isnull=False).count() == 1
