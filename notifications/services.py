"""Telling a client's people what VZD did: a portal notification each, and an email after commit
(sent through the outbox, so a broker outage delays the email but never loses it)."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

import outbox
from accounts.models import Client, User
from notifications.models import Notification


def recipients(client: Client) -> list[User]:
    """A natural person's own client reaches that person; a legal person's reaches all its users."""
    if client.is_legal:
        return list(User.objects.filter(memberships__client=client, is_active=True))
    return [client.person] if client.person and client.person.is_active else []


def notify_client(client: Client, kind: str, subject: str, body: str, link: str = "") -> list[int]:
    """Create a notification for each of the client's people and email them once committed.

    The notifications and their emails' outbox rows are saved together: none without the other.
    """
    now = timezone.now()
    with transaction.atomic():
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
                outbox.send_task(
                    "notifications.tasks.send_notification_email", args=[notification.pk]
                )
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


def notify_result_attached(document) -> None:
    """A result was attached to an order part or an e-service: tell the client where to get it."""
    with translation.override(settings.LANGUAGE_CODE):
        if document.order_part_id:
            part = document.order_part
            subject = _("Pasūtījumam %(number)s pievienots rezultāts") % {
                "number": part.order.number
            }
            body = _(
                "Pasūtījuma %(number)s daļai %(part)s (%(service)s) pievienots rezultāts "
                "„%(name)s”. To varēs lejupielādēt pasūtījuma lapā, kad pasūtījums būs apmaksāts."
            ) % {
                "number": part.order.number,
                "part": part.part_number,
                "service": part.service.name,
                "name": document.original_name,
            }
            link = reverse("orders:detail", args=[part.order.number])
            client = part.client
        else:
            eservice = document.eservice
            subject = _("E-pakalpojumam %(id)s pievienots rezultāts") % {"id": eservice.pk}
            body = _(
                "E-pakalpojumam %(id)s (%(service)s) pievienots rezultāts „%(name)s”. "
                "Datne portālā pieejama %(days)s dienas."
            ) % {
                "id": eservice.pk,
                "service": eservice.service.name,
                "name": document.original_name,
                "days": settings.FILE_RETENTION_DAYS,
            }
            link = reverse("eservices:detail", args=[eservice.pk])
            client = eservice.client
    notify_client(client, Notification.Kind.RESULT, subject, body, link)


def _invoice_link(invoice) -> str:
    """The invoice's page, or its order's when the billing pages are not installed."""
    try:
        return reverse("billing:invoice_detail", args=[invoice.number])
    except NoReverseMatch:
        return reverse("orders:detail", args=[invoice.order.number])


def notify_invoice_issued(invoice) -> None:
    """VZD issued an invoice: the client learns its number, amount and due date, and where to pay."""
    from manskonts.templatetags.manskonts import money

    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Izrakstīts rēķins %(number)s pasūtījumam %(order)s") % {
            "number": invoice.number,
            "order": invoice.order.number,
        }
        body = _(
            "Pasūtījumam %(order)s izrakstīts %(kind)s %(number)s par %(total)s, "
            "apmaksas termiņš %(due)s. Maksājuma mērķī norādiet rēķina numuru."
        ) % {
            "order": invoice.order.number,
            "kind": invoice.get_kind_display().lower(),
            "number": invoice.number,
            "total": money(invoice.total),
            "due": invoice.due_on.strftime("%d.%m.%Y"),
        }
    link = _invoice_link(invoice)
    notify_client(invoice.client, Notification.Kind.INVOICE, subject, body, link)


def notify_payment_received(payment) -> None:
    """Money reached an invoice: the client learns how much, and whether anything is still owed."""
    from billing.models import Invoice
    from billing.services import amount_owed, with_paid_amount
    from manskonts.templatetags.manskonts import money

    invoices = Invoice.objects.filter(pk=payment.invoice_id).select_related("order", "client")
    invoice = with_paid_amount(invoices).get()
    owed = amount_owed(invoice)
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Saņemts maksājums par rēķinu %(number)s") % {"number": invoice.number}
        body = _("Saņemti %(amount)s par rēķinu %(number)s (pasūtījums %(order)s).") % {
            "amount": money(payment.amount),
            "number": invoice.number,
            "order": invoice.order.number,
        }
        if owed > 0:
            body += " " + _("Vēl jāsamaksā %(owed)s.") % {"owed": money(owed)}
        else:
            body += " " + _("Rēķins ir apmaksāts pilnībā.")
    link = _invoice_link(invoice)
    notify_client(invoice.client, Notification.Kind.PAYMENT, subject, body, link)


def notify_overpayment_received(overpayment) -> None:
    """Money arrived for an invoice that no longer owed it: the client learns it will be refunded."""
    from manskonts.templatetags.manskonts import money

    invoice = overpayment.invoice
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Rēķins %(number)s jau apmaksāts") % {"number": invoice.number}
        body = _(
            "Par rēķinu %(number)s (pasūtījums %(order)s) saņemti %(amount)s vairāk, nekā bija "
            "jāmaksā. Šo pārmaksu VZD Jums atmaksās."
        ) % {
            "amount": money(overpayment.amount),
            "number": invoice.number,
            "order": invoice.order.number,
        }
    link = _invoice_link(invoice)
    notify_client(invoice.client, Notification.Kind.PAYMENT, subject, body, link)


def notify_files_expiring(eservice, documents) -> None:
    """Files of one e-service will be deleted soon; one notification names them all."""
    with translation.override(settings.LANGUAGE_CODE):
        until = min(d.available_until for d in documents)
        subject = _("E-pakalpojuma %(id)s datnes drīz tiks dzēstas") % {"id": eservice.pk}
        body = _(
            "E-pakalpojuma %(id)s datnes (%(names)s) portālā glabājas %(days)s dienas un būs "
            "pieejamas līdz %(date)s. Lejupielādējiet tās, ja tās Jums vēl vajadzīgas."
        ) % {
            "id": eservice.pk,
            "names": ", ".join(d.original_name for d in documents),
            "days": settings.FILE_RETENTION_DAYS,
            "date": until.strftime("%d.%m.%Y"),
        }
    link = reverse("eservices:detail", args=[eservice.pk])
    notify_client(eservice.client, Notification.Kind.FILES_EXPIRING, subject, body, link)


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
