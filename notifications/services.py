"""Telling a client's people something: a portal notification each, and an email after commit
(sent through the outbox, so a broker outage delays the email but never loses it).

Generic: the apps compose what they say (their `notices.py`, in the site's language) and hand it
to `notify`; this module knows no app's wording and imports no app above it (the client is duck
typed: `is_legal`, `person`, and its people through the memberships' reverse relation).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

import outbox
from notifications.models import Notification, StaffEmail


def recipients(client) -> list:
    """A natural person's own client reaches that person; a legal person's reaches all its users."""
    if client.is_legal:
        users = get_user_model().objects.filter(memberships__client=client, is_active=True)
        return list(users)
    return [client.person] if client.person and client.person.is_active else []


def notify(client, kind: str, subject: str, body: str, link: str = "") -> list[int]:
    """Create a notification for each of the client's people and email them once committed.

    The notifications and their emails' outbox rows are saved together: none without the other.
    `kind` is a Notification.Kind; subject and body are already in the site's language.
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


def site_language():
    """What the apps compose their notices in: the site's language, whoever's request it is."""
    return translation.override(settings.LANGUAGE_CODE)


def send_email(notification: Notification) -> None:
    """Send one notification by email (subject / text / html templates) and mark it sent."""
    context = {
        "notification": notification,
        "url": f"{settings.SITE_URL}{notification.link}"
        if notification.link
        else settings.SITE_URL,
        "site_url": settings.SITE_URL,
    }
    with site_language():
        subject = render_to_string("emails/notification-subject.txt", context).strip()
        text = render_to_string("emails/notification-body.txt", context)
        html = render_to_string("emails/notification-body.html", context)
    message = EmailMultiAlternatives(subject, text, to=[notification.recipient.email])
    message.attach_alternative(html, "text/html")
    message.send()
    Notification.objects.filter(pk=notification.pk).update(emailed_at=timezone.now())


def email_staff(users, subject: str, body: str, link: str = "") -> list[int]:
    """Email VZD staff members about their work (an answer to review), once committed: a
    StaffEmail row each (so a re-delivered task sends it once), sent through the outbox. `link` is
    a path of the admin; subject and body are already in the site's language."""
    now = timezone.now()
    with transaction.atomic():
        created = StaffEmail.objects.bulk_create(
            StaffEmail(recipient=user, subject=subject, body=body, link=link, created_at=now)
            for user in users
            if user.is_active and user.is_staff and user.email
        )
        for email in created:
            outbox.send_task("notifications.tasks.send_staff_email", args=[email.pk])
    return [e.pk for e in created]


def send_staff_email(email: StaffEmail) -> None:
    """Send one staff email (text only) and mark it sent."""
    context = {"email": email, "url": f"{settings.SITE_URL}{email.link}" if email.link else ""}
    with site_language():
        text = render_to_string("emails/staff-body.txt", context)
        subject = render_to_string("emails/staff-subject.txt", context).strip()
    EmailMultiAlternatives(subject, text, to=[email.recipient.email]).send()
    StaffEmail.objects.filter(pk=email.pk).update(emailed_at=timezone.now())
