"""The outbox sweep, sent by the one Celery beat every minute (CELERY_BEAT_SCHEDULE in settings)."""

from __future__ import annotations

from celery import shared_task

from outbox import relay


@shared_task(acks_late=True)
def relay_pending() -> int:
    """Publish outbox messages whose publish after commit failed (the broker was down or paused).

    Safe to run twice at once or twice in a row: rows are locked with SKIP LOCKED and marked sent.
    """
    return relay.relay_pending()
