"""The staff second-factor pages of the admin: verify, enrol, recovery codes, and reset by a superuser.

The admin site (accounts/admin_site.py) mounts them; verify, enrol and recovery codes need only the
password step, the reset page needs a verified superuser.
"""

from __future__ import annotations

import logging

import django_otp
from django.contrib import messages
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.core.exceptions import PermissionDenied
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseNotAllowed,
    HttpResponseRedirect,
)
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.utils.translation import ngettext
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from accounts import passkeys, two_factor
from accounts.models import User
from accounts.two_factor import next_url

log = logging.getLogger("manskonts.security")

ENROL_KEY_SESSION = "staff_otp_enrol_totp_key"
THROTTLED = _lazy(
    "Pārāk daudz nepareizu kodu pēc kārtas. Pagaidiet dažas sekundes un mēģiniet vēlreiz."
)


def _context(site, request: HttpRequest, title: str, **extra) -> dict:
    return {
        **site.each_context(request),
        "passkey_config": passkeys.script_config(request),
        "title": title,
        "next": next_url(request),
        "next_field": REDIRECT_FIELD_NAME,
        **extra,
    }


def _verified(request: HttpRequest, device) -> HttpResponse:
    """The second factor is done: remember the device in a new session id and go on."""
    django_otp.login(request, device)
    request.session.cycle_key()
    log.info(
        "staff second factor verified user_id=%s method=%s",
        request.user.pk,
        type(device).__name__,
    )
    return HttpResponseRedirect(next_url(request))


def verify(site, request: HttpRequest) -> HttpResponse:
    """After the password: a code from the app, a passkey, or a recovery code."""
    user = request.user
    step = two_factor.pending_step(request)
    if step is None:
        return HttpResponseRedirect(next_url(request))
    if step == "enrol":
        return HttpResponseRedirect(f"{reverse('admin:otp_enrol')}?{request.GET.urlencode()}")
    totp_devices = list(TOTPDevice.objects.filter(user=user, confirmed=True))
    error = ""
    if request.method == "POST":
        method = request.POST.get("method")
        code = request.POST.get("code", "")
        if method == "totp" and totp_devices:
            device, refused = _check_devices(user, totp_devices, "".join(code.split()))
            if device is not None:
                return _verified(request, device)
            error = THROTTLED if refused == "throttled" else _("Kods nav pareizs.")
        elif method == "recovery":
            recovery = list(StaticDevice.objects.filter(user=user, confirmed=True))
            code = two_factor.normalise_recovery_code(code)
            device, refused = _check_devices(user, recovery, code)
            if device is not None:
                left = two_factor.recovery_codes_left(user)
                messages.warning(
                    request,
                    ngettext(
                        "Izmantots rezerves kods; atlicis vēl %(left)s kods. Katru kodu var "
                        "izmantot tikai vienreiz — ja kodi beidzas, izveidojiet jaunus.",
                        "Izmantots rezerves kods; atlikuši vēl %(left)s kodi. Katru kodu var "
                        "izmantot tikai vienreiz — ja kodi beidzas, izveidojiet jaunus.",
                        left,
                    )
                    % {"left": left},
                )
                return _verified(request, device)
            if refused == "throttled":
                error = THROTTLED
            else:
                error = _("Rezerves kods nav pareizs vai jau izmantots.")
        else:
            error = _("Izvēlieties, kā apstiprināt pieslēgšanos.")
        log.info("staff second factor refused user_id=%s method=%s", user.pk, method)
    context = _context(
        site,
        request,
        _("Pieslēgšanās apstiprināšana"),
        error=error,
        has_totp=bool(totp_devices),
        has_passkey=WebAuthnCredential.objects.filter(user=user, confirmed=True).exists(),
    )
    status = 200 if not error else 400
    return TemplateResponse(request, "admin/two_factor/verify.html", context, status=status)


def _check_devices(user: User, devices, code: str):
    """The device that accepts the code, or the reason none did: "wrong" or "throttled"."""
    allowed = [d for d in devices if d.verify_is_allowed()[0]]
    if not allowed:
        return None, "throttled"
    for device in allowed:
        if code and django_otp.verify_token(user, device.persistent_id, code) is not None:
            return device, ""
    return None, "wrong"


def enrol(site, request: HttpRequest) -> HttpResponse:
    """Set up the second factor: an authenticator app (QR code) or a passkey.

    The first time after the password alone; adding more needs a verified session, so a stolen
    password cannot add the thief's device to an account that has one.
    """
    user = request.user
    step = two_factor.pending_step(request)
    if step == "verify":
        return HttpResponseRedirect(f"{reverse('admin:otp_verify')}?{request.GET.urlencode()}")
    key = request.session.get(ENROL_KEY_SESSION)
    if not key:
        key = two_factor.new_totp_key()
        request.session[ENROL_KEY_SESSION] = key
    error = ""
    if request.method == "POST":
        device = two_factor.confirm_totp(user, key, request.POST.get("code", ""))
        if device is not None:
            del request.session[ENROL_KEY_SESSION]
            if not request.user.is_verified():
                django_otp.login(request, device)
                request.session.cycle_key()
            if not two_factor.has_recovery_codes(user):
                return _show_recovery_codes(site, request, two_factor.issue_recovery_codes(user))
            messages.success(request, _("Autentifikatora lietotne pievienota."))
            return HttpResponseRedirect(next_url(request))
        error = _(
            "Kods nav pareizs. Pārbaudiet, vai lietotnē pievienojāt šo kontu, un ievadiet "
            "pašreizējo 6 ciparu kodu."
        )
    config_url = two_factor.totp_config_url(user, key)
    context = _context(
        site,
        request,
        _("Divfaktoru autentifikācijas iestatīšana"),
        error=error,
        qr=two_factor.qr_svg(config_url, _("QR kods autentifikatora lietotnei")),
        secret=two_factor.totp_secret_for_typing(key),
        first_time=not two_factor.has_primary_device(user),
        devices=_devices(user),
        recovery_left=two_factor.recovery_codes_left(user),
    )
    status = 200 if not error else 400
    return TemplateResponse(request, "admin/two_factor/enrol.html", context, status=status)


def _devices(user: User) -> list[tuple[str, object]]:
    rows = [(_("Autentifikatora lietotne"), d) for d in TOTPDevice.objects.filter(user=user)]
    rows += [(_("Piekļuves atslēga"), d) for d in WebAuthnCredential.objects.filter(user=user)]
    return rows


def recovery_codes(site, request: HttpRequest) -> HttpResponse:
    """New recovery codes, shown this once; for a verified session only (after a passkey too)."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    if not request.user.is_verified():
        return HttpResponseRedirect(reverse("admin:otp_verify"))
    if request.POST.get("only_if_missing") and two_factor.has_recovery_codes(request.user):
        return HttpResponseRedirect(next_url(request))
    return _show_recovery_codes(site, request, two_factor.issue_recovery_codes(request.user))


def _show_recovery_codes(site, request: HttpRequest, codes: list[str]) -> HttpResponse:
    context = _context(site, request, _("Rezerves kodi"), codes=codes)
    response = TemplateResponse(request, "admin/two_factor/recovery_codes.html", context)
    response["Cache-Control"] = "no-store"
    return response


def reset(site, request: HttpRequest) -> HttpResponse:
    """A superuser removes a colleague's devices (a lost phone); never their own here."""
    if not request.user.is_superuser:
        raise PermissionDenied
    if request.method == "POST":
        user_id = request.POST.get("user", "")
        if not (user_id.isascii() and user_id.isdigit() and len(user_id) <= 18):
            raise Http404
        target = get_object_or_404(User, pk=int(user_id), is_staff=True)
        if target.pk == request.user.pk:
            raise PermissionDenied
        two_factor.reset_devices(target, by=request.user)
        LogEntry.objects.log_actions(
            request.user.pk,
            [target],
            CHANGE,
            change_message=_("Divfaktoru autentifikācijas ierīces atiestatītas."),
            single_object=True,
        )
        messages.success(
            request,
            _(
                "Lietotāja %(user)s divfaktoru ierīces noņemtas. Nākamajā pieslēgšanās reizē "
                "viņam tās būs jāiestata no jauna."
            )
            % {"user": target.get_username()},
        )
        return HttpResponseRedirect(reverse("admin:otp_reset"))
    staff = User.objects.filter(is_staff=True).order_by("username")
    rows = [
        (
            member,
            TOTPDevice.objects.filter(user=member).count(),
            WebAuthnCredential.objects.filter(user=member).count(),
            two_factor.recovery_codes_left(member),
        )
        for member in staff
    ]
    context = {
        **site.each_context(request),
        "title": _("Divfaktoru ierīču atiestatīšana"),
        "rows": rows,
    }
    return TemplateResponse(request, "admin/two_factor/reset.html", context)
