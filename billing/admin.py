"""Back office: issue invoices, record treasury payments, import bank statements, resolve entries."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db import transaction
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext, ngettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

import outbox
from billing.camt import resolve_unmatched, save_statement
from billing.forms import (
    BankStatementForm,
    InvoiceAdminForm,
    RefundForm,
    TreasuryPaymentForm,
    UnmatchedEntryForm,
    treasury_external_id,
)
from billing.models import (
    BankStatement,
    CallbackDelivery,
    Invoice,
    Overpayment,
    Payment,
    PaymentAttempt,
    PaymentAttemptInvoice,
    UnmatchedBankEntry,
)
from billing.services import (
    issue_invoice,
    past_due_prepayments,
    record_payment,
    refund_overpayment,
)
from manskonts import desk
from manskonts.admin_export import ExcelExportMixin
from manskonts.admin_filters import DateRange
from manskonts.admin_status import back_to_list
from manskonts.admin_titles import LatvianTitlesMixin
from manskonts.templatetags.manskonts import money
from outbox.models import Message

IMPORT_BANK_STATEMENT = "billing.tasks.import_bank_statement"


class PaymentInline(admin.TabularInline):
    model = Payment
    extra = 0
    fields = ("amount", "currency", "paid_on", "source", "reference", "external_id", "recorded_by")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(LatvianTitlesMixin, admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class OverpaymentInline(admin.TabularInline):
    model = Overpayment
    extra = 0
    fields = ("amount", "currency", "received_on", "source", "reference", "status")
    readonly_fields = fields
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


class PaymentDueFilter(admin.SimpleListFilter):
    """The desk's link to unpaid prepayment invoices past their due date (manskonts/desk.py)."""

    title = _("apmaksa")
    parameter_name = "apmaksa"

    def lookups(self, request, model_admin):
        return [("kavets", _("Priekšapmaksa nokavēta"))]

    def queryset(self, request, queryset):
        if self.value() == "kavets":
            return past_due_prepayments(queryset)
        return queryset


@admin.register(Invoice)
class InvoiceAdmin(ExcelExportMixin, LatvianTitlesMixin, admin.ModelAdmin):
    accusative = pgettext_lazy("akuzatīvs", "rēķinu")
    excel_columns = (
        ("number", _("Numurs")),
        ("kind", _("Veids")),
        ("order__number", _("Pasūtījums")),
        ("client__name", _("Klients")),
        ("issued_on", _("Izrakstīts")),
        ("due_on", _("Apmaksāt līdz")),
        ("amount_net", _("Summa bez PVN")),
        ("vat_amount", _("PVN")),
        ("total", _("Kopā")),
        ("currency", _("Valūta")),
    )
    form = InvoiceAdminForm
    list_display = ("number", "order", "client", "kind", "issued_on", "due_on", "total")
    list_filter = ("kind", PaymentDueFilter, ("issued_on", DateRange), ("due_on", DateRange))
    list_select_related = ("order", "client")
    search_fields = (
        "number",
        "order__number",
        "client__name",
        "client__registration_number",
        "client__person__personal_code",
    )
    autocomplete_fields = ("order",)
    readonly_fields = ("client", "issued_by", "created_at")
    inlines = [PaymentInline, OverpaymentInline]

    def get_ordering(self, request):
        """The desk's past-due prepayments: the longest overdue first."""
        if request.GET.get(PaymentDueFilter.parameter_name) == "kavets":
            return ("due_on", "id")
        return super().get_ordering(request)

    def get_inlines(self, request, obj):
        # A new invoice has no payments yet: only an issued one lists what it received.
        return self.inlines if obj is not None else []

    def get_readonly_fields(self, request, obj=None):
        # An issued invoice is an accounting record: its amounts and number do not change.
        if obj is not None:
            return (
                "number",
                "order",
                "kind",
                "issued_on",
                "amount_net",
                "vat_amount",
                "total",
                "currency",
                *self.readonly_fields,
            )
        return self.readonly_fields

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
        else:
            issue_invoice(obj, by=request.user)


@admin.register(Payment)
class PaymentAdmin(ExcelExportMixin, LatvianTitlesMixin, admin.ModelAdmin):
    """Payments are recorded once and never edited; a clerk adds one that reached the treasury."""

    accusative = pgettext_lazy("akuzatīvs", "maksājumu")
    excel_columns = (
        ("invoice__number", _("Rēķins")),
        ("amount", _("Summa")),
        ("currency", _("Valūta")),
        ("paid_on", _("Samaksāts")),
        ("source", _("Avots")),
        ("reference", _("Atsauce")),
    )

    form = TreasuryPaymentForm
    list_display = ("invoice", "amount", "currency", "paid_on", "source", "reference")
    list_filter = ("source", ("paid_on", DateRange))
    list_select_related = ("invoice",)
    search_fields = ("invoice__number", "reference", "external_id")
    autocomplete_fields = ("invoice",)
    readonly_fields = ("recorded_by", "created_at")

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("invoice", "amount", "paid_on", "reference")
        return (
            "invoice",
            "amount",
            "currency",
            "paid_on",
            "source",
            "reference",
            "external_id",
            "attempt",
            "recorded_by",
            "created_at",
        )

    def get_readonly_fields(self, request, obj=None):
        if obj is not None:
            return self.get_fields(request, obj)
        return ()

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        if change:
            return
        data = form.cleaned_data
        receipt = record_payment(
            data["invoice"],
            data["amount"],
            source=Payment.Source.TREASURY,
            external_id=treasury_external_id(data["invoice"], data["reference"]),
            paid_on=data["paid_on"],
            reference=data["reference"],
            recorded_by=request.user,
        )
        request.billing_receipt = receipt
        if receipt is not None and receipt.payment is not None:
            form.instance = receipt.payment
            obj.pk = receipt.payment.pk
        if receipt is not None and receipt.overpayment is not None:
            messages.warning(
                request,
                gettext(
                    "Rēķinam %(number)s bija jāmaksā mazāk: %(amount)s reģistrēti kā pārmaksa, "
                    "kas jāatmaksā."
                )
                % {"number": data["invoice"].number, "amount": money(receipt.overpayment.amount)},
            )

    def log_addition(self, request, obj, message):
        receipt = getattr(request, "billing_receipt", None)
        if obj.pk is None and receipt is not None and receipt.overpayment is not None:
            return super().log_addition(request, receipt.overpayment, message)
        return super().log_addition(request, obj, message)

    def response_add(self, request, obj, post_url_continue=None):
        receipt = getattr(request, "billing_receipt", None)
        if obj.pk is None and receipt is not None and receipt.overpayment is not None:
            return HttpResponseRedirect(
                reverse("admin:billing_overpayment_change", args=[receipt.overpayment.pk])
            )
        return super().response_add(request, obj, post_url_continue)


@admin.action(description=_("Atzīmēt kā atmaksātu"), permissions=["refund"])
def refund(modeladmin, request, queryset):
    """Refund the chosen overpayments: an intermediate page asks for the refund's number and date."""
    if "apply" in request.POST:
        form = RefundForm(request.POST)
        if form.is_valid():
            done = 0
            for overpayment in queryset.order_by("pk"):
                if refund_overpayment(
                    overpayment,
                    reference=form.cleaned_data["refund_reference"],
                    refunded_on=form.cleaned_data["refunded_on"],
                    by=request.user,
                ):
                    modeladmin.log_change(request, overpayment, gettext("Atmaksāts."))
                    done += 1
            skipped = queryset.count() - done
            if done:
                modeladmin.message_user(
                    request,
                    gettext("Atzīmētas kā atmaksātas: %(n)d.") % {"n": done},
                    messages.SUCCESS,
                )
            if skipped:
                modeladmin.message_user(
                    request,
                    gettext("Jau bija atmaksātas, nekas nav mainīts: %(n)d.") % {"n": skipped},
                    messages.WARNING,
                )
            return back_to_list(modeladmin, request)
    else:
        form = RefundForm()
    return TemplateResponse(
        request,
        "admin/billing/refund_action.html",
        {
            **modeladmin.admin_site.each_context(request),
            "title": gettext("Atzīmēt pārmaksas kā atmaksātas"),
            "objects": queryset.select_related("invoice"),
            "form": form,
            "opts": modeladmin.model._meta,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        },
    )


@admin.register(Overpayment)
class OverpaymentAdmin(ReadOnlyAdmin):
    """Money beyond what an invoice owed: staff refund it and record the refund here."""

    accusative = pgettext_lazy("akuzatīvs", "pārmaksu")

    list_display = (
        "invoice",
        "amount",
        "currency",
        "received_on",
        "source",
        "reference",
        "status",
        "refund_reference",
        "refunded_on",
    )
    list_filter = ("status", "source", ("received_on", DateRange))
    list_select_related = ("invoice",)
    search_fields = ("invoice__number", "reference", "external_id", "refund_reference")
    actions = [refund]
    fields = (
        "invoice",
        "amount",
        "currency",
        "received_on",
        "source",
        "reference",
        "external_id",
        "attempt",
        "recorded_by",
        "created_at",
        "status",
        "refund_reference",
        "refunded_on",
        "refunded_by",
        "refunded_at",
    )
    readonly_fields = fields

    def has_refund_permission(self, request):
        return request.user.has_perm("billing.refund_overpayment")


class PaymentAttemptInvoiceInline(admin.TabularInline):
    model = PaymentAttemptInvoice
    extra = 0
    fields = ("invoice", "amount")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(PaymentAttempt)
class PaymentAttemptAdmin(ReadOnlyAdmin):
    accusative = pgettext_lazy("akuzatīvs", "maksājuma mēģinājumu portālā")
    list_display = ("reference", "client", "amount", "currency", "status", "created_at")
    list_filter = ("status", "provider")
    list_select_related = ("client",)
    search_fields = ("reference", "client__name", "lines__invoice__number")
    inlines = [PaymentAttemptInvoiceInline]


@admin.register(CallbackDelivery)
class CallbackDeliveryAdmin(ReadOnlyAdmin):
    accusative = pgettext_lazy("akuzatīvs", "maksājuma paziņojumu no bankas")
    list_display = (
        "received_at",
        "provider",
        "event_id",
        "outcome",
        "status_code",
        "attempt",
        "remote_addr",
        "body_truncated",
    )
    list_filter = ("outcome", "provider")
    search_fields = ("event_id", "attempt__reference")


@admin.register(BankStatement)
class BankStatementAdmin(LatvianTitlesMixin, admin.ModelAdmin):
    """Adding a statement is uploading it: the file is saved and imported in the background; its
    page shows how far the import got (reload it to follow)."""

    accusative = pgettext_lazy("akuzatīvs", "bankas izrakstu")

    form = BankStatementForm
    list_display = (
        "__str__",
        "imported_at",
        "state",
        "credit_entries",
        "matched",
        "already_imported",
        "unmatched",
        "refused",
    )
    list_filter = ("state",)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("xml_file",)
        return (
            "progress",
            "file_name",
            "message_id",
            "statement_id",
            "account_iban",
            "imported_at",
            "imported_by",
            "credit_entries",
            "matched",
            "overpaid",
            "already_imported",
            "unmatched",
            "unmatched_entries",
            "refused",
            "problems",
            "started_at",
            "finished_at",
        )

    def get_readonly_fields(self, request, obj=None):
        return self.get_fields(request, obj) if obj is not None else ()

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("Nesasaistītie ieraksti"))
    def unmatched_entries(self, obj):
        # A link, not an inline: a large statement's thousands of rows would make a slow page.
        if not obj.unmatched:
            return "—"
        url = reverse("admin:billing_unmatchedbankentry_changelist")
        return format_html(
            '<a href="{}?statement__id__exact={}">{}</a>',
            url,
            obj.pk,
            gettext("Skatīt un sasaistīt ar rēķiniem (%(n)s)") % {"n": obj.unmatched},
        )

    @admin.display(description=_("Importa gaita"))
    def progress(self, obj):
        if obj.state in (BankStatement.State.QUEUED, BankStatement.State.RUNNING):
            waiting = (
                obj.state == BankStatement.State.QUEUED
                and Message.objects.pending().for_task(IMPORT_BANK_STATEMENT, [obj.pk]).exists()
            )
            return format_html(
                "<strong>{}</strong>: {}. {}",
                obj.get_state_display(),
                gettext("apstrādāti ieraksti: %(done)s no %(total)s")
                % {"done": obj.processed, "total": obj.credit_entries},
                gettext(
                    "Fona apstrādes serviss pašlaik nav pieejams: imports sāksies, tiklīdz tas "
                    "būs pieejams."
                )
                if waiting
                else gettext("Imports notiek fonā; pārlādējiet šo lapu, lai redzētu gaitu."),
            )
        return format_html(
            "<strong>{}</strong>: {}",
            obj.get_state_display(),
            gettext("apstrādāti ieraksti: %(done)s no %(total)s")
            % {"done": obj.processed, "total": obj.credit_entries},
        )

    @admin.display(description=_("Kļūdas"))
    def problems(self, obj):
        if not obj.errors:
            return "—"
        return format_html(
            "<ul>{}</ul>", format_html_join("", "<li>{}</li>", ((e,) for e in obj.errors))
        )

    def save_model(self, request, obj, form, change):
        if change:
            return
        statement = save_statement(form.parsed, form.cleaned_data["xml_file"].name, by=request.user)
        outbox.send_task(IMPORT_BANK_STATEMENT, args=[statement.pk])
        obj.pk = statement.pk
        form.instance = statement
        messages.info(
            request,
            ngettext(
                "Izraksts saglabāts: fonā tiek importēts %(total)s ienākošs ieraksts. Šī lapa "
                "rāda importa gaitu.",
                "Izraksts saglabāts: fonā tiek importēti %(total)s ienākoši ieraksti. Šī lapa "
                "rāda importa gaitu.",
                statement.credit_entries,
            )
            % {"total": statement.credit_entries},
        )

    def response_add(self, request, obj, post_url_continue=None):
        return HttpResponseRedirect(reverse("admin:billing_bankstatement_change", args=[obj.pk]))

    def save_related(self, request, form, formsets, change):
        pass


class ResolvedFilter(admin.SimpleListFilter):
    title = _("stāvoklis")
    parameter_name = "resolved"

    def lookups(self, request, model_admin):
        return (("no", _("Jāatrisina")), ("yes", _("Atrisināti")))

    def queryset(self, request, queryset):
        if self.value() == "no":
            return queryset.filter(resolved_at__isnull=True)
        if self.value() == "yes":
            return queryset.filter(resolved_at__isnull=False)
        return queryset


@admin.register(UnmatchedBankEntry)
class UnmatchedBankEntryAdmin(ExcelExportMixin, LatvianTitlesMixin, admin.ModelAdmin):
    """Entries no invoice number matched: the clerk picks the invoice, the payment is recorded."""

    accusative = pgettext_lazy("akuzatīvs", "nesasaistītu bankas ierakstu")
    excel_columns = (
        ("entry_reference", _("Ieraksta atsauce")),
        ("booked_on", _("Grāmatots")),
        ("amount", _("Summa")),
        ("currency", _("Valūta")),
        ("debtor_name", _("Maksātājs")),
        ("remittance_info", _("Maksājuma mērķis")),
        ("reason", _("Iemesls")),
        ("invoice__number", _("Rēķins")),
        ("resolved_at", _("Atrisināts")),
    )

    form = UnmatchedEntryForm
    list_display = (
        "entry_reference",
        "booked_on",
        "amount",
        "currency",
        "debtor_name",
        "remittance_info",
        "reason",
        "invoice",
    )
    list_filter = (ResolvedFilter, ("booked_on", DateRange))
    list_select_related = ("invoice",)
    search_fields = ("entry_reference", "debtor_name", "remittance_info")
    autocomplete_fields = ("invoice",)
    readonly_fields = (
        "statement",
        "entry_reference",
        "amount",
        "currency",
        "booked_on",
        "debtor_name",
        "remittance_info",
        "reason",
        "payment",
        "overpayment",
        "resolved_by",
        "resolved_at",
    )
    fields = ("invoice", *readonly_fields)

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.resolved_at is not None:
            return ("invoice", *self.readonly_fields)
        return self.readonly_fields

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def lookup_allowed(self, lookup, value, request=None):
        # The statement page links to its own unmatched entries.
        return lookup == "statement__id__exact" or super().lookup_allowed(lookup, value, request)

    def save_model(self, request, obj, form, change):
        invoice = form.cleaned_data.get("invoice")
        if invoice is None:  # already resolved: the form had nothing to change
            return
        with transaction.atomic():
            receipt = resolve_unmatched(obj, invoice, by=request.user)
        if receipt is not None and receipt.overpayment is not None:
            messages.warning(
                request,
                gettext(
                    "Rēķinam %(number)s bija jāmaksā mazāk: %(amount)s reģistrēti kā pārmaksa, "
                    "kas jāatmaksā."
                )
                % {"number": invoice.number, "amount": money(receipt.overpayment.amount)},
            )


desk.register(
    desk.DeskItem(
        key="unmatched_entries",
        label=_("Nesasaistīti bankas ieraksti"),
        model="billing.UnmatchedBankEntry",
        rows=lambda entries: entries.filter(resolved_at__isnull=True),
        query={"resolved": "no"},
        order=50,
    )
)
desk.register(
    desk.DeskItem(
        key="overpayments_to_refund",
        label=_("Pārmaksas, kas jāatmaksā"),
        model="billing.Overpayment",
        rows=lambda rows: rows.filter(status=Overpayment.Status.TO_REFUND),
        query={"status__exact": Overpayment.Status.TO_REFUND},
        order=60,
    )
)
desk.register(
    desk.DeskItem(
        key="prepayments_past_due",
        label=_("Neapmaksāti priekšapmaksas rēķini, kuru termiņš pagājis"),
        model="billing.Invoice",
        rows=past_due_prepayments,
        query={"apmaksa": "kavets"},
        order=45,
    )
)
