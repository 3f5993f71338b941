"""Messages from VZD to a client's people: shown in the portal and sent by email."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class NotificationQuerySet(models.QuerySet):
    def for_recipient(self, user, client) -> NotificationQuerySet:
        return self.filter(recipient=user, client=client)

    def unread(self) -> NotificationQuerySet:
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    class Kind(models.TextChoices):
        STATUS = "status", _("Statusa maiņa")
        RESULT = "result", _("Pievienots rezultāts")
        INVOICE = "invoice", _("Izrakstīts rēķins")
        PAYMENT = "payment", _("Saņemts maksājums")
        FILES_EXPIRING = "expiring", _("Datnes drīz tiks dzēstas")
        EXPORT_READY = "export", _("Atskaite sagatavota")
        ACCOUNT = "account", _("Konts")
        REQUEST = "request", _("VZD pieprasījums")
        MESSAGE = "message", _("Ziņa sarunā")

    client = models.ForeignKey(
        "accounts.Client",
        verbose_name=_("klients"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("saņēmējs"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    kind = models.CharField(_("veids"), max_length=10, choices=Kind.choices)
    subject = models.CharField(_("temats"), max_length=200)
    body = models.TextField(_("teksts"))
    link = models.CharField(_("saite"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("laiks"), default=timezone.now)
    read_at = models.DateTimeField(_("izlasīts"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("nosūtīts e-pastā"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("paziņojums")
        verbose_name_plural = _("paziņojumi")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "client", "-created_at"], name="notification_inbox"),
            # The header counts a person's unread notifications per client on every page: only
            # the unread ones are in it, so a client with many read notifications costs nothing.
            models.Index(
                fields=["recipient", "client", "kind"],
                condition=models.Q(read_at__isnull=True),
                name="notification_unread",
            ),
        ]

    def __str__(self) -> str:
        return self.subject


class StaffEmail(models.Model):
    """An email to a VZD staff member about their work (an answer to review), sent by a worker after
    commit; the row makes a re-delivered task send it once."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("saņēmējs"),
        on_delete=models.CASCADE,
        related_name="staff_emails",
    )
    subject = models.CharField(_("temats"), max_length=200)
    body = models.TextField(_("teksts"))
    link = models.CharField(_("saite"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("laiks"), default=timezone.now)
    emailed_at = models.DateTimeField(_("nosūtīts e-pastā"), null=True, blank=True)

    class Meta:
        verbose_name = _("e-pasts darbiniekam")
        verbose_name_plural = _("e-pasti darbiniekiem")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.subject
