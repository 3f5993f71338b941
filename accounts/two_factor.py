"""Staff two-factor sign-in (django-otp): who still owes a second factor, and the devices.

A staff member signs in to the admin with a password, then proves a second factor: a code from an
authenticator app (TOTP), a passkey (WebAuthn, django-otp-webauthn), or a recovery code (each used
once). Someone with no device yet is sent to enrolment; a superuser can reset a colleague's devices,
who then enrols again at the next sign-in. With DEBUG=1 the demo staff accounts of `seed_demo` may
skip the second factor while they have no device (STAFF_OTP_EXEMPT_USERNAMES); with DEBUG=0 a
system check refuses that and refuses STAFF_OTP_REQUIRED=0.
"""

from __future__ import annotations

import logging
import time
from base64 import b32encode
from binascii import unhexlify

import segno
from django.conf import settings
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import SafeString, mark_safe
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex
from django_otp_webauthn.models import WebAuthnCredential

from accounts.models import User

log = logging.getLogger("manskonts.security")

RECOVERY_CODE_COUNT = 10
RECOVERY_DEVICE_NAME = "Rezerves kodi"
TOTP_DEVICE_NAME = "Autentifikatora lietotne"


def has_primary_device(user: User) -> bool:
    """An authenticator app or a passkey: what a sign-in is verified with (recovery codes aside)."""
    return (
        TOTPDevice.objects.filter(user=user, confirmed=True).exists()
        or WebAuthnCredential.objects.filter(user=user, confirmed=True).exists()
    )


def is_exempt(user: User) -> bool:
    """A local demo staff account that may skip the second factor (DEBUG=1 only)."""
    return bool(settings.DEBUG) and user.get_username() in settings.STAFF_OTP_EXEMPT_USERNAMES


def pending_step(request: HttpRequest) -> str | None:
    """What a signed-in staff member must still do before the admin: "verify", "enrol" or None."""
    user = request.user
    if not (user.is_authenticated and user.is_active and user.is_staff):
        return None
    if not settings.STAFF_OTP_REQUIRED or user.is_verified():
        return None
    has_device = has_primary_device(user)
    if not has_device and is_exempt(user):
        return None
    return "verify" if has_device else "enrol"


def second_factor_done(request: HttpRequest) -> bool:
    return pending_step(request) is None


def next_url(request: HttpRequest) -> str:
    """Where to go once the second factor is done: a safe `next`, or the admin's index."""
    target = request.POST.get(REDIRECT_FIELD_NAME) or request.GET.get(REDIRECT_FIELD_NAME, "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("admin:index")


# --- Authenticator app (TOTP) -------------------------------------------------------------------


def new_totp_key() -> str:
    return random_hex(20)


def totp_config_url(user: User, key: str) -> str:
    """The otpauth:// address an authenticator app reads from the QR code."""
    return TOTPDevice(user=user, key=key).config_url


def totp_secret_for_typing(key: str) -> str:
    """The secret in base32, in groups of four, for typing into an app without a camera."""
    secret = b32encode(unhexlify(key)).decode("ascii").rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def qr_svg(data: str, title: str) -> SafeString:
    """An inline SVG QR code (no scripts, no style attributes: allowed by the CSP); a viewBox
    instead of a fixed size, so that it shrinks with a phone's screen (static/css/admin.css)."""
    svg = segno.make(data, error="m").svg_inline(
        scale=5, title=title, svgclass="otp-qr", dark="#000", light="#fff", omitsize=True
    )
    return mark_safe(svg)  # noqa: S308 — segno writes the markup, the data is escaped by it


def _clean_digits(token: str) -> str:
    return "".join(token.split())


def confirm_totp(user: User, key: str, token: str) -> TOTPDevice | None:
    """Save the authenticator app as a device if the code it shows matches the key."""
    token = _clean_digits(token)
    if not (token.isascii() and token.isdigit() and len(token) == 6):
        return None
    totp = TOTP(unhexlify(key), step=30, t0=0, digits=6, drift=0)
    totp.time = time.time()
    if not totp.verify(int(token), tolerance=1):
        return None
    # last_t: the code just used cannot verify a sign-in again.
    device = TOTPDevice.objects.create(
        user=user, name=TOTP_DEVICE_NAME, key=key, confirmed=True, last_t=totp.t(), drift=totp.drift
    )
    log.info("staff second factor enrolled user_id=%s method=totp", user.pk)
    return device


# --- Recovery codes -----------------------------------------------------------------------------


def has_recovery_codes(user: User) -> bool:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).exists()


def recovery_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


@transaction.atomic
def issue_recovery_codes(user: User) -> list[str]:
    """Replace the user's recovery codes with new ones; they are shown once and never again."""
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_DEVICE_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    log.info("staff recovery codes issued user_id=%s", user.pk)
    return codes


def normalise_recovery_code(code: str) -> str:
    return "".join(code.split()).replace("-", "").lower()


# --- Reset by a superuser -----------------------------------------------------------------------


@transaction.atomic
def reset_devices(user: User, *, by: User) -> int:
    """Remove every second-factor device of `user`; they enrol again at their next sign-in.

    Never one's own: a stolen superuser session must not be able to swap its owner's devices.
    """
    if not by.is_superuser or by.pk == user.pk:
        raise PermissionError("only a superuser, and only for a colleague")
    removed = 0
    for model in (TOTPDevice, StaticDevice, WebAuthnCredential):
        count, _ = model.objects.filter(user=user).delete()
        removed += count
    log.warning("staff second factor reset user_id=%s by_user_id=%s", user.pk, by.pk)
    return removed
