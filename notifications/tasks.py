"""Notification emails, sent by a worker after the transaction that created them commits
(`notify` writes them to the outbox). Thin: an id in, the service function does the work."""

import logging
import smtplib

from celery import shared_task
from django.db import transaction

from notifications.models import Notification, StaffEmail
from notifications.services import send_email
from notifications.services import send_staff_email as send_one_staff_email

log = logging.getLogger(__name__)

# What a mail server or the network throws when it is down or busy: worth another try later.
RETRYABLE = (smtplib.SMTPException, ConnectionError, TimeoutError, OSError)
# How every email task runs: retried with back-off (30 s doubling to an hour, 8 tries) while the mail
# server fails, acknowledged after it ran, and given back if its worker dies. `@email_task`.
EMAIL_TASK = {
    "autoretry_for": RETRYABLE,
    "retry_backoff": 30,
    "retry_backoff_max": 3600,
    "retry_jitter": True,
    "max_retries": 8,
    "acks_late": True,
    "reject_on_worker_lost": True,
}
email_task = shared_task(**EMAIL_TASK)


@email_task
def send_notification_email(notification_id: int) -> bool:
    """Email one notification; retried with back-off while the mail server fails.

    Idempotent: the row is locked while sending and `emailed_at` is set in the same transaction,
    so a re-delivered task (acks_late) finds it sent and does nothing. Returns whether it sent.
    """
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("recipient")
            .filter(pk=notification_id, emailed_at__isnull=True)
            .first()
        )
        if notification is None:
            log.info("notification %s gone, already emailed or being sent", notification_id)
            return False
        if not notification.recipient.email or not notification.recipient.is_active:
            log.info("notification %s: recipient has no email", notification_id)
            return False
        send_email(notification)
    return True


@email_task
def send_staff_email(email_id: int) -> bool:
    """Email one StaffEmail; idempotent like send_notification_email (locked, marked sent in the
    same transaction). Returns whether it sent."""
    with transaction.atomic():
        email = (
            StaffEmail.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("recipient")
            .filter(pk=email_id, emailed_at__isnull=True)
            .first()
        )
        if email is None:
            log.info("staff email %s gone, already sent or being sent", email_id)
            return False
        if not email.recipient.email or not email.recipient.is_active:
            log.info("staff email %s: recipient has no email", email_id)
            return False
        send_one_staff_email(email)
    return True
