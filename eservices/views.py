from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from accounts.acting_for import client_required
from eservices.models import EService


@client_required
def eservice_list(request: HttpRequest) -> HttpResponse:
    eservices = (
        EService.objects.for_client(request.client)
        .select_related("service", "requested_by")
        .prefetch_related("orders")
        .order_by("-created_at", "-id")[:50]
    )
    return render(request, "eservices/list.html", {"eservices": eservices})


@client_required
def eservice_detail(request: HttpRequest, pk: int) -> HttpResponse:
    eservice = get_object_or_404(
        EService.objects.for_client(request.client).select_related("service__group"), pk=pk
    )
    return render(request, "eservices/detail.html", {"eservice": eservice})
