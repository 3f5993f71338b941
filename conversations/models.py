"""Conversations (sarunas): one thread per order and per e-service, messages both ways between the
client's people and VZD, with attachments kept FILE_RETENTION_DAYS (the message text is kept)."""

from __future__ import annotations

import uuid
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def attachment_key(instance: Attachment, filename: str) -> str:
    """A generated key: never the client's file name as a path, never an overwrite."""
    return f"conversations/{timezone.now():%Y/%m}/{uuid.uuid4().hex}"


class ThreadQuerySet(models.QuerySet):
    def for_client(self, client) -> ThreadQuerySet:
        return self.filter(client=client)


class Thread(models.Model):
    """The conversation about one order or one e-service, created with its first message."""

    class Status(models.TextChoices):
        WAITING = "waiting", _("Gaida VZD atbildi")
        ANSWERED = "answered", _("VZD atbildējis")

    order = models.OneToOneField(
        "orders.Order",
        verbose_name=_("pasūtījums"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="thread",
    )
    eservice = models.OneToOneField(
        "eservices.EService",
        verbose_name=_("e-pakalpojums"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="thread",
    )
    # The order's or e-service's client, repeated so that client pages filter one table by it
    # (like OrderPart.client); moved with the order (conversations/receivers.py).
    client = models.ForeignKey(
        "accounts.Client",
        verbose_name=_("klients"),
        on_delete=models.PROTECT,
        related_name="threads",
        editable=False,
    )
    status = models.CharField(
        _("statuss"), max_length=10, choices=Status.choices, default=Status.ANSWERED
    )
    # The client's oldest message that VZD has not answered yet; None once VZD answered.
    waiting_since = models.DateTimeField(_("gaida atbildi kopš"), null=True, blank=True)
    last_message_at = models.DateTimeField(_("pēdējā ziņa"), default=timezone.now)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("atbildīgais"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        limit_choices_to={"is_staff": True, "is_active": True},
    )
    created_at = models.DateTimeField(_("izveidota"), default=timezone.now)

    objects = ThreadQuerySet.as_manager()

    class Meta:
        verbose_name = _("saruna")
        verbose_name_plural = _("sarunas")
        ordering = ["-last_message_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(eservice__isnull=False, order__isnull=True)
                    | Q(eservice__isnull=True, order__isnull=False)
                ),
                name="thread_on_one_order_or_eservice",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["waiting", "answered"]), name="thread_valid_status"
            ),
        ]
        indexes = [
            # The desk and the clerk's list: unanswered threads, oldest first.
            models.Index(
                fields=["waiting_since", "id"],
                name="thread_unanswered",
                condition=Q(status="waiting"),
            ),
        ]

    def __str__(self) -> str:
        if self.order_id:
            return _("Saruna par pasūtījumu %(number)s") % {"number": self.order.number}
        return _("Saruna par e-pakalpojumu %(id)s") % {"id": self.eservice_id}

    @property
    def target(self):
        """The order or e-service the conversation is about."""
        return self.order if self.order_id else self.eservice


class MessageQuerySet(models.QuerySet):
    def for_client(self, client) -> MessageQuerySet:
        return self.filter(client=client)

    def unread_by_client(self) -> MessageQuerySet:
        return self.filter(from_staff=True, read_at__isnull=True)

    def unread_by_staff(self) -> MessageQuerySet:
        return self.filter(from_staff=False, read_at__isnull=True)

    def with_new_to_client(self) -> MessageQuerySet:
        """Each message with `is_new`: VZD's and not yet read by the client's side when read
        from the database (the page marks them read after reading them: they still show new)."""
        return self.annotate(
            is_new=models.ExpressionWrapper(
                Q(from_staff=True, read_at__isnull=True), output_field=models.BooleanField()
            )
        )


class Message(models.Model):
    """One message: from one of the client's people or from a VZD clerk. Never edited."""

    thread = models.ForeignKey(
        Thread, verbose_name=_("saruna"), on_delete=models.CASCADE, related_name="messages"
    )
    client = models.ForeignKey(
        "accounts.Client",
        verbose_name=_("klients"),
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    from_staff = models.BooleanField(_("no VZD"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("autors"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    # The author's name as written then (a clerk's first name, the person's full name), so the
    # thread reads the same after an account is renamed or removed.
    author_name = models.CharField(_("autora vārds"), max_length=300)
    text = models.TextField(_("teksts"))
    created_at = models.DateTimeField(_("laiks"), default=timezone.now)
    # Read by the other side: any of the client's people for VZD's messages, VZD for the client's.
    read_at = models.DateTimeField(_("izlasīta"), null=True, blank=True)
    # A client's message: when VZD was told of it by email (once, whatever the worker does).
    staff_emailed_at = models.DateTimeField(
        _("VZD paziņots e-pastā"), null=True, blank=True, editable=False
    )

    objects = MessageQuerySet.as_manager()

    class Meta:
        verbose_name = _("ziņa")
        verbose_name_plural = _("ziņas")
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["thread", "created_at", "id"], name="message_thread"),
            # The header's unread count: VZD's messages no one of the client's people opened.
            models.Index(
                fields=["client"],
                name="message_unread_by_client",
                condition=Q(from_staff=True, read_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return _("Ziņa Nr. %(id)s") % {"id": self.pk}

    @property
    def shown_author(self) -> str:
        """'VZD — Ilze' for a clerk, the person's name for the client's side."""
        if self.from_staff:
            return f"VZD — {self.author_name}" if self.author_name else "VZD"
        return self.author_name


class AttachmentQuerySet(models.QuerySet):
    def for_client(self, client) -> AttachmentQuerySet:
        return self.filter(client=client)


class Attachment(models.Model):
    """A file sent with a message: checked like every upload, deleted from storage after
    FILE_RETENTION_DAYS by the daily purge, the record kept (name, size, when deleted)."""

    message = models.ForeignKey(
        Message, verbose_name=_("ziņa"), on_delete=models.CASCADE, related_name="attachments"
    )
    client = models.ForeignKey(
        "accounts.Client",
        verbose_name=_("klients"),
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    file = models.FileField(_("datne"), upload_to=attachment_key, max_length=200, blank=True)
    original_name = models.CharField(_("datnes nosaukums"), max_length=255)
    size = models.PositiveBigIntegerField(_("izmērs, baiti"))
    content_type = models.CharField(_("satura tips"), max_length=120)
    uploaded_at = models.DateTimeField(_("augšupielādēts"), default=timezone.now)
    deleted_at = models.DateTimeField(_("dzēsts"), null=True, blank=True)

    objects = AttachmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("ziņas pielikums")
        verbose_name_plural = _("ziņu pielikumi")
        ordering = ["uploaded_at", "id"]
        indexes = [
            models.Index(
                fields=["uploaded_at", "id"],
                name="attachment_purge_queue",
                condition=Q(deleted_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return self.original_name

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    @property
    def available_until(self):
        return timezone.localdate(self.uploaded_at + timedelta(days=settings.FILE_RETENTION_DAYS))
