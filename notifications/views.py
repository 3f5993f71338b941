from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.acting_for import client_required
from notifications.models import Notification


@client_required
def notification_list(request: HttpRequest) -> HttpResponse:
    notifications = Notification.objects.for_recipient(request.user, request.client)[:50]
    return render(request, "notifications/list.html", {"notifications": notifications})
