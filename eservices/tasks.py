"""Background work of e-services: large Excel reports."""

from __future__ import annotations

import logging

from celery import shared_task

logger = logging.getLogger(__name__)


@shared_task(acks_late=True)
def build_export(job_id: str) -> None:
    """Build one ExportJob's workbook (started from the report page when it has > 5 000 rows)."""
    from eservices.exporters import run_export_job
    from eservices.models import ExportJob

    job = ExportJob.objects.select_related("client", "requested_by").filter(pk=job_id).first()
    if job is None:
        logger.info("Export job %s is gone; nothing to do.", job_id)
        return
    run_export_job(job)
