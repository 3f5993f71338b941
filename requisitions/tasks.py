"""Request deadlines, run by the one Celery beat (CELERY_BEAT_SCHEDULE in settings):
`expire_requests` daily at 00:15 (past-deadline requests become "Termiņš beidzies" and show on
the desk; those past their service's automatic-termination days are terminated) and
`remind_requests` daily at 08:00 (a week and a day before a deadline).

Idempotent (each reminder is recorded against the deadline it was sent for; an expired or
terminated request is not picked again), so they run with acks_late + reject_on_worker_lost.
`today` (ISO date) is for operators re-running a missed day and for the tests that move time.
"""

from __future__ import annotations

import logging
from datetime import date

from celery import shared_task

from requisitions import services

log = logging.getLogger(__name__)


def _day(today: str | None) -> date | None:
    return date.fromisoformat(today) if today else None


@shared_task(acks_late=True, reject_on_worker_lost=True)
def expire_requests(today: str | None = None) -> dict:
    """Expire requests past their deadline, then terminate those their service ends
    automatically."""
    day = _day(today)
    expired = services.expire_due(day)
    terminated = services.terminate_overdue(day)
    log.info("requests expired: %s, terminated automatically: %s", expired, terminated)
    return {"expired": expired, "terminated": terminated}


@shared_task(acks_late=True, reject_on_worker_lost=True)
def remind_requests(today: str | None = None) -> dict:
    """Remind clients of requests due in a week and in a day (once per deadline each)."""
    sent = services.send_reminders(_day(today))
    log.info("request reminders sent: %s", sent)
    return sent
