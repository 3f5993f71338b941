"""What accounts tell a person (their legal-person application decided), in the site's language
(sent by notifications.notify)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.models import Client
from notifications.models import Notification
from notifications.services import notify, site_language


def _notify_applicant(application, subject: str, body: str) -> None:
    notify(
        Client.objects.get_or_create_for_person(application.applicant),
        Notification.Kind.ACCOUNT,
        subject,
        body,
        reverse("accounts:application_detail", args=[application.pk]),
    )


def notify_application_approved(application) -> None:
    with site_language():
        subject = _("Pieteikums apstiprināts: %(name)s") % {"name": application.name}
        body = _(
            "VZD apstiprināja Jūsu pieteikumu. %(name)s konts ir izveidots, un Jūs esat tā "
            "administrators: izvēlieties to lapas galvenē „Darbojos kā”."
        ) % {"name": application.name}
    _notify_applicant(application, subject, body)


def notify_application_rejected(application) -> None:
    with site_language():
        subject = _("Pieteikums noraidīts: %(name)s") % {"name": application.name}
        body = _("VZD noraidīja Jūsu pieteikumu. Iemesls: %(reason)s") % {
            "reason": application.rejection_reason
        }
    _notify_applicant(application, subject, body)
