"""Production settings refuse to start without what they need."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def load_settings(**env) -> subprocess.CompletedProcess:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"SECRET_KEY", "ALLOWED_HOSTS", "DEBUG", "DEMO_IDP_ENABLED"}
    }
    clean.update(env)
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; from django.conf import settings; django.setup(); print('started')",
        ],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "manskonts.settings"},
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("env", "complaint"),
    [
        ({"DEBUG": "0", "ALLOWED_HOSTS": "manskonts.example"}, "SECRET_KEY must be set"),
        ({"DEBUG": "0", "SECRET_KEY": "s" * 50}, "ALLOWED_HOSTS must be set"),
        (
            {
                "DEBUG": "0",
                "SECRET_KEY": "s" * 50,
                "ALLOWED_HOSTS": "manskonts.example",
                "DEMO_IDP_ENABLED": "1",
            },
            "DEMO_IDP_ENABLED must be off",
        ),
        ({"DEBUG": "maybe"}, "DEBUG must be one of"),
        (
            {"DATABASE_REPLICA_MAX_LAG": "5", "DATABASE_REPLICA_PIN_SECONDS": "5"},
            "DATABASE_REPLICA_PIN_SECONDS must be at least DATABASE_REPLICA_MAX_LAG + 1",
        ),
    ],
)
def test_production_settings_refuse_to_start_without_what_they_need(env, complaint):
    result = load_settings(**env)
    assert result.returncode != 0
    assert complaint in result.stderr


def test_production_settings_start_when_complete():
    result = load_settings(
        DEBUG="0",
        SECRET_KEY="s" * 50,
        ALLOWED_HOSTS="manskonts.example",
        DATABASE_URL=os.environ.get("DATABASE_URL", "postgres://x@127.0.0.1/x"),
    )
    assert result.stdout.strip() == "started", result.stderr


def test_production_sends_hsts_for_at_least_a_year_and_secure_cookies():
    clean = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "DEMO_IDP_ENABLED"}}
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; from django.conf import settings; django.setup(); "
            "print(settings.SECURE_HSTS_SECONDS, settings.SESSION_COOKIE_SECURE, "
            "settings.CSRF_COOKIE_SECURE, settings.SECURE_SSL_REDIRECT)",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env={
            **clean,
            "DJANGO_SETTINGS_MODULE": "manskonts.settings",
            "DEBUG": "0",
            "SECRET_KEY": "s" * 50,
            "ALLOWED_HOSTS": "manskonts.example",
            "DATABASE_URL": os.environ.get("DATABASE_URL", "postgres://x@127.0.0.1/x"),
        },
    )
    hsts, session_secure, csrf_secure, ssl_redirect = result.stdout.split()
    assert int(hsts) >= 365 * 24 * 60 * 60
    assert (session_secure, csrf_secure, ssl_redirect) == ("True", "True", "True")
