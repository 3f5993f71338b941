"""Telling a client's people what VZD did: a portal notification each, and an email after commit."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import Client, User
from notifications.models import Notification


def recipients(client: Client) -> list[User]:
    """A natural person's own client reaches that person; a legal person's reaches all its users."""
    if client.is_legal:
        return list(User.objects.filter(memberships__client=client, is_active=True))
    return [client.person] if client.person and client.person.is_active else []


def notify_client(client: Client, kind: str, subject: str, body: str, link: str = "") -> list[int]:
    """Create a notification for each of the client's people and email them once committed."""
    from notifications.tasks import send_notification_email

    now = timezone.now()
    created = Notification.objects.bulk_create(
        Notification(
            client=client,
            recipient=user,
            kind=kind,
            subject=subject,
            body=body,
            link=link,
            created_at=now,
        )
        for user in recipients(client)
    )
    for notification in created:
        if notification.recipient.email:
            send_notification_email.delay_on_commit(notification.pk)
    return [n.pk for n in created]


def notify_order_part_status(part) -> None:
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Pasūtījuma %(number)s statuss: %(status)s") % {
            "number": part.order.number,
            "status": part.get_status_display(),
        }
        body = _(
            "Pasūtījuma %(number)s daļas %(part)s statuss mainīts uz „%(status)s”. %(desc)s"
        ) % {
            "number": part.order.number,
            "part": part.part_number,
            "status": part.get_status_display(),
            "desc": part.status_description,
        }
    link = reverse("orders:detail", args=[part.order.number])
    notify_client(part.client, Notification.Kind.STATUS, subject, body, link)


def notify_eservice_status(eservice) -> None:
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("E-pakalpojuma %(id)s statuss: %(status)s") % {
            "id": eservice.pk,
            "status": eservice.get_status_display(),
        }
        body = _("E-pakalpojuma %(id)s (%(service)s) statuss mainīts uz „%(status)s”.") % {
            "id": eservice.pk,
            "service": eservice.service.name,
            "status": eservice.get_status_display(),
        }
    link = reverse("eservices:detail", args=[eservice.pk])
    notify_client(eservice.client, Notification.Kind.STATUS, subject, body, link)


def send_email(notification: Notification) -> None:
    """Send one notification by email (subject / text / html templates) and mark it sent."""
    context = {
        "notification": notification,
        "url": f"{settings.SITE_URL}{notification.link}"
        if notification.link
        else settings.SITE_URL,
        "site_url": settings.SITE_URL,
    }
    with translation.override(settings.LANGUAGE_CODE):
        subject = render_to_string("emails/notification-subject.txt", context).strip()
        text = render_to_string("emails/notification-body.txt", context)
        html = render_to_string("emails/notification-body.html", context)
    message = EmailMultiAlternatives(subject, text, to=[notification.recipient.email])
    message.attach_alternative(html, "text/html")
    message.send()
    Notification.objects.filter(pk=notification.pk).update(emailed_at=timezone.now())
