"""Pages of Mans konts that compose several apps: the overview and the order page."""

from __future__ import annotations

from django.db.models import F
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from billing.models import Invoice
from billing.services import order_payment_state, with_paid_amount
from billing.tables import ORDER_INVOICES
from documents.access import result_download_decision
from documents.models import Document
from documents.services import expiring_soon
from eservices.models import EService, EServiceStatusChange
from manskonts.decorators import client_required
from manskonts.listing import url_prefix
from orders.models import Order, OrderPart, OrderPartStatusChange
from orders.views import status_legend


@require_safe
@client_required
def overview(request: HttpRequest) -> HttpResponse:
    """What needs attention: counts, unpaid invoices, files about to expire, recent status changes."""
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


@require_safe
@client_required
def order_detail(request: HttpRequest, number: str) -> HttpResponse:
    order = get_object_or_404(Order.objects.for_client(request.client), number=number)
    parts = list(order.parts.with_history_and_documents())
    payment = order_payment_state(order)  # once: every part's download decision reads it
    # Each part beside its results' download decision (one rule: documents.access).
    downloads = [(part, result_download_decision(part, payment)) for part in parts]
    invoices = list(with_paid_amount(Invoice.objects.filter(order=order)).order_by("issued_on"))
    invoice_table = ORDER_INVOICES.layout()
    return render(
        request,
        "orders/detail.html",
        {
            "order": order,
            "parts": parts,
            "downloads": downloads,
            "payment": payment,
            "invoices": invoices,
            "invoice_table": invoice_table,
            "invoice_rows": invoice_table.rows(
                invoices, {"invoices": url_prefix("billing:invoice_detail")}
            ),
            "eservices": order.eservices.select_related("service").order_by("id"),
            "legend": status_legend(),
            # One link under the parts when any result may be downloaded (the ZIP holds only those).
            "results_zip": any(
                download.allowed and any(not d.is_deleted for d in part.result_documents)
                for part, download in downloads
            ),
        },
    )
