"""Mani pasūtījumi VZD: the table of order parts (the order page is portal.views.order_detail)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_safe

from manskonts.decorators import client_required
from manskonts.identifiers import ORDER_NUMBER_MAX_LENGTH, normalize_order_number
from manskonts.listing import run_list, url_prefix
from orders.filters import OrderPartFilter
from orders.models import Order
from orders.queries import order_rows, row_payment_states
from orders.tables import SORTS, TABLE
from orders.workflow import DESCRIPTIONS, OrderStatus


def status_legend() -> list[tuple[str, str, str]]:
    return [(value, label, DESCRIPTIONS[value]) for value, label in OrderStatus.choices]


@require_safe
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
