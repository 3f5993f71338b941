"""Periodic document jobs, run by the one Celery beat (CELERY_BEAT_SCHEDULE in settings):
`purge_expired_files` (e-service files and Excel exports) daily at 02:30 and `remind_expiring_files` daily at 08:00, Riga time.
`check_signature` is no periodic job: the upload sends it through the outbox (documents/signing.py).

Both are idempotent, so they run with acks_late + reject_on_worker_lost: a worker killed mid-way
gives the task back to Redis and the re-run finishes the job (committed batches are not redone).
"""

from __future__ import annotations

import logging

from celery import shared_task

from documents import services, signing

log = logging.getLogger(__name__)


@shared_task(acks_late=True, reject_on_worker_lost=True)
def purge_expired_files(batch_size: int = services.PURGE_BATCH_SIZE) -> dict:
    """Delete e-service files kept longer than FILE_RETENTION_DAYS (records and audit kept), the
    registered files of the apps above under the same rule (message attachments), and Excel export
    files kept longer than EXPORT_RETENTION_DAYS (records kept)."""
    report = services.purge_expired_files(batch_size=batch_size)
    return {
        "purged": report.purged,
        "failed": report.failed,
        "batches": report.batches,
        "exports": report.exports_purged,
        "others": {key: purged for key, (purged, _failed) in report.others.items()},
    }


@shared_task(acks_late=True, reject_on_worker_lost=True)
def remind_expiring_files() -> int:
    """Remind clients, once per file, of e-service files that expire within the reminder window."""
    return services.remind_expiring_files()


@shared_task(acks_late=True, reject_on_worker_lost=True)
def check_signature(document_id: int) -> str:
    """Validate an uploaded PDF's or container's signature and store the result (sent through
    the outbox right after the upload; idempotent: a second delivery checks it again)."""
    document = signing.check_stored(document_id)
    return document.signature_status if document is not None else ""
