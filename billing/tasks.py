"""Background work of billing: importing bank statements."""

from __future__ import annotations

import logging

from celery import shared_task
from django.utils.translation import gettext as _

from billing import camt
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
