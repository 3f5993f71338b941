"""Background work of e-services: large Excel reports (see `eservices.jobs` for their life)."""

from __future__ import annotations

from celery import shared_task

from eservices import jobs


@shared_task(acks_late=True)
def build_export(job_id: str) -> None:
    """Build one ExportJob's workbook (started from the report page when it has > 5 000 rows).

    Safe to deliver twice: a finished job is never rebuilt, a job a live worker holds is left to
    it, and a job waiting for another export of its client is started when that one finishes."""
    jobs.run(job_id)


@shared_task(acks_late=True)
def recover_exports() -> dict:
    """Celery beat, every minute: resume (or fail, after EXPORT_MAX_ATTEMPTS) the exports whose
    worker died, and re-send waiting exports whose turn has come."""
    return jobs.recover()
