"""Rēķini: the client's invoices, paying them in the portal, and the provider's callback."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ImproperlyConfigured
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from billing import filters
from billing.forms import PayForm, PayOneForm
from billing.instructions import bank_details, grouped_iban, treasury_check_url
from billing.models import Invoice, PaymentAttempt
from billing.portal_payments import NothingToPay, handle_callback, start_attempt
from billing.providers import get_provider
from billing.providers.base import SIGNATURE_HEADER, TIMESTAMP_HEADER
from billing.providers.demo import DemoProvider
from billing.services import (
    amount_owed,
    owed_invoices,
    with_paid_amount,
)
from billing.tables import (
    OVERPAYMENTS,
    PAYMENTS,
    PRINT_PARTS,
    SORTS,
    TABLE,
    is_overdue,
    state_tag,
)
from manskonts.client_address import client_address
from manskonts.decorators import client_required
from manskonts.listing import run_list, url_prefix
from manskonts.replicas import reads_from_primary


def _payments_enabled() -> bool:
    try:
        return get_provider() is not None
    except ImproperlyConfigured:
        return False


@require_safe
@client_required
def invoice_list(request: HttpRequest) -> HttpResponse:
    invoices = with_paid_amount(Invoice.objects.for_client(request.client).select_related("order"))
    result = run_list(request, filters.InvoiceFilter, invoices, SORTS)
    rows = result.page.rows
    state = "" if result.errors else result.filterset.form.cleaned_data.get("state") or ""
    state_labels = dict(filters.InvoiceFilter.STATES)
    payments_enabled = _payments_enabled()
    payable = [i.number for i in rows if amount_owed(i) > 0] if payments_enabled else []
    can_pay = bool(payable)
    table = TABLE.layout(pay=can_pay)
    context = {
        "invoices": url_prefix("billing:invoice_detail"),
        "orders": url_prefix("orders:detail"),
        "today": timezone.localdate(),
        # The boxes of the pay form (billing:pay), one in each owed row's "Apmaksāt" cell.
        "pay": PayForm(payable_numbers=payable)["invoice"].items_by_value if can_pay else {},
    }
    return render(
        request,
        "billing/invoice_list.html",
        {
            "list": result,
            "filter": result.filterset,
            "page": result.page,
            "invoices": rows,
            "table": table,
            "rows_html": table.rows(rows, context),
            "state": state,
            "state_label": state_labels.get(state, ""),
            "can_pay": can_pay,
        },
    )


def _no_nul(values: list[str]) -> list[str]:
    """PostgreSQL text cannot hold NUL: such a value names no invoice (and would be a 500)."""
    return [value for value in values if "\x00" not in value]


def _invoice_for(request: HttpRequest, number: str) -> Invoice:
    if not _no_nul([number]):
        raise Http404
    return get_object_or_404(
        with_paid_amount(
            Invoice.objects.for_client(request.client).select_related("order", "client")
        ),
        number=number,
    )


@require_safe
@client_required
def invoice_detail(request: HttpRequest, number: str) -> HttpResponse:
    invoice = _invoice_for(request, number)
    today = timezone.localdate()
    return render(
        request,
        "billing/invoice_detail.html",
        {
            "invoice": invoice,
            # The list's own rules for the tag and "Kavēts" (billing/tables.py), not a copy.
            "state_tag": state_tag(invoice, today),
            "overdue": is_overdue(invoice, today),
            "payments": invoice.payments.order_by("paid_on", "id"),
            "payment_table": PAYMENTS.layout(),
            "overpayments": invoice.overpayments.order_by("received_on", "id"),
            "overpayment_table": OVERPAYMENTS.layout(),
            "bank": bank_details(),
            "iban": grouped_iban(bank_details().iban),
            "treasury_check_url": treasury_check_url(),
            "payments_enabled": _payments_enabled(),
            "pay_form": PayOneForm(initial={"invoice": invoice.number}),
        },
    )


@require_safe
@client_required
def invoice_print(request: HttpRequest, number: str) -> HttpResponse:
    invoice = _invoice_for(request, number)
    return render(
        request,
        "billing/invoice_print.html",
        {
            "invoice": invoice,
            "parts": invoice.order.parts.select_related("service").order_by("part_number"),
            "part_table": PRINT_PARTS.layout(),
            "bank": bank_details(),
            "iban": grouped_iban(bank_details().iban),
        },
    )


@require_POST
@client_required
def pay(request: HttpRequest) -> HttpResponse:
    """Start paying one or more of the client's unpaid invoices at the configured provider."""
    try:
        provider = get_provider()
    except ImproperlyConfigured:
        provider = None
    if provider is None:
        messages.error(
            request, _("Maksāšana portālā pašlaik nav pieejama. Lūdzu, maksājiet ar pārskaitījumu.")
        )
        return redirect("billing:invoice_list")
    requested = _no_nul(request.POST.getlist("invoice"))
    payable = list(
        owed_invoices(request.client)
        .filter(number__in=requested[:100])
        .values_list("number", flat=True)
    )
    form = PayForm(request.POST, payable_numbers=payable)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("billing:invoice_list")
    try:
        attempt = start_attempt(
            request.client, request.user, form.cleaned_data["invoice"], provider.code
        )
    except NothingToPay:
        messages.error(request, _("Atzīmētie rēķini jau ir apmaksāti vai nav atrasti."))
        return redirect("billing:invoice_list")
    return redirect(provider.start_url(attempt, request))


# The provider's callback (another request, not this browser's) records the payment a moment before
# the bank sends the person here: a replica may not have it yet.
@reads_from_primary
@require_safe
@client_required
def payment_result(request: HttpRequest, reference) -> HttpResponse:
    attempt = get_object_or_404(
        PaymentAttempt.objects.for_client(request.client), reference=reference
    )
    lines = list(attempt.lines.with_overpaid().select_related("invoice__order").order_by("id"))
    return render(
        request,
        "billing/payment_result.html",
        {
            "attempt": attempt,
            "lines": lines,
            "overpaid": sum((line.overpaid or 0 for line in lines), Decimal("0.00")),
            "all_overpaid": bool(lines) and all(line.overpaid == line.amount for line in lines),
        },
    )


@require_http_methods(["GET", "HEAD", "POST"])
@client_required
def demo_bank(request: HttpRequest, reference) -> HttpResponse:
    """The demo provider's bank page: pay or cancel. Only with PAYMENT_PROVIDER=demo, which the
    settings refuse when DEBUG=0."""
    if settings.PAYMENT_PROVIDER != "demo":
        raise Http404
    attempt = get_object_or_404(
        PaymentAttempt.objects.for_client(request.client), reference=reference
    )
    if request.method == "POST":
        action = request.POST.get("action")
        if action not in ("pay", "cancel"):
            return HttpResponse(status=400)
        if attempt.status == PaymentAttempt.Status.PENDING:
            body, timestamp, signature = DemoProvider.signed_event(
                attempt, "paid" if action == "pay" else "cancelled"
            )
            handle_callback(
                DemoProvider.code, body, signature, timestamp, client_address(request) or None
            )
        return redirect("billing:payment_result", reference=attempt.reference)
    lines = attempt.lines.select_related("invoice").order_by("id")
    return render(request, "billing/demo_bank.html", {"attempt": attempt, "lines": lines})


@csrf_exempt
@require_POST
def payment_callback(request: HttpRequest) -> HttpResponse:
    """The provider's server-to-server notice; signed instead of a CSRF token or a session."""
    delivery = handle_callback(
        settings.PAYMENT_PROVIDER or "-",
        request.body,
        request.headers.get(SIGNATURE_HEADER),
        request.headers.get(TIMESTAMP_HEADER),
        client_address(request) or None,
    )
    response = JsonResponse({"outcome": delivery.outcome}, status=delivery.status_code)
    if delivery.status_code == 429:
        response["Retry-After"] = str(settings.PAYMENT_CALLBACK_UNVERIFIED_WINDOW_SECONDS)
    return response
