"""What happens to documents: clients submit them, staff attach results, old e-service files are
purged after FILE_RETENTION_DAYS, and clients are reminded before that."""

from __future__ import annotations

import logging
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import BooleanField, Q
from django.db.models.expressions import RawSQL
from django.utils import timezone

from documents import signing
from documents.models import Document, DocumentAuditEntry, PurgeRun
from documents.notices import notify_files_expiring, notify_result_attached
from eservices.jobs import purge_expired_exports
from manskonts.audit import log_bulk_created
from manskonts.storage import delete_stored
from manskonts.validation import CheckedUpload

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
                signing.prepare(document, item)
                item.upload.seek(0)
                document.file.save(item.display_name, item.upload, save=False)
                stored.append(document.file.name)
                documents.append(document)
            created = Document.objects.bulk_create(documents)
            log_bulk_created(created)  # bulk_create writes no audit entries by itself
            # PDFs and containers not checked at the upload: a task each, after the commit.
            signing.schedule(created)
            return created
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


def purgeable_files() -> Q:
    """E-service files not yet deleted, of any age: order files, invoices and payments are never
    purged."""
    return Q(eservice__isnull=False, deleted_at__isnull=True)


def expired_files(now: datetime | None = None) -> Q:
    """The e-service files a purge at `now` deletes: kept FILE_RETENTION_DAYS already."""
    return purgeable_files() & Q(uploaded_at__lt=retention_cutoff(now))


def expiring_soon(now: datetime | None = None) -> Q:
    """E-service files to be deleted within FILE_EXPIRY_REMINDER_DAYS: a purge now keeps them, a
    purge that many days from now deletes them. The overview lists these; the reminder tells of
    them."""
    cutoff = retention_cutoff(now)
    soon = cutoff + timedelta(days=settings.FILE_EXPIRY_REMINDER_DAYS)
    return purgeable_files() & Q(uploaded_at__gte=cutoff, uploaded_at__lt=soon)


@dataclass
class PurgeReport:
    purged: int = 0
    failed: int = 0
    batches: int = 0
    seconds: float = 0.0
    exports_purged: int = 0
    exports_failed: int = 0
    failed_ids: list[int] = field(default_factory=list)
    # Files of the apps above under the same rule (register_retention_purge): key -> (purged, failed)
    others: dict[str, tuple[int, int]] = field(default_factory=dict)


# The apps above keep files under the same FILE_RETENTION_DAYS rule (message attachments): each
# registers its purge here from its AppConfig.ready, and the one daily run calls it after the
# documents. A purge takes `now` and `storage` and returns (files purged, files failed).
RetentionPurge = Callable[..., tuple[int, int]]
_retention_purges: dict[str, RetentionPurge] = {}


def register_retention_purge(key: str, purge: RetentionPurge) -> None:
    _retention_purges[key] = purge


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


def _finish_batch(
    rows: list[tuple[int, str]], *, now: datetime, storage, report: PurgeReport
) -> None:
    """Delete from storage the objects of rows already marked deleted (that marking committed),
    then clear their keys with an audit entry each. A failure un-marks its row: the object is
    still there, so the file stays available until a later run deletes it. Every statement is
    conditional on the key still being set, so a second run working on the same rows at the
    same moment neither audits a file twice nor un-marks one the other has finished."""
    failures = _delete_all(rows, storage)
    done = [pk for pk, _key in rows if pk not in failures]
    audit_table = DocumentAuditEntry._meta.db_table
    document_table = Document._meta.db_table
    with transaction.atomic():
        if done:
            finished = list(
                Document.objects.filter(pk__in=done, deleted_at__isnull=False)
                .exclude(file="")
                .select_for_update()
                .values_list("id", flat=True)
            )
            if finished:
                with connection.cursor() as cursor:
                    # The entry copies name, size and key from the row before the key is cleared.
                    cursor.execute(
                        f"INSERT INTO {audit_table} "  # noqa: S608 — table names, not input
                        "(document_id, action, at, storage_key, original_name, size, detail) "
                        f"SELECT id, %s, deleted_at, file, original_name, size, '' "
                        f"FROM {document_table} WHERE id = ANY(%s)",
                        [DocumentAuditEntry.Action.PURGED, finished],
                    )
                Document.objects.filter(pk__in=finished).update(file="")
            report.purged += len(finished)
        if failures:
            for pk, error in failures.items():
                log.warning("purge: storage refused document_id=%s: %r", pk, error)
            failed = list(
                Document.objects.filter(pk__in=list(failures))
                .exclude(file="")
                .select_for_update()
                .values_list("id", "file", "original_name", "size")
            )
            Document.objects.filter(pk__in=[row[0] for row in failed]).update(deleted_at=None)
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
    report.batches += 1


def unfinished_purges() -> Q:
    """Records marked deleted whose object was not yet confirmed gone: a run killed mid-batch."""
    return Q(deleted_at__isnull=False) & ~Q(file="")


def purge_expired_files(
    *, now: datetime | None = None, batch_size: int = PURGE_BATCH_SIZE, storage=None
) -> PurgeReport:
    """Delete from storage every e-service file older than FILE_RETENTION_DAYS, keep its record
    (name, size, deleted_at) and write an audit entry per file; then the files of Excel exports
    older than EXPORT_RETENTION_DAYS (`eservices.jobs.purge_expired_exports`, records kept);
    record the run (`PurgeRun`).

    A record is marked deleted, and that committed, *before* its object is deleted from storage;
    only afterwards is its storage key cleared (with the audit entry). So whenever a run dies —
    killed mid-batch, the machine gone — a record whose object may be gone already says
    "deleted" and no download tries to serve it; the next run first finishes what such a run
    left (rows marked deleted that still have a key: deleting a missing object is not an
    error), then goes on. Batches are locked with SELECT … FOR UPDATE SKIP LOCKED, so two runs
    never fight over a row. A file whose deletion fails is un-marked (it is still there), gets
    a `purge_failed` audit entry and is retried by the next run. The walk goes forward by
    (uploaded_at, id), so failures do not loop. Memory is bounded by one batch.
    """
    started = time.monotonic()
    run = PurgeRun.objects.create()
    now = now or timezone.now()
    report = PurgeReport()

    last_id = 0
    while True:
        leftovers = list(
            Document.objects.filter(unfinished_purges(), pk__gt=last_id)
            .order_by("id")
            .values_list("id", "file")[:batch_size]
        )
        if not leftovers:
            break
        last_id = leftovers[-1][0]
        _finish_batch(leftovers, now=now, storage=storage, report=report)

    after: tuple[datetime, int] | None = None
    document_table = Document._meta.db_table
    while True:
        with transaction.atomic():
            queue = Document.objects.filter(expired_files(now))
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
            Document.objects.filter(pk__in=[pk for pk, _at, _key in batch]).update(deleted_at=now)
        # Committed: from here on these records say "deleted", whatever becomes of this process.
        _finish_batch(
            [(pk, key) for pk, _at, key in batch], now=now, storage=storage, report=report
        )

    # Excel exports are kept EXPORT_RETENTION_DAYS; the same run deletes their files.
    report.exports_purged, report.exports_failed = purge_expired_exports(now=now, storage=storage)
    for key in sorted(_retention_purges):
        report.others[key] = _retention_purges[key](now=now, storage=storage)
    report.seconds = time.monotonic() - started
    PurgeRun.objects.filter(pk=run.pk).update(
        finished_at=timezone.now(),
        files_purged=report.purged,
        files_failed=report.failed,
        exports_purged=report.exports_purged,
    )
    log.info(
        "purge: %s files deleted, %s failed, %s batches, %s exports deleted, others %s, %.1f s",
        report.purged,
        report.failed,
        report.batches,
        report.exports_purged,
        report.others,
        report.seconds,
    )
    return report


def remind_expiring_files(*, now: datetime | None = None) -> int:
    """Tell clients which e-service files will be deleted within FILE_EXPIRY_REMINDER_DAYS; each
    file is reminded of once. Returns the number of files reminded of."""
    now = now or timezone.now()
    with transaction.atomic():
        due = list(
            Document.objects.filter(expiring_soon(now), expiry_reminded_at__isnull=True)
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
