"""Making tokens and calling the API as a professional client's system would."""

from __future__ import annotations

from datetime import timedelta

from django.test import Client as HttpClient
from django.utils import timezone

from api.models import Scope
from api.tokens import create_token


def make_token(client, by, scopes=(Scope.READ,), days=30, name="Sistēma") -> str:
    _row, token = create_token(
        client,
        by=by,
        name=name,
        scopes=list(scopes),
        expires_at=timezone.now() + timedelta(days=days),
    )
    return token


def api_get(token: str | None, path: str, http: HttpClient | None = None, headers=None):
    http = http or HttpClient()
    headers = dict(headers or {})
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    return http.get(path, headers=headers)
