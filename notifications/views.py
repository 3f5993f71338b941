"""The person's notifications for the client they act for: a list, and marking them read."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.acting_for import client_required
from notifications.models import Notification

PAGE_SIZE = 25


def _inbox(request: HttpRequest):
    return Notification.objects.for_recipient(request.user, request.client)


@require_GET
@client_required
def notification_list(request: HttpRequest) -> HttpResponse:
    paginator = Paginator(_inbox(request).order_by("-created_at", "-id"), PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    return render(request, "notifications/list.html", {"page": page, "notifications": page})


@require_POST
@client_required
def mark_read(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark one notification read; with `open=1` continue to what it is about."""
    notification = get_object_or_404(_inbox(request), pk=pk)
    if notification.read_at is None:
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
            read_at=timezone.now()
        )
    if (
        request.POST.get("open")
        and notification.link
        and url_has_allowed_host_and_scheme(
            notification.link, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return HttpResponseRedirect(notification.link, status=303)
    return HttpResponseRedirect(reverse("notifications:list"), status=303)


@require_POST
@client_required
def mark_all_read(request: HttpRequest) -> HttpResponse:
    count = _inbox(request).unread().update(read_at=timezone.now())
    if count:
        messages.success(request, _("Visi paziņojumi atzīmēti kā izlasīti."))
    return HttpResponseRedirect(reverse("notifications:list"), status=303)
