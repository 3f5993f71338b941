"""What happens to documents: clients submit them, staff attach results, old e-service files are
purged after FILE_RETENTION_DAYS, and clients are reminded before that."""

from __future__ import annotations

import logging
import time
from collections import defaultdict
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import BooleanField, Q
from django.db.models.expressions import RawSQL
from django.utils import timezone

from documents.models import Document, DocumentAuditEntry
from documents.storage import delete_stored
from documents.validation import CheckedUpload

log = logging.getLogger("manskonts.documents")

PURGE_BATCH_SIZE = 1000
PURGE_DELETE_THREADS = 8


# --- Storing files --------------------------------------------------------------------------------


def _store(
    checked: Iterable[CheckedUpload], *, direction: str, by, eservice=None, order_part=None
) -> list[Document]:
    """Save every file under a generated key and create its record, all or nothing: if one
    fails, the files already written are deleted again and no record remains."""
    stored: list[str] = []
    try:
        with transaction.atomic():
            documents = []
            for item in checked:
                document = Document(
                    original_name=item.display_name,
                    size=item.size,
                    content_type=item.content_type,
                    direction=direction,
                    eservice=eservice,
                    order_part=order_part,
                    uploaded_by=by,
                    uploaded_at=timezone.now(),
                )
                item.upload.seek(0)
                document.file.save(item.display_name, item.upload, save=False)
                stored.append(document.file.name)
                documents.append(document)
            return Document.objects.bulk_create(documents)
    except BaseException:
        for name in stored:
            try:
                delete_stored(name)
            except Exception:  # the original error matters more; the orphan is logged
                log.exception("could not remove orphaned upload %s", name)
        raise


def submit_documents(
    files: list[CheckedUpload], *, by, eservice=None, order_part=None
) -> list[Document]:
    """A client submits checked files to one of their e-services or order parts."""
    return _store(
        files,
        direction=Document.Direction.SUBMITTED,
        by=by,
        eservice=eservice,
        order_part=order_part,
    )


def attach_result(checked: CheckedUpload, *, by, eservice=None, order_part=None) -> Document:
    """Staff attach a result; the client is notified once the transaction commits."""
    from notifications.services import notify_result_attached

    with transaction.atomic():
        [document] = _store(
            [checked],
            direction=Document.Direction.RESULT,
            by=by,
            eservice=eservice,
            order_part=order_part,
        )
        notify_result_attached(document)
    return document


# --- Retention ------------------------------------------------------------------------------------


def retention_cutoff(now: datetime | None = None) -> datetime:
    """Files uploaded before this moment have been kept FILE_RETENTION_DAYS and are due."""
    return (now or timezone.now()) - timedelta(days=settings.FILE_RETENTION_DAYS)


def expired_files() -> Q:
    """E-service files only: order files, invoices and payments are never purged."""
    return Q(eservice__isnull=False, deleted_at__isnull=True)


@dataclass
class PurgeReport:
    purged: int = 0
    failed: int = 0
    batches: int = 0
    seconds: float = 0.0
    failed_ids: list[int] = field(default_factory=list)


def _delete_all(keys: list[tuple[int, str]], storage) -> dict[int, Exception]:
    """Delete the objects of one batch, several at a time (each call waits on a disk or a
    network); returns the failures by document id."""
    failures: dict[int, Exception] = {}

    def delete(item: tuple[int, str]) -> None:
        pk, key = item
        try:
            delete_stored(key, storage)
        except Exception as error:  # any storage failure: keep the record for the next run
            failures[pk] = error

    with ThreadPoolExecutor(max_workers=PURGE_DELETE_THREADS) as pool:
        list(pool.map(delete, keys))
    return failures


def purge_expired_files(
    *, now: datetime | None = None, batch_size: int = PURGE_BATCH_SIZE, storage=None
) -> PurgeReport:
    """Delete from storage every e-service file older than FILE_RETENTION_DAYS, keep its record
    (name, size, deleted_at) and write an audit entry per file.

    Batches are locked with SELECT … FOR UPDATE SKIP LOCKED and committed one by one, so two runs
    never fight over a row and a run killed mid-way loses at most one uncommitted batch: its
    records stay undeleted and the next run deletes them again (a missing object is not an error).
    A file whose deletion fails keeps its record, gets a `purge_failed` audit entry and is retried
    by the next run. The walk goes forward by (uploaded_at, id), so failures do not loop. Memory is
    bounded by one batch; the audit entries and the marking are two set-based statements.
    """
    started = time.monotonic()
    now = now or timezone.now()
    cutoff = retention_cutoff(now)
    report = PurgeReport()
    after: tuple[datetime, int] | None = None
    audit_table = DocumentAuditEntry._meta.db_table
    document_table = Document._meta.db_table
    while True:
        with transaction.atomic():
            queue = Document.objects.filter(expired_files(), uploaded_at__lt=cutoff)
            if after is not None:
                # A row comparison, so the index scan starts where the last batch ended instead
                # of stepping over every row the earlier batches marked.
                queue = queue.filter(
                    RawSQL(  # noqa: S611 — a table name and two bound parameters
                        f"({document_table}.uploaded_at, {document_table}.id) > (%s, %s)",
                        after,
                        output_field=BooleanField(),
                    )
                )
            batch = list(
                queue.order_by("uploaded_at", "id")
                .select_for_update(skip_locked=True, of=("self",))
                .values_list("id", "uploaded_at", "file")[:batch_size]
            )
            if not batch:
                break
            after = (batch[-1][1], batch[-1][0])
            failures = _delete_all([(pk, key) for pk, _at, key in batch], storage)
            done = [pk for pk, _at, _key in batch if pk not in failures]
            if done:
                with connection.cursor() as cursor:
                    # The audit entry copies name, size and key from the row before it is marked.
                    cursor.execute(
                        f"INSERT INTO {audit_table} "  # noqa: S608 — table names, not input
                        "(document_id, action, at, storage_key, original_name, size, detail) "
                        f"SELECT id, %s, %s, file, original_name, size, '' FROM {document_table} "
                        "WHERE id = ANY(%s)",
                        [DocumentAuditEntry.Action.PURGED, now, done],
                    )
                Document.objects.filter(pk__in=done).update(deleted_at=now, file="")
            if failures:
                for pk, error in failures.items():
                    log.warning("purge: storage refused document_id=%s: %r", pk, error)
                failed = Document.objects.filter(pk__in=list(failures)).values_list(
                    "id", "file", "original_name", "size"
                )
                DocumentAuditEntry.objects.bulk_create(
                    DocumentAuditEntry(
                        document_id=pk,
                        action=DocumentAuditEntry.Action.PURGE_FAILED,
                        at=now,
                        storage_key=key,
                        original_name=name,
                        size=size,
                        detail=repr(failures[pk])[:255],
                    )
                    for pk, key, name, size in failed
                )
                report.failed += len(failures)
                report.failed_ids.extend(sorted(failures))
            report.purged += len(done)
            report.batches += 1
    report.seconds = time.monotonic() - started
    log.info(
        "purge: %s files deleted, %s failed, %s batches, %.1f s",
        report.purged,
        report.failed,
        report.batches,
        report.seconds,
    )
    return report


def remind_expiring_files(*, now: datetime | None = None) -> int:
    """Tell clients which e-service files will be deleted within FILE_EXPIRY_REMINDER_DAYS; each
    file is reminded of once. Returns the number of files reminded of."""
    from notifications.services import notify_files_expiring

    now = now or timezone.now()
    cutoff = retention_cutoff(now)
    soon = cutoff + timedelta(days=settings.FILE_EXPIRY_REMINDER_DAYS)
    with transaction.atomic():
        due = list(
            Document.objects.filter(
                expired_files(),
                uploaded_at__gte=cutoff,
                uploaded_at__lt=soon,
                expiry_reminded_at__isnull=True,
            )
            .select_related("eservice__client")
            .select_for_update(skip_locked=True, of=("self",))
            .order_by("eservice_id", "uploaded_at", "id")
        )
        by_eservice: dict[int, list[Document]] = defaultdict(list)
        for document in due:
            by_eservice[document.eservice_id].append(document)
        for documents in by_eservice.values():
            notify_files_expiring(documents[0].eservice, documents)
        Document.objects.filter(pk__in=[d.pk for d in due]).update(expiry_reminded_at=now)
    return len(due)
