from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts.acting_for import client_required


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "home.html")


@require_GET
def accessibility(request: HttpRequest) -> HttpResponse:
    return render(request, "accessibility.html")


@client_required
def overview(request: HttpRequest) -> HttpResponse:
    """What needs attention: counts, unpaid invoices, recent status changes."""
    from billing.models import Invoice
    from billing.services import with_paid_amount
    from eservices.models import EService
    from orders.models import OrderPart, OrderPartStatusChange

    client = request.client
    unpaid = [
        invoice
        for invoice in with_paid_amount(
            Invoice.objects.for_client(client).select_related("order")
        ).order_by("due_on", "id")[:50]
        if invoice.paid_amount < invoice.total
    ][:5]
    recent = (
        OrderPartStatusChange.objects.filter(part__client=client)
        .select_related("part__order", "part__service")
        .order_by("-changed_at", "-id")[:5]
    )
    return render(
        request,
        "overview.html",
        {
            "eservice_count": EService.objects.for_client(client).count(),
            "order_part_count": OrderPart.objects.for_client(client).count(),
            "unpaid_invoices": unpaid,
            "recent_changes": recent,
        },
    )
