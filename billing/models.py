"""Invoices VZD issues and the payments that settle them. Accounting records: never purged."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class InvoiceQuerySet(models.QuerySet):
    def for_client(self, client) -> InvoiceQuerySet:
        return self.filter(client=client)


class Invoice(models.Model):
    class Kind(models.TextChoices):
        PREPAYMENT = "prepayment", _("Priekšapmaksas rēķins")
        FINAL = "final", _("Gala rēķins")

    number = models.CharField(_("rēķina Nr."), max_length=20, unique=True)
    order = models.ForeignKey(
        "orders.Order",
        verbose_name=_("pasūtījums"),
        on_delete=models.PROTECT,
        related_name="invoices",
    )
    # The order's client, repeated so the invoice list filters one table by one index.
    client = models.ForeignKey(
        "accounts.Client",
        verbose_name=_("klients"),
        on_delete=models.PROTECT,
        related_name="invoices",
        editable=False,
    )
    kind = models.CharField(
        _("veids"), max_length=10, choices=Kind.choices, default=Kind.PREPAYMENT
    )
    issued_on = models.DateField(_("rēķina datums"), default=timezone.localdate)
    due_on = models.DateField(_("apmaksas termiņš"))
    amount_net = models.DecimalField(_("summa bez PVN"), max_digits=12, decimal_places=2)
    vat_amount = models.DecimalField(_("PVN"), max_digits=12, decimal_places=2)
    total = models.DecimalField(_("kopā"), max_digits=12, decimal_places=2)
    currency = models.CharField(_("valūta"), max_length=3, default="EUR")
    payment_reference = models.CharField(
        _("maksājuma mērķis"),
        max_length=140,
        blank=True,
        help_text=_("Bankas pārskaitījumā jānorāda rēķina numurs."),
    )
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("izrakstīja"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("izveidots"), default=timezone.now)

    objects = InvoiceQuerySet.as_manager()

    class Meta:
        verbose_name = _("rēķins")
        verbose_name_plural = _("rēķini")
        ordering = ["-issued_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(total=F("amount_net") + F("vat_amount")),
                name="invoice_total_is_net_plus_vat",
            ),
            models.CheckConstraint(condition=Q(total__gt=0), name="invoice_total_positive"),
            models.CheckConstraint(condition=Q(vat_amount__gte=0), name="invoice_vat_not_negative"),
            models.CheckConstraint(
                condition=Q(due_on__gte=F("issued_on")), name="invoice_due_after_issue"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["prepayment", "final"]), name="invoice_valid_kind"
            ),
        ]
        indexes = [
            models.Index(fields=["client", "-issued_on", "-id"], name="invoice_client_issued"),
            models.Index(fields=["client", "due_on", "id"], name="invoice_client_due"),
        ]

    def __str__(self) -> str:
        return self.number

    def save(self, *args, **kwargs):
        if self.order_id and not self.client_id:
            self.client_id = self.order.client_id
        if not self.payment_reference:
            self.payment_reference = self.number
        super().save(*args, **kwargs)

    @staticmethod
    def split_vat(total: Decimal) -> tuple[Decimal, Decimal]:
        """Net and VAT of a VAT-inclusive total at the standard rate."""
        rate = Decimal(settings.VAT_RATE_PERCENT) / 100
        net = (total / (1 + rate)).quantize(Decimal("0.01"))
        return net, total - net


class Payment(models.Model):
    class Source(models.TextChoices):
        PORTAL = "portal", _("Portālā")
        TREASURY = "treasury", _("Valsts budžetā (reģistrēja darbinieks)")
        BANK_STATEMENT = "statement", _("Bankas izraksts")

    invoice = models.ForeignKey(
        Invoice, verbose_name=_("rēķins"), on_delete=models.PROTECT, related_name="payments"
    )
    amount = models.DecimalField(_("summa"), max_digits=12, decimal_places=2)
    currency = models.CharField(_("valūta"), max_length=3, default="EUR")
    paid_on = models.DateField(_("maksājuma datums"), default=timezone.localdate)
    source = models.CharField(_("avots"), max_length=10, choices=Source.choices)
    reference = models.CharField(
        _("references numurs"),
        max_length=140,
        blank=True,
        help_text=_("Maksājuma rīkojuma reģistrācijas numurs."),
    )
    # The provider's event id, the bank's entry reference, or the clerk's reference: one payment
    # per external event, enforced by the database so a repeated callback cannot pay twice.
    external_id = models.CharField(_("ārējais ID"), max_length=140, unique=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reģistrēja"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("reģistrēts"), default=timezone.now)

    class Meta:
        verbose_name = _("maksājums")
        verbose_name_plural = _("maksājumi")
        ordering = ["paid_on", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive"),
            models.CheckConstraint(
                condition=Q(source__in=["portal", "treasury", "statement"]),
                name="payment_valid_source",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.invoice.number}: {self.amount} {self.currency}"
