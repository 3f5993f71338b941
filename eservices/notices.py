"""What e-services tell a client's people, in the site's language (sent by notifications.notify)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from notifications.models import Notification
from notifications.services import notify, site_language


def notify_eservice_status(eservice) -> None:
    with site_language():
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
    notify(eservice.client, Notification.Kind.STATUS, subject, body, link)


def notify_export_ready(job, count: int) -> None:
    """An Excel report the client asked for is built."""
    with site_language():
        subject = _("E-pakalpojumu atskaite ir sagatavota")
        body = ngettext(
            "Excel atskaite (%(count)s rinda) ir gatava lejupielādei.",
            "Excel atskaite (%(count)s rindas) ir gatava lejupielādei.",
            count,
        ) % {"count": count}
    link = reverse("eservices:export", args=[job.pk])
    notify(job.client, Notification.Kind.EXPORT_READY, subject, body, link)
