"""Staff sign-in emails, sent by a worker from the outbox once the failure that locked the
sign-in is committed, and retried while the mail server is down."""

from __future__ import annotations

import logging

from django.utils.dateparse import parse_datetime

from accounts.models import User
from accounts.staff_signin import email_locked_out_staff
from notifications.tasks import email_task

log = logging.getLogger(__name__)


@email_task
def send_lockout_email(user_id: int, address: str, minutes: int, at: str) -> bool:
    """Tell a staff member their sign-in from `address` is locked for `minutes` since `at`.

    Delivered at least once by the outbox; a second delivery sends a second copy of the same
    message, which is harmless. Returns whether it sent.
    """
    user = User.objects.filter(pk=user_id, is_staff=True, is_active=True).first()
    if user is None or not user.email:
        log.info("lockout email for user %s: no active staff member with an email", user_id)
        return False
    email_locked_out_staff(user, address, minutes, parse_datetime(at))
    return True
