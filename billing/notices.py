"""What billing tells a client's people (an invoice issued, money received), in the site's language
(sent by notifications.notify). billing.services decides the amounts; this only words them."""

from __future__ import annotations

from decimal import Decimal

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from manskonts.templatetags.manskonts import money
from notifications.models import Notification
from notifications.services import notify, site_language


def _invoice_link(invoice) -> str:
    return reverse("billing:invoice_detail", args=[invoice.number])


def notify_invoice_issued(invoice) -> None:
    """VZD issued an invoice: the client learns its number, amount and due date, and where to pay."""
    with site_language():
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
    notify(invoice.client, Notification.Kind.INVOICE, subject, body, _invoice_link(invoice))


def notify_payment_received(payment, invoice, owed: Decimal) -> None:
    """Money reached an invoice: the client learns how much, and whether anything is still owed
    (`owed`: what the invoice still owes after it)."""
    with site_language():
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
    notify(invoice.client, Notification.Kind.PAYMENT, subject, body, _invoice_link(invoice))


def notify_overpayment_received(overpayment) -> None:
    """Money arrived for an invoice that no longer owed it: the client learns it will be refunded."""
    invoice = overpayment.invoice
    with site_language():
        subject = _("Rēķins %(number)s jau apmaksāts") % {"number": invoice.number}
        body = _(
            "Par rēķinu %(number)s (pasūtījums %(order)s) saņemti %(amount)s vairāk, nekā bija "
            "jāmaksā. Šo pārmaksu VZD Jums atmaksās."
        ) % {
            "amount": money(overpayment.amount),
            "number": invoice.number,
            "order": invoice.order.number,
        }
    notify(invoice.client, Notification.Kind.PAYMENT, subject, body, _invoice_link(invoice))


def notify_invoice_due_soon(invoice, *, owed: Decimal, today) -> None:
    """An unpaid prepayment invoice is due soon: the order waits for it."""
    days = (invoice.due_on - today).days
    with site_language():
        if days <= 0:
            subject = _("Šodien beidzas rēķina %(number)s apmaksas termiņš") % {
                "number": invoice.number
            }
        else:
            subject = ngettext(
                "Rēķina %(number)s apmaksas termiņš pēc %(days)d dienas",
                "Rēķina %(number)s apmaksas termiņš pēc %(days)d dienām",
                days,
            ) % {"number": invoice.number, "days": days}
        body = _(
            "Priekšapmaksas rēķins %(number)s pasūtījumam %(order)s vēl nav apmaksāts: jāmaksā "
            "%(owed)s līdz %(due)s. Pasūtījuma izpilde sāksies pēc apmaksas. Maksājuma mērķī "
            "norādiet rēķina numuru."
        ) % {
            "number": invoice.number,
            "order": invoice.order.number,
            "owed": money(owed),
            "due": invoice.due_on.strftime("%d.%m.%Y"),
        }
    notify(invoice.client, Notification.Kind.INVOICE, subject, body, _invoice_link(invoice))
