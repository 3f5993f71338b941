"""Background work of billing: importing bank statements, and the beat's daily reminder of unpaid
prepayment invoices due soon (`remind_invoices_due`, 08:10; CELERY_BEAT_SCHEDULE in settings)."""

from __future__ import annotations

import logging
from datetime import date

from celery import shared_task
from django.utils.translation import gettext as _

from billing import camt, services
from billing.models import BankStatement

logger = logging.getLogger(__name__)


@shared_task(acks_late=True)
def import_bank_statement(statement_id: int) -> None:
    """Import one saved BankStatement (queued by the admin when the file is uploaded)."""
    if not BankStatement.objects.filter(pk=statement_id).exists():
        logger.info("Bank statement %s is gone; nothing to do.", statement_id)
        return
    try:
        camt.run_import(statement_id)
    except Exception:
        logger.exception("Bank statement %s import failed", statement_id)
        camt.fail_import(
            statement_id,
            _(
                "Imports apstājās kļūdas dēļ; jau importētie ieraksti ir saglabāti. Augšupielādējiet "
                "datni vēlreiz: jau importētie ieraksti netiks ieskaitīti divreiz."
            ),
        )
        raise


@shared_task(acks_late=True, reject_on_worker_lost=True)
def remind_invoices_due(today: str | None = None) -> int:
    """Remind clients of unpaid prepayment invoices due soon, once per due date (idempotent).
    `today` (ISO date): an operator's re-run of a missed day, or a test moving time."""
    return services.remind_invoices_due(date.fromisoformat(today) if today else None)
