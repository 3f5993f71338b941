from django.db.models import F
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


@require_GET
@client_required
def overview(request: HttpRequest) -> HttpResponse:
    """What needs attention: counts, unpaid invoices, files about to expire, recent status changes."""
    from billing.models import Invoice
    from billing.services import with_paid_amount
    from documents.models import Document
    from documents.services import expiring_soon
    from eservices.models import EService, EServiceStatusChange
    from orders.models import OrderPart, OrderPartStatusChange

    client = request.client
    limit = 1000  # counts stop here ("more than 1 000"), like the lists
    unpaid = list(
        with_paid_amount(Invoice.objects.for_client(client).select_related("order"))
        .filter(paid_amount__lt=F("total"))
        .order_by("due_on", "id")[:5]
    )
    # The files the daily reminder tells of: deleted within the reminder days.
    expiring = (
        Document.objects.filter(expiring_soon(), eservice__client=client)
        .select_related("eservice")
        .order_by("uploaded_at", "id")[:5]
    )
    changes = [
        {"at": c.changed_at, "label": c.get_to_status_display(), "part": c.part}
        for c in OrderPartStatusChange.objects.filter(part__client=client)
        .select_related("part__order")
        .order_by("-changed_at", "-id")[:5]
    ] + [
        {"at": c.changed_at, "label": c.get_to_status_display(), "eservice": c.eservice}
        for c in EServiceStatusChange.objects.filter(eservice__client=client)
        .select_related("eservice")
        .order_by("-changed_at", "-id")[:5]
    ]
    changes.sort(key=lambda c: c["at"], reverse=True)

    def bounded(qs) -> int:
        return qs.order_by().values("pk")[: limit + 1].count()

    return render(
        request,
        "overview.html",
        {
            "eservice_count": bounded(EService.objects.for_client(client)),
            "order_part_count": bounded(OrderPart.objects.for_client(client)),
            "count_limit": limit,
            "unpaid_invoices": unpaid,
            "expiring_documents": expiring,
            "recent_changes": changes[:5],
        },
    )
