"""E-services requested on the portal, their status history and the orders registered for them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class EServiceStatus(models.TextChoices):
    # The source lists no e-service statuses; this small set says what a client needs to know.
    SUBMITTED = "submitted", _("Iesniegts")
    PROCESSING = "processing", _("Apstrādē")
    COMPLETED = "completed", _("Izpildīts")
    REJECTED = "rejected", _("Noraidīts")
    CANCELLED = "cancelled", _("Atcelts")


ESERVICE_TRANSITIONS: dict[str, frozenset[str]] = {
    EServiceStatus.SUBMITTED: frozenset(
        {
            EServiceStatus.PROCESSING,
            EServiceStatus.COMPLETED,
            EServiceStatus.REJECTED,
            EServiceStatus.CANCELLED,
        }
    ),
    EServiceStatus.PROCESSING: frozenset(
        {EServiceStatus.COMPLETED, EServiceStatus.REJECTED, EServiceStatus.CANCELLED}
    ),
    EServiceStatus.COMPLETED: frozenset(),
    EServiceStatus.REJECTED: frozenset(),
    EServiceStatus.CANCELLED: frozenset(),
}


class EServiceQuerySet(models.QuerySet):
    def for_client(self, client) -> EServiceQuerySet:
        return self.filter(client=client)


class EService(models.Model):
    """An e-service a client requested on the portal. Its primary key is the E-pakalpojuma ID."""

    client = models.ForeignKey(
        "accounts.Client",
        verbose_name=_("klients"),
        on_delete=models.PROTECT,
        related_name="eservices",
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("lietotājs"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="requested_eservices",
    )
    service = models.ForeignKey(
        "orders.Service",
        verbose_name=_("pakalpojums"),
        on_delete=models.PROTECT,
        related_name="eservices",
    )
    object_code = models.CharField(_("objekts"), max_length=17, blank=True)
    created_at = models.DateTimeField(_("izveidošanas datums"), default=timezone.now)
    received_at = models.DateTimeField(
        _("saņemšanas datums"),
        null=True,
        blank=True,
        help_text=_("Kad e-pakalpojuma rezultāts nonāca pie klienta."),
    )
    status = models.CharField(
        _("statuss"),
        max_length=12,
        choices=EServiceStatus.choices,
        default=EServiceStatus.SUBMITTED,
    )
    status_changed_at = models.DateTimeField(_("izmaiņu datums"), default=timezone.now)
    # NULL, not "", means "no label", so the per-client unique constraint ignores unlabelled rows.
    label = models.CharField(  # noqa: DJ001
        _("klienta piešķirtais identifikators"), max_length=100, null=True, blank=True
    )
    orders = models.ManyToManyField(
        "orders.Order",
        verbose_name=_("saistītie pasūtījumi"),
        blank=True,
        related_name="eservices",
    )

    objects = EServiceQuerySet.as_manager()

    class Meta:
        verbose_name = _("e-pakalpojums")
        verbose_name_plural = _("e-pakalpojumi")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                "client",
                Lower("label"),
                name="eservice_label_unique_per_client",
                condition=Q(label__isnull=False),
                violation_error_message=_("Jums jau ir e-pakalpojums ar šādu identifikatoru."),
            ),
            models.CheckConstraint(
                condition=Q(status__in=EServiceStatus.values), name="eservice_valid_status"
            ),
            models.CheckConstraint(condition=~Q(label=""), name="eservice_label_not_empty"),
        ]
        indexes = [
            models.Index(fields=["client", "-created_at", "-id"], name="eservice_client_created"),
            models.Index(fields=["client", "-id"], name="eservice_client_id"),
        ]

    def __str__(self) -> str:
        return str(self.pk)


class EServiceStatusChange(models.Model):
    eservice = models.ForeignKey(
        EService,
        verbose_name=_("e-pakalpojums"),
        on_delete=models.CASCADE,
        related_name="status_changes",
    )
    from_status = models.CharField(
        _("no statusa"), max_length=12, choices=EServiceStatus.choices, blank=True
    )
    to_status = models.CharField(_("uz statusu"), max_length=12, choices=EServiceStatus.choices)
    changed_at = models.DateTimeField(_("laiks"), default=timezone.now)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("mainīja"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("statusa maiņa")
        verbose_name_plural = _("statusa vēsture")
        ordering = ["changed_at", "id"]
        indexes = [models.Index(fields=["eservice", "changed_at"], name="eservice_change_time")]

    def __str__(self) -> str:
        return f"{self.from_status or '—'} → {self.to_status}"
