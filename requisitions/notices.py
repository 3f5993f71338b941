"""What requests tell a client's people, in the site's language (sent by notifications.notify)."""

from __future__ import annotations

from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext as _

from notifications.models import Notification
from notifications.services import notify, site_language


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
