from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from accounts.acting_for import client_required
from billing.models import Invoice
from billing.services import with_paid_amount


@client_required
def invoice_list(request: HttpRequest) -> HttpResponse:
    invoices = with_paid_amount(
        Invoice.objects.for_client(request.client).select_related("order")
    ).order_by("-issued_on", "-id")[:50]
    return render(request, "billing/invoice_list.html", {"invoices": invoices})


@client_required
def invoice_detail(request: HttpRequest, number: str) -> HttpResponse:
    invoice = get_object_or_404(
        with_paid_amount(Invoice.objects.for_client(request.client).select_related("order")),
        number=number,
    )
    return render(request, "billing/invoice_detail.html", {"invoice": invoice})
