"""What orders tell a client's people, in the site's language (sent by notifications.notify)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from notifications.models import Notification
from notifications.services import notify, site_language


def notify_order_part_status(part) -> None:
    with site_language():
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
    notify(part.client, Notification.Kind.STATUS, subject, body, link)
