"""Invoices VZD issues and the payments that settle them. Accounting records: never purged."""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, OuterRef, Q, Subquery, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from manskonts.client_move import ClientGuardedQuerySet


class InvoiceQuerySet(ClientGuardedQuerySet):
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
    # The due date the "due soon" reminder was sent for: once per due date (billing.services).
    due_reminded_for = models.DateField(
        _("atgādināts par apmaksas termiņu"), null=True, blank=True, editable=False
    )

    objects = InvoiceQuerySet.as_manager()

    class Meta:
        verbose_name = _("rēķins")
        verbose_name_plural = _("rēķini")
        permissions = [("export_invoice", _("Var eksportēt rēķinus uz Excel"))]
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

    @property
    def owed(self) -> Decimal:
        """What is still owed, never negative; read of the `paid_amount` annotation
        (billing.services.with_paid_amount), as every page, payment and the API take it."""
        return max(self.total - self.paid_amount, Decimal("0.00"))


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
    attempt = models.ForeignKey(
        "billing.PaymentAttempt",
        verbose_name=_("maksājuma mēģinājums"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="payments",
    )
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
        permissions = [("export_payment", _("Var eksportēt maksājumus uz Excel"))]
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


class Overpayment(models.Model):
    """Money that arrived for an invoice beyond what it still owed: on record and to be refunded,
    never counted as paid (`billing.services.record_payments` splits it off)."""

    class Status(models.TextChoices):
        TO_REFUND = "to_refund", _("Jāatmaksā")
        REFUNDED = "refunded", _("Atmaksāts")

    invoice = models.ForeignKey(
        Invoice, verbose_name=_("rēķins"), on_delete=models.PROTECT, related_name="overpayments"
    )
    amount = models.DecimalField(_("summa"), max_digits=12, decimal_places=2)
    currency = models.CharField(_("valūta"), max_length=3, default="EUR")
    received_on = models.DateField(_("saņemts"), default=timezone.localdate)
    source = models.CharField(_("avots"), max_length=10, choices=Payment.Source.choices)
    reference = models.CharField(_("references numurs"), max_length=140, blank=True)
    # The same external event as the payment it came with (if any): one record per event, ever.
    external_id = models.CharField(_("ārējais ID"), max_length=140, unique=True)
    attempt = models.ForeignKey(
        "billing.PaymentAttempt",
        verbose_name=_("maksājuma mēģinājums"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="overpayments",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reģistrēja"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("reģistrēts"), default=timezone.now)
    status = models.CharField(
        _("statuss"), max_length=10, choices=Status.choices, default=Status.TO_REFUND
    )
    refunded_on = models.DateField(_("atmaksas datums"), null=True, blank=True)
    refund_reference = models.CharField(
        _("atmaksas maksājuma Nr."),
        max_length=140,
        blank=True,
        help_text=_("Atmaksas maksājuma rīkojuma numurs."),
    )
    refunded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("atmaksu reģistrēja"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    refunded_at = models.DateTimeField(_("atmaksa reģistrēta"), null=True, blank=True)

    class Meta:
        verbose_name = _("pārmaksa")
        verbose_name_plural = _("pārmaksas")
        ordering = ["-created_at", "-id"]
        permissions = [("refund_overpayment", _("Var atzīmēt pārmaksu kā atmaksātu"))]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="overpayment_amount_positive"),
            models.CheckConstraint(
                condition=Q(status__in=["to_refund", "refunded"]),
                name="overpayment_valid_status",
            ),
            models.CheckConstraint(
                condition=Q(status="to_refund")
                | (
                    Q(refunded_on__isnull=False, refunded_at__isnull=False)
                    & ~Q(refund_reference="")
                ),
                name="overpayment_refund_recorded",
            ),
        ]
        indexes = [models.Index(fields=["status", "-created_at"], name="overpayment_status")]

    def __str__(self) -> str:
        return f"{self.invoice.number}: {self.amount} {self.currency}"


class PaymentAttemptQuerySet(models.QuerySet):
    def for_client(self, client) -> PaymentAttemptQuerySet:
        return self.filter(client=client)


class PaymentAttempt(models.Model):
    """One payment started in the portal: one or more invoices paid at the provider in one go."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Gaida bankas apstiprinājumu")
        PAID = "paid", _("Apmaksāts")
        CANCELLED = "cancelled", _("Atcelts")
        FAILED = "failed", _("Neizdevās")

    # The public reference sent to the provider and shown in URLs; not guessable.
    reference = models.UUIDField(_("maksājuma atsauce"), default=uuid.uuid4, unique=True)
    client = models.ForeignKey(
        "accounts.Client",
        verbose_name=_("klients"),
        on_delete=models.PROTECT,
        related_name="payment_attempts",
    )
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uzsāka"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    provider = models.CharField(_("maksājumu pakalpojums"), max_length=20)
    amount = models.DecimalField(_("summa"), max_digits=12, decimal_places=2)
    currency = models.CharField(_("valūta"), max_length=3, default="EUR")
    status = models.CharField(
        _("statuss"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    created_at = models.DateTimeField(_("uzsākts"), default=timezone.now)
    completed_at = models.DateTimeField(_("pabeigts"), null=True, blank=True)

    objects = PaymentAttemptQuerySet.as_manager()

    class Meta:
        verbose_name = _("maksājuma mēģinājums portālā")
        verbose_name_plural = _("maksājumu mēģinājumi portālā")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="attempt_amount_positive"),
            models.CheckConstraint(
                condition=Q(status__in=["pending", "paid", "cancelled", "failed"]),
                name="attempt_valid_status",
            ),
        ]

    def __str__(self) -> str:
        return str(self.reference)


class PaymentAttemptInvoiceQuerySet(models.QuerySet):
    def with_overpaid(self) -> PaymentAttemptInvoiceQuerySet:
        """Each line with `overpaid`: what its attempt brought beyond what the invoice still owed
        when the money came (the sum of their Overpayments, None when none), in the same query."""
        overpaid = (
            Overpayment.objects.filter(attempt=OuterRef("attempt"), invoice=OuterRef("invoice"))
            .values("invoice")
            .annotate(s=Sum("amount"))
            .values("s")
        )
        money = models.DecimalField(max_digits=12, decimal_places=2)
        return self.annotate(overpaid=Subquery(overpaid, output_field=money))


class PaymentAttemptInvoice(models.Model):
    """What one attempt pays of one invoice: what was owed when the client started paying."""

    attempt = models.ForeignKey(
        PaymentAttempt, verbose_name=_("mēģinājums"), on_delete=models.CASCADE, related_name="lines"
    )
    invoice = models.ForeignKey(
        Invoice, verbose_name=_("rēķins"), on_delete=models.PROTECT, related_name="+"
    )
    amount = models.DecimalField(_("summa"), max_digits=12, decimal_places=2)

    objects = PaymentAttemptInvoiceQuerySet.as_manager()

    class Meta:
        verbose_name = _("apmaksājamais rēķins")
        verbose_name_plural = _("apmaksājamie rēķini")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["attempt", "invoice"], name="attempt_invoice_once"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="attempt_line_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.invoice.number}: {self.amount}"


class CallbackDelivery(models.Model):
    """Every callback the payment provider delivered, whatever became of it (an audit trail)."""

    class Outcome(models.TextChoices):
        ACCEPTED = "accepted", _("Pieņemts: maksājums reģistrēts")
        OVERPAID = "overpaid", _("Pieņemts: rēķins jau apmaksāts, pārmaksa jāatmaksā")
        CANCELLED = "cancelled", _("Pieņemts: maksājums atcelts")
        DUPLICATE = "duplicate", _("Atkārtots notikums: nekas nav mainīts")
        NO_SECRET = "no_secret", _("Noraidīts: nav konfigurēta paraksta atslēga")
        MISSING_SIGNATURE = "missing_sig", _("Noraidīts: nav paraksta")
        BAD_SIGNATURE = "bad_sig", _("Noraidīts: nederīgs paraksts")
        STALE = "stale", _("Noraidīts: novecojis laika zīmogs")
        MALFORMED = "malformed", _("Noraidīts: nesaprotams saturs")
        UNKNOWN_ATTEMPT = "unknown", _("Noraidīts: nezināms maksājums")
        WRONG_AMOUNT = "amount", _("Noraidīts: nepareiza summa")
        WRONG_CURRENCY = "currency", _("Noraidīts: nepareiza valūta")
        CONFLICT = "conflict", _("Noraidīts: maksājums jau pabeigts citādi")
        # Answered 429 and not stored: too many unverified deliveries from that address.
        RATE_LIMITED = "limited", _("Noraidīts: pārāk daudz nepārbaudāmu paziņojumu")

    received_at = models.DateTimeField(_("saņemts"), default=timezone.now)
    provider = models.CharField(_("maksājumu pakalpojums"), max_length=20)
    event_id = models.CharField(_("notikuma ID"), max_length=140, blank=True)
    attempt = models.ForeignKey(
        PaymentAttempt,
        verbose_name=_("mēģinājums"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="deliveries",
    )
    signature = models.CharField(_("paraksts"), max_length=200, blank=True)
    timestamp = models.CharField(_("laika zīmogs"), max_length=40, blank=True)
    # At most 2,000 characters are kept (`body_truncated` says so): garbage POSTs cost little.
    body = models.TextField(_("saturs"), blank=True)
    body_size = models.PositiveIntegerField(_("satura garums (baiti)"), default=0)
    body_truncated = models.BooleanField(_("saturs saīsināts"), default=False)
    outcome = models.CharField(_("rezultāts"), max_length=12, choices=Outcome.choices)
    status_code = models.PositiveSmallIntegerField(_("atbildes kods"))
    remote_addr = models.GenericIPAddressField(_("IP adrese"), null=True, blank=True)

    class Meta:
        verbose_name = _("maksājuma paziņojums no bankas")
        verbose_name_plural = _("maksājumu paziņojumi no bankas")
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(fields=["remote_addr", "-received_at"], name="callback_addr_received"),
        ]

    def __str__(self) -> str:
        return f"{self.received_at:%d.%m.%Y %H:%M:%S} {self.get_outcome_display()}"


class BankStatement(models.Model):
    """An ISO 20022 statement (camt.053) or notification (camt.054), saved when uploaded and
    imported by a background task (`billing.tasks.import_bank_statement`); the counts show how far
    it got and what came of it."""

    class State(models.TextChoices):
        QUEUED = "queued", _("Gaida importu")
        RUNNING = "running", _("Importē")
        DONE = "done", _("Importēts")
        FAILED = "failed", _("Neizdevās")

    file_name = models.CharField(_("datnes nosaukums"), max_length=255)
    message_id = models.CharField(_("ziņojuma ID"), max_length=140, blank=True)
    statement_id = models.CharField(_("izraksta ID"), max_length=140, blank=True)
    account_iban = models.CharField(_("konts"), max_length=34, blank=True)
    content = models.TextField(_("XML saturs"))
    imported_at = models.DateTimeField(_("importēts"), default=timezone.now)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("importēja"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    credit_entries = models.PositiveIntegerField(_("ienākošie ieraksti"), default=0)
    matched = models.PositiveIntegerField(_("sasaistīti ar rēķinu"), default=0)
    already_imported = models.PositiveIntegerField(_("jau importēti agrāk"), default=0)
    unmatched = models.PositiveIntegerField(_("nesasaistīti"), default=0)
    overpaid = models.PositiveIntegerField(_("ar pārmaksu"), default=0)
    refused = models.PositiveIntegerField(_("noraidīti"), default=0)
    state = models.CharField(
        _("stāvoklis"), max_length=10, choices=State.choices, default=State.QUEUED
    )
    # Entries done so far (in file order): the task resumes from here if it runs again.
    processed = models.PositiveIntegerField(_("apstrādāti ieraksti"), default=0)
    errors = models.JSONField(_("kļūdas"), default=list, blank=True)
    started_at = models.DateTimeField(_("imports sākts"), null=True, blank=True)
    finished_at = models.DateTimeField(_("imports pabeigts"), null=True, blank=True)

    class Meta:
        verbose_name = _("bankas izraksts")
        verbose_name_plural = _("bankas izraksti")
        ordering = ["-imported_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=["queued", "running", "done", "failed"]),
                name="statement_valid_state",
            ),
        ]

    def __str__(self) -> str:
        return self.statement_id or self.message_id or self.file_name


class UnmatchedBankEntry(models.Model):
    """A credit entry of a statement that named no invoice we could pay: a clerk resolves it."""

    statement = models.ForeignKey(
        BankStatement,
        verbose_name=_("bankas izraksts"),
        on_delete=models.PROTECT,
        related_name="unmatched_entries",
    )
    # The bank's entry reference (NtryRef / AcctSvcrRef), as shown; banks restart these per
    # statement, so it names no entry on its own.
    entry_reference = models.CharField(_("bankas ieraksta atsauce"), max_length=140)
    # The entry's identity (`billing.camt.BankEntry.key`): one row per bank entry, ever.
    entry_key = models.CharField(_("ieraksta identitāte"), max_length=140, unique=True)
    amount = models.DecimalField(_("summa"), max_digits=12, decimal_places=2)
    currency = models.CharField(_("valūta"), max_length=3)
    booked_on = models.DateField(_("grāmatošanas datums"), null=True, blank=True)
    debtor_name = models.CharField(_("maksātājs"), max_length=140, blank=True)
    remittance_info = models.CharField(_("maksājuma mērķis"), max_length=500, blank=True)
    reason = models.CharField(_("iemesls"), max_length=200, blank=True)
    invoice = models.ForeignKey(
        Invoice,
        verbose_name=_("rēķins"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Izvēlieties rēķinu, ko šis maksājums apmaksā; saglabājot tiks reģistrēts."),
    )
    payment = models.OneToOneField(
        Payment,
        verbose_name=_("maksājums"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # What the clerk's choice recorded beyond what the invoice still owed.
    overpayment = models.OneToOneField(
        Overpayment,
        verbose_name=_("pārmaksa"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("atrisināja"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    resolved_at = models.DateTimeField(_("atrisināts"), null=True, blank=True)

    class Meta:
        verbose_name = _("nesasaistīts bankas ieraksts")
        verbose_name_plural = _("nesasaistīti bankas ieraksti")
        permissions = [
            (
                "export_unmatchedbankentry",
                _("Var eksportēt nesasaistītos bankas ierakstus uz Excel"),
            )
        ]
        ordering = ["resolved_at", "-booked_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="unmatched_amount_positive"),
        ]

    def __str__(self) -> str:
        return self.entry_reference
