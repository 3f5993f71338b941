"""Staff sign-in throttling, CSRF on every POST, and `check --deploy` under production settings."""

from __future__ import annotations

import logging
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth import SESSION_KEY as AUTH_SESSION_KEY
from django.test import Client as HttpClient

from accounts.models import Membership
from tests.factories import StaffFactory

ADMIN_LOGIN = "/admin/login/"
WRONG = "wrong-password"
PASSWORD = "clerk-password-123"


def attempt(http: HttpClient, username: str, password: str = WRONG):
    return http.post(ADMIN_LOGIN, {"username": username, "password": password, "next": "/admin/"})


@pytest.mark.django_db
def test_staff_sign_in_works_with_the_right_password():
    staff = StaffFactory()

    response = attempt(HttpClient(), staff.username, PASSWORD)

    assert response.status_code == 302
    assert response["Location"] == "/admin/"


@pytest.mark.django_db
def test_staff_sign_in_is_throttled_per_account_after_ten_failures(caplog):
    staff = StaffFactory()
    for n in range(10):
        attempt(HttpClient(REMOTE_ADDR=f"10.0.0.{n + 1}"), staff.username)

    with caplog.at_level(logging.WARNING, logger="manskonts.security"):
        response = attempt(HttpClient(REMOTE_ADDR="10.0.1.1"), staff.username, PASSWORD)

    assert response.status_code == 200
    assert "Pārāk daudz neveiksmīgu pieslēgšanās mēģinājumu" in response.content.decode()
    assert AUTH_SESSION_KEY not in response.wsgi_request.session
    assert [r.getMessage() for r in caplog.records if "throttled" in r.getMessage()] == [
        f"staff sign-in throttled username={staff.username!r} ip=10.0.1.1 limits=account"
    ]


@pytest.mark.django_db
def test_nine_failures_still_allow_the_right_password():
    staff = StaffFactory()
    http = HttpClient()
    for _ in range(9):
        attempt(http, staff.username)

    assert attempt(http, staff.username, PASSWORD).status_code == 302


@pytest.mark.django_db
def test_staff_sign_in_is_throttled_per_ip_across_accounts():
    staff = StaffFactory()
    http = HttpClient(REMOTE_ADDR="192.0.2.7")
    for n in range(10):
        attempt(http, f"guess{n}")

    blocked = attempt(http, staff.username, PASSWORD)
    elsewhere = attempt(HttpClient(REMOTE_ADDR="192.0.2.8"), staff.username, PASSWORD)

    assert "Pārāk daudz" in blocked.content.decode()
    assert elsewhere.status_code == 302


@pytest.mark.django_db
def test_behind_a_proxy_the_ip_limit_counts_each_client_not_the_proxy(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    staff = StaffFactory()
    attacker = HttpClient(REMOTE_ADDR="10.9.9.9", HTTP_X_FORWARDED_FOR="192.0.2.7")
    for n in range(10):
        attempt(attacker, f"guess{n}")

    blocked = attempt(attacker, staff.username, PASSWORD)
    # Another person through the same proxy is not locked out, and forging the header's left
    # entry does not help the attacker.
    colleague = HttpClient(REMOTE_ADDR="10.9.9.9", HTTP_X_FORWARDED_FOR="192.0.2.8")
    forged = HttpClient(REMOTE_ADDR="10.9.9.9", HTTP_X_FORWARDED_FOR="192.0.2.99, 192.0.2.7")

    assert "Pārāk daudz" in blocked.content.decode()
    assert attempt(colleague, staff.username, PASSWORD).status_code == 302
    assert "Pārāk daudz" in attempt(forged, staff.username, PASSWORD).content.decode()


@pytest.mark.django_db
def test_the_account_limit_ignores_letter_case():
    staff = StaffFactory()
    for n in range(10):
        attempt(HttpClient(REMOTE_ADDR=f"10.0.2.{n + 1}"), staff.username.upper())

    response = attempt(HttpClient(REMOTE_ADDR="10.0.3.1"), staff.username, PASSWORD)

    assert "Pārāk daudz" in response.content.decode()


@pytest.mark.django_db
def test_throttling_ends_when_the_window_passes(settings):
    from django.core.cache import cache

    staff = StaffFactory()
    for _ in range(10):
        attempt(HttpClient(), staff.username)
    # The window's counters expire in the cache; clearing them is what 5 minutes later looks like.
    cache.clear()

    assert attempt(HttpClient(), staff.username, PASSWORD).status_code == 302


@pytest.mark.django_db
def test_a_person_without_staff_rights_cannot_use_the_admin(owner):
    http = HttpClient()
    http.force_login(owner)

    assert http.get("/admin/")["Location"].startswith("/admin/login/")


@pytest.mark.django_db
def test_every_state_changing_post_needs_a_csrf_token(legal_admin, legal, colleague):
    membership = Membership.objects.get(user=colleague)
    urls = [
        ("/iziet/", {}),
        ("/mans-konts/parstaviba/", {"client": legal.pk}),
        ("/mans-konts/lietotaji/pievienot/", {"personal_code": "32000000001", "role": "user"}),
        (f"/mans-konts/lietotaji/{membership.pk}/loma/", {"role": "admin"}),
        (f"/mans-konts/lietotaji/{membership.pk}/nonemt/", {}),
        ("/pieteikums/juridiska-persona/", {"name": "x"}),
    ]
    http = HttpClient(enforce_csrf_checks=True)
    http.force_login(legal_admin)

    for url, data in urls:
        assert http.post(url, data).status_code == 403, url

    assert Membership.objects.filter(pk=membership.pk, role="user").exists()
    assert AUTH_SESSION_KEY in http.session


@pytest.mark.django_db
def test_sign_in_posts_need_a_csrf_token():
    http = HttpClient(enforce_csrf_checks=True)

    assert http.post("/pieslegties/demo/", {"person": "12058512340"}).status_code == 403
    assert http.post(ADMIN_LOGIN, {"username": "x", "password": "y"}).status_code == 403


def test_check_deploy_is_clean_under_production_settings():
    root = Path(__file__).resolve().parents[2]
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DEMO_", "OIDC_", "PAYMENT_", "SECURE_"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="manskonts.settings",
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="manskonts.example.lv",
        DATABASE_URL="postgres://manskonts@127.0.0.1:5432/manskonts",
        OIDC_OP_ISSUER="https://id.example.lv",
        OIDC_RP_CLIENT_ID="manskonts",
        OIDC_RP_CLIENT_SECRET=secrets.token_urlsafe(32),
        PAYMENT_PROVIDER="hosted",
        PAYMENT_CALLBACK_SECRET=secrets.token_urlsafe(32),
    )

    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == "System check identified no issues (0 silenced)."
