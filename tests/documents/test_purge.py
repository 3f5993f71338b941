"""The 90-day retention purge: e-service files only, in batches, audited, safe to re-run."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.files.storage import FileSystemStorage, default_storage
from django.core.management import CommandError, call_command
from django.utils import timezone

from billing.models import Invoice, Payment
from documents.models import Document, DocumentAuditEntry
from documents.services import purge_expired_files, remind_expiring_files
from documents.tasks import purge_expired_files as purge_task
from notifications.models import Notification
from tests.documents.conftest import make_document

pytestmark = pytest.mark.django_db


def aged(days: float, **fields) -> Document:
    document = make_document(direction=Document.Direction.SUBMITTED, **fields)
    Document.objects.filter(pk=document.pk).update(
        uploaded_at=timezone.now() - timedelta(days=days)
    )
    document.refresh_from_db()
    return document


class FailingStorage(FileSystemStorage):
    """Storage that refuses to delete the names it is given, like an unreachable bucket."""

    def __init__(self, failing: set[str]):
        super().__init__(location=default_storage.location)
        self.failing = failing

    def delete(self, name):
        if name in self.failing:
            raise OSError("storage unavailable")
        super().delete(name)


@pytest.mark.parametrize(
    ("days", "purged"),
    [(89, False), (90 - 1 / 24, False), (90 + 1 / 24, True), (91, True), (400, True)],
)
def test_purge_by_age(owner_eservice, days, purged):
    document = aged(days, eservice=owner_eservice)
    key = document.file.name

    purge_expired_files()

    document.refresh_from_db()
    assert document.is_deleted is purged
    assert default_storage.exists(key) is not purged


def test_purge_keeps_the_record_and_writes_an_audit_entry(owner_eservice):
    document = aged(91, eservice=owner_eservice, name="plāns.pdf")
    key = document.file.name

    report = purge_expired_files()

    document.refresh_from_db()
    assert (report.purged, report.failed) == (1, 0)
    assert (document.original_name, document.size) == ("plāns.pdf", len(b"%PDF-1.4\n%%EOF\n"))
    assert document.deleted_at is not None
    assert document.file.name == ""
    entry = DocumentAuditEntry.objects.get()
    assert (entry.document_id, entry.action, entry.storage_key, entry.original_name) == (
        document.pk,
        DocumentAuditEntry.Action.PURGED,
        key,
        "plāns.pdf",
    )
    assert entry.at == document.deleted_at


def test_purge_never_touches_order_files_invoices_or_payments(owner_eservice, paid_order):
    part = paid_order.parts.get()
    order_file = aged(400, order_part=part)
    Invoice.objects.update(issued_on=timezone.localdate() - timedelta(days=400))
    invoices, payments = Invoice.objects.count(), Payment.objects.count()

    purge_expired_files()

    order_file.refresh_from_db()
    assert order_file.is_deleted is False
    assert default_storage.exists(order_file.file.name)
    assert (Invoice.objects.count(), Payment.objects.count()) == (invoices, payments)


def test_purge_re_run_does_nothing_more(owner_eservice):
    for _ in range(3):
        aged(95, eservice=owner_eservice)

    first = purge_expired_files(batch_size=2)
    second = purge_expired_files(batch_size=2)

    assert (first.purged, first.batches) == (3, 2)
    assert second.purged == 0
    assert DocumentAuditEntry.objects.count() == 3


def test_purge_after_a_crash_between_delete_and_commit_finishes_the_job(owner_eservice):
    # The file is gone from storage but the record was never marked: a run killed mid-batch.
    document = aged(95, eservice=owner_eservice)
    default_storage.delete(document.file.name)

    report = purge_expired_files()

    document.refresh_from_db()
    assert report.purged == 1
    assert document.is_deleted
    assert DocumentAuditEntry.objects.filter(document=document).count() == 1


def test_purge_storage_failure_leaves_the_record_for_the_next_run(owner_eservice):
    broken = aged(95, eservice=owner_eservice, name="a.pdf")
    fine = aged(96, eservice=owner_eservice, name="b.pdf")

    report = purge_expired_files(storage=FailingStorage({broken.file.name}), batch_size=1)

    broken.refresh_from_db()
    fine.refresh_from_db()
    assert (report.purged, report.failed, report.failed_ids) == (1, 1, [broken.pk])
    assert broken.is_deleted is False
    assert default_storage.exists(broken.file.name)
    assert fine.is_deleted is True
    assert DocumentAuditEntry.objects.get(document=broken).action == "purge_failed"

    purge_expired_files()

    broken.refresh_from_db()
    assert broken.is_deleted is True
    assert list(
        DocumentAuditEntry.objects.filter(document=broken)
        .order_by("id")
        .values_list("action", flat=True)
    ) == ["purge_failed", "purged"]


@pytest.mark.django_db(transaction=True)
def test_purge_skips_rows_another_run_has_locked(reference_data, owner_eservice):
    from django.db import connections

    locked = aged(95, eservice=owner_eservice)
    free = aged(96, eservice=owner_eservice)
    # A second connection holds the row lock, as a concurrent purge would.
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute("BEGIN")
            cursor.execute(
                "SELECT id FROM documents_document WHERE id = %s FOR UPDATE", [locked.pk]
            )
        report = purge_expired_files()
    finally:
        other.close()

    locked.refresh_from_db()
    free.refresh_from_db()
    assert report.purged == 1
    assert (locked.is_deleted, free.is_deleted) == (False, True)


def test_purge_task_returns_its_report(owner_eservice):
    aged(95, eservice=owner_eservice)

    assert purge_task.delay().get() == {
        "purged": 1,
        "failed": 0,
        "batches": 1,
        "exports": 0,
        "others": {"message_attachments": 0},  # conversations' attachments, by the same run
    }


def test_purge_management_command(owner_eservice):
    aged(95, eservice=owner_eservice)
    out = StringIO()

    call_command("purge_expired_files", stdout=out)

    assert out.getvalue().startswith("Deleted 1 files, 0 failed (kept for the next run), 1 batches")
    assert Document.objects.get().is_deleted


def test_purge_management_command_refuses_a_bad_batch_size():
    with pytest.raises(CommandError):
        call_command("purge_expired_files", "--batch-size", "0")


def test_remind_expiring_files_once_per_file(
    owner, owner_eservice, mailoutbox, django_capture_on_commit_callbacks
):
    aged(84, eservice=owner_eservice, name="drīz.pdf")  # expires in 6 days
    aged(80, eservice=owner_eservice, name="vēlāk.pdf")  # in 10 days: not yet
    aged(95, eservice=owner_eservice, name="jau.pdf")  # already expired

    with django_capture_on_commit_callbacks(execute=True):
        first = remind_expiring_files()
    second = remind_expiring_files()

    assert (first, second) == (1, 0)
    notification = Notification.objects.get()
    assert notification.kind == Notification.Kind.FILES_EXPIRING
    assert notification.recipient == owner
    assert "drīz.pdf" in notification.body
    assert "vēlāk.pdf" not in notification.body
    assert len(mailoutbox) == 1


def test_remind_expiring_files_leaves_order_files_alone(paid_order):
    aged(85, order_part=paid_order.parts.get())

    assert remind_expiring_files() == 0
    assert Notification.objects.count() == 0


class ProcessKilled(BaseException):
    """What kill -9 looks like from inside: nothing after this line runs, no except: catches it."""


class DyingStorage(FileSystemStorage):
    """Deletes the object, then the process "dies" right after deleting `dies_after`."""

    def __init__(self, dies_after: str):
        super().__init__(location=default_storage.location)
        self.dies_after = dies_after

    def delete(self, name):
        super().delete(name)
        if name == self.dies_after:
            raise ProcessKilled


def test_purge_killed_mid_batch_leaves_no_record_whose_file_is_gone_unmarked(
    signed_in, owner, owner_eservice
):
    """Issue 11, point 6: a purge killed between deleting objects and committing their batch
    used to leave records that looked downloadable with nothing behind them (a 500)."""
    from django.urls import reverse

    documents = [aged(95 + i, eservice=owner_eservice, name=f"{i}.pdf") for i in range(5)]
    oldest = min(documents, key=lambda d: d.uploaded_at)

    with pytest.raises(ProcessKilled):
        purge_expired_files(storage=DyingStorage(oldest.file.name), batch_size=10)

    http = signed_in(owner)
    for document in documents:
        gone = not default_storage.exists(document.file.name)
        document.refresh_from_db()
        response = http.get(reverse("documents:download", args=[document.pk]))
        assert response.status_code in (200, 403)
        if gone:
            assert document.is_deleted
            assert response.status_code == 403
            assert "Datne dzēsta" in response.content.decode()

    report = purge_expired_files()  # the next night's run finishes the job, once

    assert report.purged == 5
    assert Document.objects.filter(deleted_at__isnull=True).count() == 0
    assert Document.objects.exclude(file="").count() == 0
    assert sorted(
        DocumentAuditEntry.objects.filter(action="purged").values_list("document_id", flat=True)
    ) == sorted(d.pk for d in documents)
    assert purge_expired_files().purged == 0


def test_each_purge_run_is_recorded(owner_eservice):
    from documents.models import PurgeRun

    aged(95, eservice=owner_eservice)

    purge_expired_files()

    run = PurgeRun.objects.get()
    assert run.finished_at is not None
    assert run.finished_at >= run.started_at
    assert (run.files_purged, run.files_failed) == (1, 0)
