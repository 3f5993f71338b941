"""Attacks on the staff sign-in's second factor (docs/security-tests.md "Staff"; issue 12 point 2).

An attacker holds a staff member's password. It no longer opens any admin page: the admin asks for
a code from the authenticator app, a passkey or a recovery code, each code good once; a staff
member with no device is sent to set one up; the passkey endpoints need the password step first;
a superuser resets a colleague's devices, never their own; production settings refuse to run with
the second factor off.
"""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
import time
from binascii import unhexlify
from pathlib import Path

import pytest
from django.contrib import admin
from django.contrib.auth import SESSION_KEY as AUTH_SESSION_KEY
from django.test import Client as HttpClient
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import two_factor
from tests.factories import StaffFactory

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "clerk-password-123"
VERIFY = "/admin/divfaktoru/"
ENROL = "/admin/divfaktoru/iestatit/"
RESET = "/admin/divfaktoru/atiestatit/"
PASSKEY = "/admin/divfaktoru/passkey/"

pytestmark = pytest.mark.django_db


def password_only(user, address: str = "198.51.100.20") -> HttpClient:
    """What an attacker with the password gets: the admin's sign-in form, submitted."""
    http = HttpClient(REMOTE_ADDR=address)
    response = http.post(
        "/admin/login/", {"username": user.username, "password": PASSWORD, "next": "/admin/"}
    )
    assert response.status_code == 302, response.content.decode()[:500]
    assert AUTH_SESSION_KEY in http.session
    return http


def code_for(device: TOTPDevice, at: float | None = None) -> str:
    totp = TOTP(unhexlify(device.key), device.step, device.t0, device.digits, device.drift)
    totp.time = at if at is not None else time.time()
    return f"{totp.token():06d}"


def with_app(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="Lietotne", confirmed=True)


def admin_pages() -> list[str]:
    """The index, every app's page and every model's list and add page."""
    urls = {reverse("admin:index"), reverse("admin:password_change"), RESET}
    for model in admin.site._registry:
        opts = model._meta
        urls.add(reverse("admin:app_list", args=[opts.app_label]))
        urls.add(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
        urls.add(reverse(f"admin:{opts.app_label}_{opts.model_name}_add"))
    return sorted(urls)


@pytest.mark.parametrize("superuser", [False, True], ids=["staff", "superuser"])
def test_a_password_alone_reaches_no_admin_page(clerk, superuser):
    if superuser:
        clerk.is_superuser = True
        clerk.save()
    with_app(clerk)
    http = password_only(clerk)

    answers = {url: http.get(url) for url in admin_pages()}

    opened = [url for url, response in answers.items() if response.status_code == 200]
    assert opened == []
    assert {r["Location"].split("?")[0] for r in answers.values()} == {VERIFY}
    # A change page of a real object, too.
    page = http.get(reverse("admin:accounts_user_change", args=[clerk.pk]))
    assert page.status_code == 302


def test_a_staff_member_without_a_device_is_sent_to_enrolment(clerk):
    http = password_only(clerk)

    response = http.get("/admin/orders/order/")

    assert response.status_code == 302
    assert response["Location"] == f"{ENROL}?next=%2Fadmin%2Forders%2Forder%2F"


def test_enrolment_with_an_app_shows_the_recovery_codes_once_then_opens_the_admin(clerk):
    http = password_only(clerk)

    page = http.get(ENROL)
    key = http.session["staff_otp_enrol_totp_key"]
    done = http.post(ENROL, {"code": code_for(TOTPDevice(key=key)), "next": "/admin/"})

    assert page.status_code == 200
    assert "Divfaktoru autentifikācijas iestatīšana" in page.content.decode()
    assert '<svg viewBox="' in page.content.decode()  # the QR code, inline
    assert done.status_code == 200
    codes = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", done.content.decode())
    assert len(codes) == 10
    assert sorted(codes) == sorted(
        StaticToken.objects.filter(device__user=clerk).values_list("token", flat=True)
    )
    assert "no-store" in done["Cache-Control"]
    assert http.get("/admin/").status_code == 200
    again = http.get(ENROL).content.decode()
    assert not any(code in again for code in codes)


def test_new_recovery_codes_replace_the_old_ones_in_a_verified_session_only(clerk, signed_in):
    with_app(clerk)
    old = two_factor.issue_recovery_codes(clerk)
    unverified = password_only(clerk)

    refused = unverified.post("/admin/divfaktoru/rezerves-kodi/")
    issued = signed_in(clerk).post("/admin/divfaktoru/rezerves-kodi/")

    assert refused["Location"] == VERIFY
    assert issued.status_code == 200
    new = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", issued.content.decode())
    assert len(new) == 10
    assert not set(new) & set(old)
    assert set(new) == set(
        StaticToken.objects.filter(device__user=clerk).values_list("token", flat=True)
    )
    assert signed_in(clerk).get("/admin/divfaktoru/rezerves-kodi/").status_code == 405


def test_a_wrong_app_code_is_refused(clerk):
    device = with_app(clerk)
    http = password_only(clerk)
    wrong = f"{(int(code_for(device)) + 1) % 1_000_000:06d}"

    response = http.post(VERIFY, {"method": "totp", "code": wrong, "next": "/admin/"})

    assert response.status_code == 400
    assert "Kods nav pareizs." in response.content.decode()
    assert http.get("/admin/").status_code == 302


def test_an_app_code_is_accepted_once(clerk):
    device = with_app(clerk)
    code = code_for(device)
    http = password_only(clerk)

    accepted = http.post(VERIFY, {"method": "totp", "code": code, "next": "/admin/orders/"})
    replay = password_only(clerk, "203.0.113.5")
    replayed = replay.post(VERIFY, {"method": "totp", "code": code, "next": "/admin/"})

    assert accepted.status_code == 302
    assert accepted["Location"] == "/admin/orders/"
    assert http.get("/admin/").status_code == 200
    assert replayed.status_code == 400
    assert replay.get("/admin/").status_code == 302


def test_a_recovery_code_works_once(clerk):
    with_app(clerk)
    codes = two_factor.issue_recovery_codes(clerk)
    http = password_only(clerk)

    used = http.post(VERIFY, {"method": "recovery", "code": codes[3].upper(), "next": "/admin/"})
    again = password_only(clerk, "203.0.113.5")
    reused = again.post(VERIFY, {"method": "recovery", "code": codes[3], "next": "/admin/"})

    assert used.status_code == 302
    assert http.get("/admin/").status_code == 200
    assert reused.status_code == 400
    assert "Rezerves kods nav pareizs vai jau izmantots." in reused.content.decode()
    assert again.get("/admin/").status_code == 302
    assert StaticToken.objects.filter(device__user=clerk).count() == 9


@pytest.mark.parametrize(
    ("kept", "shown"),
    [
        (10, "Izmantots rezerves kods; atlikuši vēl 9 kodi."),
        (2, "Izmantots rezerves kods; atlicis vēl 1 kods."),
        (1, "Izmantots pēdējais rezerves kods; atlicis 0 kodu. Izveidojiet jaunus"),
    ],
)
def test_the_recovery_code_warning_says_how_many_are_left_in_latvian(clerk, kept, shown):
    with_app(clerk)
    codes = two_factor.issue_recovery_codes(clerk)
    StaticToken.objects.filter(device__user=clerk).exclude(token__in=codes[:kept]).delete()
    http = password_only(clerk)

    http.post(VERIFY, {"method": "recovery", "code": codes[0], "next": "/admin/"})

    assert shown in http.get("/admin/").content.decode()


def test_repeated_wrong_codes_are_slowed_down(clerk):
    device = with_app(clerk)
    http = password_only(clerk)
    http.post(VERIFY, {"method": "totp", "code": "000000"})

    # The right code right after a wrong one waits out the back-off (django-otp's throttling).
    response = http.post(VERIFY, {"method": "totp", "code": code_for(device)})

    assert response.status_code == 400
    assert "Pārāk daudz nepareizu kodu pēc kārtas" in response.content.decode()


def passkey_endpoints() -> list[str]:
    return [
        f"{PASSKEY}registration/begin/",
        f"{PASSKEY}registration/complete/",
        f"{PASSKEY}authentication/begin/",
        f"{PASSKEY}authentication/complete/",
    ]


def test_the_passkey_endpoints_need_the_password_step_of_a_staff_account(owner, signed_in):
    anonymous = HttpClient()
    client_person = signed_in(owner)

    for url in passkey_endpoints():
        assert anonymous.post(url, content_type="application/json").status_code == 403, url
        assert client_person.post(url, content_type="application/json").status_code == 403, url


def test_after_the_password_a_staff_member_can_start_a_passkey_ceremony(clerk):
    http = password_only(clerk)

    registration = http.post(f"{PASSKEY}registration/begin/", content_type="application/json")
    authentication = http.post(f"{PASSKEY}authentication/begin/", content_type="application/json")

    assert registration.status_code == 200
    assert registration.json()["rp"]["id"] == "localhost"
    assert registration.json()["user"]["name"] == clerk.username
    assert "challenge" in authentication.json()


def test_a_password_alone_cannot_add_a_passkey_to_an_account_that_has_a_device(clerk):
    with_app(clerk)
    http = password_only(clerk)

    response = http.post(f"{PASSKEY}registration/begin/", content_type="application/json")

    assert response.status_code == 403
    assert http.get(ENROL)["Location"].startswith(VERIFY)


def test_a_superuser_resets_a_colleagues_devices_who_then_enrols_again(clerk, signed_in):
    boss = StaffFactory(is_superuser=True)
    with_app(clerk)
    two_factor.issue_recovery_codes(clerk)
    http = signed_in(boss)

    listing = http.get(RESET)
    response = http.post(RESET, {"user": clerk.pk})

    assert listing.status_code == 200
    assert f"Atiestatīt {clerk.username} ierīces" in listing.content.decode()
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=clerk).exists()
    assert not StaticDevice.objects.filter(user=clerk).exists()
    assert password_only(clerk).get("/admin/")["Location"].startswith(ENROL)


def test_a_superuser_cannot_reset_their_own_devices_there(signed_in):
    boss = StaffFactory(is_superuser=True)
    device = with_app(boss)
    http = signed_in(boss)

    response = http.post(RESET, {"user": boss.pk})

    assert response.status_code == 403
    assert TOTPDevice.objects.filter(pk=device.pk).exists()


@pytest.mark.parametrize("value", ["abc", "", "1.5", "1\x00", "9" * 40, "١٢"])
def test_a_reset_naming_no_user_id_is_404_not_a_500(signed_in, value):
    boss = StaffFactory(is_superuser=True)

    response = signed_in(boss).post(RESET, {"user": value})

    assert response.status_code == 404


def test_staff_who_are_not_superusers_cannot_reset_devices(clerk, signed_in):
    colleague = StaffFactory()
    device = with_app(colleague)
    http = signed_in(clerk)

    assert http.get(RESET).status_code == 403
    assert http.post(RESET, {"user": colleague.pk}).status_code == 403
    assert TOTPDevice.objects.filter(pk=device.pk).exists()


def test_the_demo_staff_accounts_skip_the_second_factor_only_with_debug(settings):
    demo = StaffFactory(username="darbinieks")
    ordinary = StaffFactory()

    settings.DEBUG = True
    assert password_only(demo).get("/admin/").status_code == 200
    assert password_only(ordinary).get("/admin/").status_code == 302
    settings.DEBUG = False
    assert password_only(demo).get("/admin/")["Location"].startswith(ENROL)


def test_the_two_factor_pages_have_no_inline_script_or_style(clerk):
    http = password_only(clerk)
    with_other = StaffFactory()
    with_app(with_other)
    two_factor.issue_recovery_codes(with_other)

    pages = [http.get(ENROL), password_only(with_other).get(VERIFY)]

    for page in pages:
        html = page.content.decode()
        assert page.status_code == 200
        assert "script-src 'self'" in page["Content-Security-Policy"]
        for tag in re.findall(r"<script[^>]*>", html):
            assert 'src="' in tag or 'type="application/json"' in tag, tag
        assert " style=" not in html
        assert "<style" not in html


def test_a_device_in_the_admin_never_shows_its_secret(signed_in):
    boss = StaffFactory(is_superuser=True)
    colleague = StaffFactory()
    device = with_app(colleague)
    codes = two_factor.issue_recovery_codes(colleague)
    http = signed_in(boss)
    static = StaticDevice.objects.get(user=colleague)

    totp_page = http.get(reverse("admin:otp_totp_totpdevice_change", args=[device.pk]))
    static_page = http.get(reverse("admin:otp_static_staticdevice_change", args=[static.pk]))

    assert totp_page.status_code == static_page.status_code == 200
    assert device.key not in totp_page.content.decode()
    assert not any(code in static_page.content.decode() for code in codes)


def manage_check(**env) -> subprocess.CompletedProcess:
    clean = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DEMO_", "OIDC_", "PAYMENT_", "SECURE_", "STAFF_OTP"))
    }
    clean.update(
        DJANGO_SETTINGS_MODULE="manskonts.settings",
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="manskonts.example.lv",
        DATABASE_URL="postgres://manskonts@127.0.0.1:5432/manskonts",
        PAYMENT_PROVIDER="hosted",
        **env,
    )
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    ("env", "complaint"),
    [
        ({"STAFF_OTP_REQUIRED": "0"}, "accounts.E001"),
        ({"STAFF_OTP_EXEMPT_USERNAMES": "darbinieks"}, "accounts.E002"),
    ],
)
def test_production_settings_refuse_the_second_factor_off(env, complaint):
    result = manage_check(**env)

    assert result.returncode != 0
    assert complaint in result.stderr


def test_a_client_person_cannot_open_the_two_factor_pages(owner, signed_in):
    http = signed_in(owner)

    assert http.get(ENROL)["Location"].startswith("/admin/login/")
    assert http.get(VERIFY)["Location"].startswith("/admin/login/")
    assert http.get(RESET)["Location"].startswith("/admin/login/")
