"""Emails about conversations, sent by a worker after the transaction that asked for them commits
(notices.tell_staff_of_message writes them to the outbox). Thin: an id in, the notice does the
work."""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils import timezone

from conversations import notices
from conversations.models import Message
from notifications.tasks import email_task

log = logging.getLogger(__name__)


@email_task
def email_staff_of_message(message_id: int) -> bool:
    """Email VZD about one client message; idempotent (the row is locked while sending and marked
    in the same transaction, so a re-delivered task sends nothing). Returns whether it sent."""
    with transaction.atomic():
        message = (
            Message.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("thread__order", "thread__client", "thread__assignee")
            .filter(pk=message_id, staff_emailed_at__isnull=True, from_staff=False)
            .first()
        )
        if message is None:
            log.info("message %s gone, already emailed or being sent", message_id)
            return False
        to = notices.staff_recipient(message.thread)
        if not to:
            log.info("message %s: no clerk assigned and no CONVERSATIONS_STAFF_EMAIL", message_id)
            return False
        notices.email_staff(message, to)
        Message.objects.filter(pk=message.pk).update(staff_emailed_at=timezone.now())
    return True
