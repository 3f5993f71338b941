"""The person's notifications for the client they act for: a list, and marking them read."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST, require_safe

from manskonts.decorators import client_required
from manskonts.listing import SortChoices, SortOption, run_plain_list
from notifications.models import Notification
from notifications.tables import TABLE

PAGE_SIZE = 25
SORTS = SortChoices(
    [SortOption("created", _lazy("Laiks"), ("created_at", "id"))], default="-created"
)


def _inbox(request: HttpRequest):
    return Notification.objects.for_recipient(request.user, request.client)


@require_safe
@client_required
def notification_list(request: HttpRequest) -> HttpResponse:
    result = run_plain_list(request, _inbox(request), SORTS, PAGE_SIZE)
    return render(
        request,
        "notifications/list.html",
        {
            "list": result,
            "page": result.page,
            "notifications": result.page.rows,
            "table": TABLE.layout(),
        },
    )


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
