"""What a new message tells the other side, in the site's language: the client's people get a
portal notification and an email (notifications.notify); VZD's clerk answering the thread (or,
while nobody is assigned, CONVERSATIONS_STAFF_EMAIL) an email linking to the thread's admin page."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.urls import reverse
from django.utils.text import Truncator
from django.utils.translation import gettext as _

import outbox
from notifications.models import Notification
from notifications.services import notify, site_language

BODY_CHARS = 500


def _about(thread) -> str:
    if thread.order_id:
        return _("pasūtījumu %(number)s") % {"number": thread.order.number}
    return _("e-pakalpojumu %(id)s") % {"id": thread.eservice_id}


def notify_client_of_message(message, link: str) -> None:
    """VZD wrote: each of the client's people is notified, and emailed after the commit."""
    thread = message.thread
    with site_language():
        subject = _("Jauna VZD ziņa par %(about)s") % {"about": _about(thread)}
        body = _("%(author)s raksta: %(text)s Atbildēt varat portālā Mans konts.") % {
            "author": message.shown_author,
            "text": Truncator(message.text).chars(BODY_CHARS),
        }
    notify(thread.client, Notification.Kind.MESSAGE, subject, body, link)


def tell_staff_of_message(message) -> None:
    """The client wrote: VZD is emailed once the transaction commits (the desk counts it too)."""
    outbox.send_task("conversations.tasks.email_staff_of_message", args=[message.pk])


def staff_recipient(thread) -> str:
    """The assigned clerk's address, else the shared one (may be empty: the desk shows it)."""
    if thread.assignee_id and thread.assignee.email and thread.assignee.is_active:
        return thread.assignee.email
    return settings.CONVERSATIONS_STAFF_EMAIL


def email_staff(message, to: str) -> None:
    thread = message.thread
    url = settings.SITE_URL + reverse("admin:conversations_thread_change", args=[thread.pk])
    with site_language():
        subject = _("Klienta ziņa par %(about)s") % {"about": _about(thread)}
        text = "\n\n".join(
            [
                _("%(client)s (%(author)s) raksta:")
                % {
                    "client": thread.client.name,
                    "author": message.author_name,
                },
                Truncator(message.text).chars(BODY_CHARS),
                _("Atbildēt: %(url)s") % {"url": url},
            ]
        )
    send_mail(subject, text, None, [to])
