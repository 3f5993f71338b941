"""Staff sign-in, CSRF on every POST, and `check --deploy` under production settings.

The sign-in throttle's attacks are in tests/security/test_staff_sign_in_throttle.py."""

from __future__ import annotations

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
