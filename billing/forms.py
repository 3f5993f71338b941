from __future__ import annotations

from decimal import Decimal

from django import forms
from django.db.models.functions import Length
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from billing.camt import MAX_BYTES, StatementError, parse
from billing.models import BankStatement, Invoice, Payment, UnmatchedBankEntry
from billing.services import already_recorded

MAX_INVOICES_PER_PAYMENT = 20


class PayForm(forms.Form):
    """Which invoices to pay in one go (checkbox names, validated against the client's own).

    On the invoice list each owed row's "Apmaksāt" cell holds its box (the renderer's checkbox
    item, GovukBoundField.items_by_value), labelled for screen readers "Apmaksāt rēķinu <Nr.>"."""

    invoice = forms.MultipleChoiceField(
        label=_("Rēķini"),
        widget=forms.CheckboxSelectMultiple(attrs={"id": "pay"}),
        error_messages={"required": _("Atzīmējiet vismaz vienu neapmaksātu rēķinu.")},
    )

    def __init__(self, *args, payable_numbers: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["invoice"].choices = [
            (
                n,
                format_html(
                    '<span class="govuk-visually-hidden">{}</span>',
                    gettext("Apmaksāt rēķinu %(number)s") % {"number": n},
                ),
            )
            for n in payable_numbers
        ]
        self.fields["invoice"].error_messages["invalid_choice"] = _(
            "Rēķins %(value)s nav atrasts vai jau ir apmaksāts."
        )

    def clean_invoice(self):
        numbers = self.cleaned_data["invoice"]
        if len(numbers) > MAX_INVOICES_PER_PAYMENT:
            raise forms.ValidationError(
                _("Vienā maksājumā var apmaksāt ne vairāk kā %(n)s rēķinus.")
                % {"n": MAX_INVOICES_PER_PAYMENT}
            )
        return numbers


class PayOneForm(forms.Form):
    """The invoice page's "Apmaksāt" button: its one invoice, hidden, posted to billing:pay under
    the name the list's boxes use (PayForm checks it there)."""

    invoice = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "pay-%s")
        super().__init__(*args, **kwargs)


class InvoiceAdminForm(forms.ModelForm):
    """Staff type the total and let the VAT be split out, or type net and VAT themselves."""

    class Meta:
        model = Invoice
        fields = (
            "number",
            "order",
            "kind",
            "issued_on",
            "due_on",
            "total",
            "amount_net",
            "vat_amount",
            "currency",
            "payment_reference",
        )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # An issued invoice's amounts are read-only, and a view-only page has no fields at all.
        if "amount_net" in self.fields:
            self.fields["amount_net"].required = False
            self.fields["amount_net"].help_text = _(
                "Atstājiet tukšu, lai summu bez PVN un PVN aprēķinātu no kopsummas."
            )
        if "vat_amount" in self.fields:
            self.fields["vat_amount"].required = False
        if "number" in self.fields and not self.instance.pk:
            self.fields["number"].initial = next_invoice_number()

    def clean(self):
        data = super().clean()
        total, net, vat = data.get("total"), data.get("amount_net"), data.get("vat_amount")
        if total is None:
            return data
        if total <= 0:
            self.add_error("total", _("Kopsummai jābūt lielākai par nulli."))
            return data
        if net is None and vat is None:
            data["amount_net"], data["vat_amount"] = Invoice.split_vat(total)
        elif net is None or vat is None:
            self.add_error("vat_amount", _("Norādiet gan summu bez PVN, gan PVN, vai nevienu."))
        elif net + vat != total:
            self.add_error("total", _("Kopsummai jābūt summai bez PVN plus PVN."))
        elif vat < 0:
            self.add_error("vat_amount", _("PVN nevar būt negatīvs."))
        issued, due = data.get("issued_on"), data.get("due_on")
        if issued and due and due < issued:
            self.add_error("due_on", _("Apmaksas termiņš nevar būt pirms rēķina datuma."))
        return data


def next_invoice_number() -> str:
    year = timezone.localdate().year
    prefix = f"R{year}-"
    # Longest first, then by text: after R2026-999999 comes R2026-1000000, which sorts before it
    # as text and would be offered again.
    last = (
        Invoice.objects.filter(number__startswith=prefix)
        .order_by(Length("number").desc(), "-number")
        .values_list("number", flat=True)
    ).first()
    try:
        seq = int(last.removeprefix(prefix)) + 1 if last else 1
    except ValueError:
        seq = Invoice.objects.filter(number__startswith=prefix).count() + 1
    return f"{prefix}{seq:06d}"


class TreasuryPaymentForm(forms.ModelForm):
    """A payment that reached the state budget another way, recorded by a clerk."""

    class Meta:
        model = Payment
        fields = ("invoice", "amount", "paid_on", "reference")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "reference" in self.fields:  # a recorded payment's page is read-only: no fields
            self.fields["reference"].required = True

    def clean_amount(self):
        amount = self.cleaned_data["amount"]
        if amount is None or amount <= Decimal("0"):
            raise forms.ValidationError(_("Summai jābūt lielākai par nulli."))
        return amount

    def clean(self):
        data = super().clean()
        invoice, reference = data.get("invoice"), data.get("reference")
        if invoice and reference:
            external_id = treasury_external_id(invoice, reference)
            if already_recorded(external_id):
                raise forms.ValidationError(
                    _("Maksājums ar šo references numuru šim rēķinam jau ir reģistrēts.")
                )
            self.instance.external_id = external_id
        return data


def treasury_external_id(invoice: Invoice, reference: str) -> str:
    return f"treasury:{reference.strip()}:{invoice.number}"[:140]


class BankStatementForm(forms.ModelForm):
    xml_file = forms.FileField(
        label=_("Bankas izraksts (camt.053 vai camt.054 XML)"),
        help_text=_("ISO 20022 XML datne no bankas vai Valsts kases."),
    )

    class Meta:
        model = BankStatement
        fields: tuple[str, ...] = ()

    def clean_xml_file(self):
        upload = self.cleaned_data["xml_file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(_("Datne ir pārāk liela."))
        try:
            self.parsed = parse(upload.read())
        except StatementError as error:
            raise forms.ValidationError(str(error)) from None
        return upload


class UnmatchedEntryForm(forms.ModelForm):
    class Meta:
        model = UnmatchedBankEntry
        fields = ("invoice",)

    def clean_invoice(self):
        invoice = self.cleaned_data.get("invoice")
        if invoice is None:
            raise forms.ValidationError(_("Izvēlieties rēķinu, ko šis maksājums apmaksā."))
        if self.instance.resolved_at is not None:
            raise forms.ValidationError(_("Šis ieraksts jau ir atrisināts."))
        if invoice.currency != self.instance.currency:
            raise forms.ValidationError(_("Rēķina valūta atšķiras no maksājuma valūtas."))
        return invoice


class RefundForm(forms.Form):
    """The refund staff made of an overpayment: its payment order number and date."""

    refund_reference = forms.CharField(
        label=_("Atmaksas maksājuma Nr."),
        max_length=140,
        help_text=_("Atmaksas maksājuma rīkojuma numurs."),
    )
    refunded_on = forms.DateField(label=_("Atmaksas datums"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["refunded_on"].initial = timezone.localdate()

    def clean_refund_reference(self):
        reference = self.cleaned_data["refund_reference"].strip()
        if not reference:
            raise forms.ValidationError(_("Norādiet atmaksas maksājuma numuru."))
        return reference
