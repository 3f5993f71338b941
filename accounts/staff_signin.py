"""The staff admin's password step, throttled by django-axes on username and address together.

Axes (database handler, so it works with Redis down) counts failures per (username, client
address) pair: ten failures lock that pair for five minutes, while the same person at another
address still gets in. Axes checks the count before the password and records the failure after it,
so parallel attempts could all pass the check first; a PostgreSQL advisory lock per pair, held in
one transaction from the check to the record, makes check, password and count one step. The lock
is logged, and the staff member is emailed once per lock.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import timedelta

from axes.handlers.database import AxesDatabaseHandler
from axes.models import AccessAttempt
from axes.signals import user_locked_out
from django.conf import settings
from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import connection, transaction
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

import outbox
from accounts.models import User
from manskonts.client_address import client_address

log = logging.getLogger("manskonts.security")


def _pair_lock_id(username: str, address: str) -> int:
    """A signed 64-bit advisory lock id for one (username, address) pair."""
    digest = hashlib.sha256(
        f"staff-sign-in\0{username}\0{address}".encode("utf-8", "surrogatepass")
    )
    return int.from_bytes(digest.digest()[:8], "big", signed=True)


def lock_pair(username: str, address: str) -> None:
    """Wait until no other sign-in attempt for this pair is between its check and its record.

    Must run inside a transaction: the lock is released when that transaction ends, after the
    failure it recorded is committed, so the next attempt counts it.
    """
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_pair_lock_id(username, address)])


class StaffAuthenticationForm(AdminAuthenticationForm):
    """The admin's sign-in form; axes refuses a locked pair before its password is checked."""

    def clean(self):
        username = self.cleaned_data.get("username") or ""
        error = None
        with transaction.atomic():
            lock_pair(username, client_address(self.request))
            try:
                super().clean()
            except ValidationError as refused:
                # Leave the transaction normally: the failure axes recorded must be committed.
                error = refused
        if error is not None:
            raise error
        return self.cleaned_data


class StaffSignInHandler(AxesDatabaseHandler):
    """Axes' database handler, counting only the admin's sign-in.

    The portal's own sign-in (the state identity service) also goes through Django's authenticate;
    its failures are not password guesses and must not be stored or counted here.
    """

    def user_login_failed(self, sender, credentials: dict, request=None, **kwargs):
        if request is not None and self.is_admin_request(request):
            return super().user_login_failed(sender, credentials, request, **kwargs)
        return None

    def user_logged_in(self, sender, request, user, **kwargs):
        if request is not None and self.is_admin_request(request):
            return super().user_logged_in(sender, request, user, **kwargs)
        return None

    def user_logged_out(self, sender, request, user, **kwargs):
        if request is not None and self.is_admin_request(request):
            return super().user_logged_out(sender, request, user, **kwargs)
        return None


def _cooloff_minutes() -> int:
    return int(settings.AXES_COOLOFF_TIME / timedelta(minutes=1))


def lockout_response(
    request: HttpRequest, original_response=None, credentials=None
) -> HttpResponse:
    """Axes' answer to a locked pair: a Latvian page in the admin's look, 429 Too Many Requests."""
    response = TemplateResponse(
        request,
        "admin/lockout.html",
        {
            **admin.site.each_context(request),
            "failure_limit": settings.AXES_FAILURE_LIMIT,
            "cooloff_minutes": _cooloff_minutes(),
        },
        status=429,
    )
    return response.render()


def _another_lock_is_recent(username: str, address: str) -> bool:
    """Whether this username was already locked at another address within the cool-off."""
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    return (
        AccessAttempt.objects.filter(
            username=username,
            failures_since_start__gte=settings.AXES_FAILURE_LIMIT,
            attempt_time__gte=since,
        )
        .exclude(ip_address=address or None)
        .exists()
    )


def email_locked_out_staff(user: User, address: str, minutes: int, at=None) -> None:
    """The lockout email itself; sent by `accounts.tasks.send_lockout_email` from the outbox."""
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Mans konts: pieslēgšanās Jūsu darbinieka kontam uz laiku bloķēta")
        body = _(
            "Labdien!\n\n"
            "Jūsu darbinieka kontam „%(username)s” no adreses %(address)s ir ievadīta nepareiza "
            "parole %(limit)s reizes pēc kārtas. Pieslēgšanās šim kontam no šīs adreses ir "
            "bloķēta uz %(minutes)s minūtēm (no %(time)s).\n\n"
            "No citām adresēm Jūs varat pieslēgties kā parasti. Ja tas nebijāt Jūs, nomainiet "
            "paroli un ziņojiet sistēmas administratoram.\n\n"
            "Mans konts"
        ) % {
            "username": user.get_username(),
            "address": address or _("nezināmas"),
            "limit": settings.AXES_FAILURE_LIMIT,
            "minutes": minutes,
            "time": timezone.localtime(at).strftime("%d.%m.%Y %H:%M"),
        }
    EmailMessage(subject, body, to=[user.email]).send()


@receiver(user_locked_out)
def staff_locked_out(sender, request: HttpRequest, username: str | None, ip_address: str, **kwargs):
    """Axes locked a (username, address) pair: log it, and tell the staff member once."""
    failures = getattr(request, "axes_failures_since_start", None)
    if failures != settings.AXES_FAILURE_LIMIT:
        # Axes sends the signal again for every attempt refused while locked; only the attempt
        # that reached the limit is the lock itself.
        log.info("staff sign-in refused while locked username=%r ip=%s", username, ip_address)
        return
    minutes = _cooloff_minutes()
    log.warning(
        "staff sign-in locked username=%r ip=%s failures=%s minutes=%s",
        username,
        ip_address,
        failures,
        minutes,
    )
    user = User.objects.filter(username=username, is_staff=True, is_active=True).first()
    if user is None or not user.email or _another_lock_is_recent(username, ip_address):
        return
    # Through the outbox, in the transaction that records the failure: sent by a worker once it
    # commits and retried while the mail server is down; the sign-in page never waits for mail.
    outbox.send_task(
        "accounts.tasks.send_lockout_email",
        args=[user.pk, ip_address or "", minutes, timezone.now().isoformat()],
    )
