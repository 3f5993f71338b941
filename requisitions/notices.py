"""What requests tell a client's people, in the site's language (sent by notifications.notify),
and the staff an answer is waiting for (notifications.email_staff)."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.roles import CLIENT_CONTACT
from notifications.models import Notification
from notifications.services import email_staff, notify, site_language


def _where(request) -> tuple[str, str]:
    """The request's subject in words and the page it links to."""
    if request.order_part_id:
        part = request.order_part
        where = _("pasūtījuma %(number)s daļai %(part)s") % {
            "number": part.order.number,
            "part": part.part_number,
        }
        return where, reverse("orders:detail", args=[part.order.number])
    return (
        _("e-pakalpojumam %(id)s") % {"id": request.eservice_id},
        reverse("eservices:detail", args=[request.eservice_id]),
    )


def _date(day) -> str:
    return formats.date_format(day, "SHORT_DATE_FORMAT")


def _send(request, subject: str, body: str) -> None:
    _where_text, link = _where(request)
    notify(request.client, Notification.Kind.REQUEST, subject, body, link)


def notify_raised(request) -> None:
    with site_language():
        where, _link = _where(request)
        subject = _("VZD pieprasa informāciju: atbildiet līdz %(deadline)s") % {
            "deadline": _date(request.deadline)
        }
        body = _("VZD pieprasa %(where)s: %(text)s Atbildiet līdz %(deadline)s.") % {
            "where": where,
            "text": request.text,
            "deadline": _date(request.deadline),
        }
        if request.suspended_part:
            body += " " + _("Līdz atbildei pasūtījuma izpilde ir apturēta.")
    _send(request, subject, body)


def notify_accepted(request, *, resumed: bool) -> None:
    with site_language():
        where, _link = _where(request)
        subject = _("VZD pieņēma Jūsu atbildi")
        body = _("VZD pieņēma Jūsu atbildi uz pieprasījumu %(where)s.") % {"where": where}
        if resumed:
            body += " " + _("Pasūtījuma izpilde ir atsākta.")
    _send(request, subject, body)


def notify_asked_again(request, text: str) -> None:
    with site_language():
        where, _link = _where(request)
        subject = _("VZD lūdz papildināt atbildi līdz %(deadline)s") % {
            "deadline": _date(request.deadline)
        }
        body = _("VZD lūdz papildināt atbildi uz pieprasījumu %(where)s: %(text)s") % {
            "where": where,
            "text": text,
        }
    _send(request, subject, body)


def notify_extended(request) -> None:
    with site_language():
        where, _link = _where(request)
        subject = _("Pieprasījuma termiņš pagarināts līdz %(deadline)s") % {
            "deadline": _date(request.deadline)
        }
        body = _("VZD pagarināja atbildes termiņu pieprasījumam %(where)s līdz %(deadline)s.") % {
            "where": where,
            "deadline": _date(request.deadline),
        }
    _send(request, subject, body)


def notify_expired(request) -> None:
    with site_language():
        where, _link = _where(request)
        subject = _("Pieprasījuma termiņš ir beidzies")
        body = _(
            "Atbildes termiņš pieprasījumam %(where)s beidzās %(deadline)s. VZD var pagarināt "
            "termiņu vai pārtraukt pasūtījuma izpildi."
        ) % {"where": where, "deadline": _date(request.deadline)}
    _send(request, subject, body)


def notify_terminated(request, reason: str) -> None:
    with site_language():
        where, _link = _where(request)
        subject = _("Izpilde pārtraukta: pieprasījums netika izpildīts")
        body = _("VZD pārtrauca izpildi %(where)s. Iemesls: %(reason)s") % {
            "where": where,
            "reason": reason,
        }
    _send(request, subject, body)


def notify_withdrawn(request, *, resumed: bool) -> None:
    with site_language():
        where, _link = _where(request)
        subject = _("VZD atsauca pieprasījumu")
        body = _("VZD atsauca pieprasījumu %(where)s; atbilde vairs nav vajadzīga.") % {
            "where": where
        }
        if resumed:
            body += " " + _("Pasūtījuma izpilde ir atsākta.")
    _send(request, subject, body)


def notify_reminder(request, *, days_left: int) -> None:
    """The deadline is near (a week, or a day, before it) and the client has not answered yet."""
    with site_language():
        where, _link = _where(request)
        if days_left <= 0:
            subject = _("Šodien beidzas atbildes termiņš VZD pieprasījumam")
        else:
            subject = ngettext(
                "Atgādinājums: līdz atbildes termiņam %(days)d diena",
                "Atgādinājums: līdz atbildes termiņam %(days)d dienas",
                days_left,
            ) % {"days": days_left}
        body = _(
            "VZD vēl gaida Jūsu atbildi uz pieprasījumu %(where)s: %(text)s Atbildiet līdz "
            "%(deadline)s."
        ) % {"where": where, "text": request.text, "deadline": _date(request.deadline)}
        if request.order_part_id:
            body += " " + _(
                "Ja atbilde netiks saņemta līdz termiņam, pasūtījuma izpildi var pārtraukt."
            )
    _send(request, subject, body)


def answer_reviewers(request) -> list:
    """Who is told an answer came: the assigned clerk; else the one who raised it, if still on
    staff; else everyone in the role "Klientu saziņa"."""
    for user in (request.assignee, request.raised_by):
        if user is not None and user.is_active and user.is_staff:
            return [user]
    return list(
        get_user_model().objects.filter(groups__name=CLIENT_CONTACT, is_active=True, is_staff=True)
    )


def notify_answered(request, answer) -> None:
    """The client submitted an answer: the staff who review it learn of it, with a link to the
    request's admin page."""
    with site_language():
        where, _link = _where(request)
        subject = _("Saņemta atbilde uz pieprasījumu Nr. %(id)s") % {"id": request.pk}
        body = _("Klients %(client)s atbildēja uz pieprasījumu %(where)s.") % {
            "client": request.client,
            "where": where,
        }
        if answer.message:
            body += " " + _("Ziņa: %(message)s") % {"message": answer.message}
    email_staff(
        answer_reviewers(request),
        subject,
        body,
        reverse("admin:requisitions_request_change", args=[request.pk]),
    )
