"""Messages waiting to be published to the Celery broker (see outbox/relay.py)."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class MessageQuerySet(models.QuerySet):
    def pending(self) -> MessageQuerySet:
        return self.filter(sent_at__isnull=True)

    def for_task(self, task_name: str, args: list) -> MessageQuerySet:
        return self.filter(task_name=task_name, args=args)


class Message(models.Model):
    """One task to send: written with the change that needs it, published when the broker answers."""

    task_id = models.UUIDField(_("uzdevuma ID"), default=uuid.uuid4, unique=True, editable=False)
    task_name = models.CharField(_("uzdevums"), max_length=200)
    args = models.JSONField(_("argumenti"), default=list, blank=True)
    kwargs = models.JSONField(_("nosauktie argumenti"), default=dict, blank=True)
    queue = models.CharField(_("rinda"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("izveidots"), default=timezone.now)
    attempts = models.PositiveIntegerField(_("mēģinājumi"), default=0)
    sent_at = models.DateTimeField(_("nosūtīts"), null=True, blank=True)
    last_error = models.TextField(_("pēdējā kļūda"), blank=True)

    objects = MessageQuerySet.as_manager()

    class Meta:
        verbose_name = _("fona uzdevums")
        verbose_name_plural = _("fona uzdevumi izsūtnē")
        ordering = ["-created_at", "-id"]
        indexes = [
            # The sweep reads the oldest unsent rows; sent ones are many and never read by it.
            models.Index(
                fields=["created_at", "id"],
                condition=models.Q(sent_at__isnull=True),
                name="outbox_pending",
            ),
            models.Index(fields=["sent_at"], name="outbox_sent_at"),
        ]

    def __str__(self) -> str:
        return f"{self.task_name} {self.task_id}"

    @property
    def is_sent(self) -> bool:
        return self.sent_at is not None
