"""Mani pasūtījumi VZD: the table of order parts and the order page."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET

from accounts.acting_for import client_required
from billing.models import Invoice
from billing.services import invoice_state, order_payment_state, with_paid_amount
from documents.access import result_download_decision
from documents.models import Document
from eservices.views import upload_form_available
from manskonts.identifiers import ORDER_NUMBER_MAX_LENGTH, normalize_order_number
from manskonts.listing import run_list, url_prefix
from orders.filters import OrderPartFilter
from orders.models import Order, OrderPartStatusChange
from orders.queries import order_rows, row_payment_states
from orders.tables import SORTS, TABLE
from orders.workflow import DESCRIPTIONS, OrderStatus


def status_legend() -> list[tuple[str, str, str]]:
    return [(value, label, DESCRIPTIONS[value]) for value, label in OrderStatus.choices]


@require_GET
@client_required
def order_list(request: HttpRequest) -> HttpResponse:
    try:
        number = normalize_order_number(request.GET.get("number", ""))
    except ValidationError:
        number = ""  # the filter form below says what is wrong with it
    if number and len(number) <= ORDER_NUMBER_MAX_LENGTH:
        # An exact order number goes straight to that order.
        exact = Order.objects.for_client(request.client).filter(number=number)
        if exact.exists():
            return redirect("orders:detail", number)
    result = run_list(request, OrderPartFilter, order_rows(request.client), SORTS)
    context = {
        "orders": url_prefix("orders:detail"),
        "eservices": url_prefix("eservices:detail"),
        "payments": row_payment_states(result.page.rows),
    }
    table = TABLE.layout()
    return render(
        request,
        "orders/list.html",
        {
            "list": result,
            "page": result.page,
            "legend": status_legend(),
            "table": table,
            "rows_html": table.rows(result.page.rows, context),
        },
    )


@require_GET
@client_required
def order_detail(request: HttpRequest, number: str) -> HttpResponse:
    order = get_object_or_404(Order.objects.for_client(request.client), number=number)
    parts = list(
        order.parts.select_related("service", "order")
        .prefetch_related(
            Prefetch(
                "status_changes",
                queryset=OrderPartStatusChange.objects.order_by("changed_at", "id"),
            ),
            Prefetch("documents", queryset=Document.objects.order_by("uploaded_at", "id")),
        )
        .order_by("part_number")
    )
    for part in parts:
        docs = list(part.documents.all())
        part.submitted_documents = [d for d in docs if d.direction == Document.Direction.SUBMITTED]
        part.result_documents = [d for d in docs if d.direction == Document.Direction.RESULT]
        part.download = result_download_decision(part)
    invoices = list(with_paid_amount(Invoice.objects.filter(order=order)).order_by("issued_on"))
    for invoice in invoices:
        invoice.state_label = invoice_state(invoice.total, invoice.paid_amount)
    return render(
        request,
        "orders/detail.html",
        {
            "order": order,
            "parts": parts,
            "payment": order_payment_state(order),
            "invoices": invoices,
            "eservices": order.eservices.select_related("service").order_by("id"),
            "legend": status_legend(),
            "upload_form_available": upload_form_available(),
            # One link under the parts when any result may be downloaded (the ZIP holds only those).
            "results_zip": any(
                part.download.allowed and any(not d.is_deleted for d in part.result_documents)
                for part in parts
            ),
        },
    )
