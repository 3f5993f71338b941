"""Calling the back-office API as VZD's case system does: a service account, its access token
from the token endpoint, and JSON calls with an optional Idempotency-Key."""

from __future__ import annotations

import base64

from django.test import Client as HttpClient

from api.models import BackOfficeScope
from api.service_accounts import create_account


def make_account(superuser, scopes=tuple(BackOfficeScope), name="VZD lietu sistēma"):
    account, secret = create_account(name=name, scopes=list(scopes), by=superuser)
    account.secret = secret
    return account


def access_token(account) -> str:
    credentials = base64.b64encode(f"{account.client_id}:{account.secret}".encode()).decode()
    response = HttpClient().post(
        "/api/v1/backoffice/token",
        {"grant_type": "client_credentials"},
        headers={"Authorization": f"Basic {credentials}"},
    )
    assert response.status_code == 200, response.content
    return response.json()["access_token"]


def call(method, token, path, body=None, key=None):
    headers = {"Authorization": f"Bearer {token}"}
    if key:
        headers["Idempotency-Key"] = key
    return getattr(HttpClient(), method)(
        path, body or {}, content_type="application/json", headers=headers
    )
