import logging
import smtplib

from celery import shared_task

from notifications.models import Notification
from notifications.services import send_email

log = logging.getLogger(__name__)


@shared_task(
    autoretry_for=(smtplib.SMTPException, ConnectionError, TimeoutError),
    retry_backoff=30,
    retry_backoff_max=3600,
    max_retries=8,
)
def send_notification_email(notification_id: int) -> None:
    """Email one notification; retried with back-off while the mail server fails."""
    notification = (
        Notification.objects.select_related("recipient")
        .filter(pk=notification_id, emailed_at__isnull=True)
        .first()
    )
    if notification is None:
        log.info("notification %s gone or already emailed", notification_id)
        return
    send_email(notification)
