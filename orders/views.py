from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from accounts.acting_for import client_required
from billing.services import order_payment_state
from orders.models import Order, OrderPart


@client_required
def order_list(request: HttpRequest) -> HttpResponse:
    parts = (
        OrderPart.objects.for_client(request.client)
        .select_related("order", "service")
        .order_by("-created_at", "-id")[:50]
    )
    return render(request, "orders/list.html", {"parts": parts})


@client_required
def order_detail(request: HttpRequest, number: str) -> HttpResponse:
    order = get_object_or_404(Order.objects.for_client(request.client), number=number)
    return render(
        request,
        "orders/detail.html",
        {
            "order": order,
            "parts": order.parts.select_related("service").prefetch_related("status_changes"),
            "payment": order_payment_state(order),
        },
    )
