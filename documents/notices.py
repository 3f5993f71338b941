"""What documents tell a client's people (a result to fetch, files about to be deleted), in the
site's language (sent by notifications.notify)."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

from notifications.models import Notification
from notifications.services import notify, site_language


def notify_result_attached(document) -> None:
    """A result was attached to an order part or an e-service: tell the client where to get it."""
    with site_language():
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
    notify(client, Notification.Kind.RESULT, subject, body, link)


def notify_files_expiring(eservice, documents) -> None:
    """Files of one e-service will be deleted soon; one notification names them all."""
    with site_language():
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
    notify(eservice.client, Notification.Kind.FILES_EXPIRING, subject, body, link)
