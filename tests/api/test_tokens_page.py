"""API piekļuve: a person makes tokens for themselves, a legal person's administrator for it; shown
once, stored hashed, revocable, last use shown; a plain user of a legal person makes none."""

from __future__ import annotations

import re

import pytest
from django.test import Client as HttpClient
from django.utils import timezone

from api.models import ApiToken
from api.tables import TOKENS
from api.tokens import digest
from tests.api.helpers import api_get, make_token
from tests.conftest import sign_in
from tests.tables import headers as table_headers
from tests.tables import rows as table_rows

pytestmark = pytest.mark.django_db

URL = "/mans-konts/api-piekluve/"


def test_a_person_creates_a_token_shown_once_that_then_works(signed_in, owner, owner_client):
    http = signed_in(owner)

    response = http.post(URL, {"name": "Grāmatvedība", "scopes": ["read"], "lifetime": "90"})

    assert response.status_code == 201
    assert response["Cache-Control"] == "private, no-store"
    token = response.context["created"]["secret"]
    assert token in response.content.decode()
    row = ApiToken.objects.get()
    assert (row.client, row.created_by, row.name, row.scopes) == (
        owner_client,
        owner,
        "Grāmatvedība",
        ["read"],
    )
    assert row.secret_hash == digest(token)
    assert 89 <= (row.expires_at - timezone.now()).days <= 90
    # Shown once: the list afterwards has its prefix, never the token.
    again = http.get(URL).content.decode()
    assert token not in again
    assert f"mk_{row.prefix}_…" in again
    assert api_get(token, "/api/v1/invoices").status_code == 200
    assert "nav lietota" not in http.get(URL).content.decode()


def test_the_form_refuses_with_latvian_messages_and_saves_nothing(signed_in, owner):
    http = signed_in(owner)

    response = http.post(URL, {"name": "", "lifetime": "3650"})

    assert response.status_code == 400
    page = response.content.decode()
    assert "Ievadiet atslēgas nosaukumu." in page
    assert "Izvēlieties vismaz vienas tiesības." in page
    assert "Izvēlieties derīguma termiņu no saraksta." in page
    assert ApiToken.objects.count() == 0


def test_revoking_stops_the_token_at_once(signed_in, owner, owner_client):
    token = make_token(owner_client, owner)
    row = ApiToken.objects.get()
    http = signed_in(owner)

    response = http.post(f"{URL}{row.pk}/atsaukt/")

    assert response.status_code == 302
    assert api_get(token, "/api/v1/invoices").json()["code"] == "token_revoked"
    assert "Atsaukta" in http.get(URL).content.decode()


def test_a_legal_persons_administrator_makes_tokens_for_it(signed_in, legal, legal_admin):
    http = signed_in(legal_admin, legal)

    response = http.post(
        URL, {"name": "Banka", "scopes": ["read", "documents:write"], "lifetime": "365"}
    )

    assert response.status_code == 201
    assert ApiToken.objects.get().client == legal


def test_a_plain_user_of_a_legal_person_makes_and_revokes_none(
    signed_in, legal, legal_admin, colleague
):
    make_token(legal, legal_admin)
    row = ApiToken.objects.get()
    http = signed_in(colleague, legal)

    page = http.get(URL)
    create = http.post(URL, {"name": "X", "scopes": ["read"], "lifetime": "30"})
    revoke = http.post(f"{URL}{row.pk}/atsaukt/")

    assert page.status_code == 200
    assert "tās administrators" in page.content.decode()
    assert row.name not in page.content.decode()
    assert (create.status_code, revoke.status_code) == (403, 403)
    assert ApiToken.objects.filter(revoked_at__isnull=True).count() == 1


def test_another_clients_token_cannot_be_revoked(signed_in, owner, owner_client, outsider):
    make_token(owner_client, owner)
    row = ApiToken.objects.get()

    response = signed_in(outsider).post(f"{URL}{row.pk}/atsaukt/")

    assert response.status_code == 404
    assert ApiToken.objects.get().revoked_at is None


def test_signed_out_goes_to_sign_in():
    response = HttpClient().get(URL)

    assert response.status_code == 302
    assert "/pieslegties/" in response["Location"]


def test_the_tokens_table_comes_from_its_declaration_and_revokes(owner, owner_client):
    make_token(owner_client, owner)
    make_token(owner_client, owner)
    expired, active = ApiToken.objects.order_by("created_at", "id")
    ApiToken.objects.filter(pk=expired.pk).update(expires_at=timezone.now())
    http = sign_in(HttpClient(enforce_csrf_checks=True), owner)

    page = http.get(URL).content.decode()

    assert table_headers(page, "tokens") == [str(c.label) for c in TOKENS.columns]
    newest, oldest = table_rows(page, "tokens")
    assert "Beigusies" in oldest["Statuss"] and oldest["Darbības"] == "—"
    assert "Derīga" in newest["Statuss"] and f"mk_{active.prefix}_" in newest["Nosaukums"]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', newest["Darbības"]).group(1)

    response = http.post(f"{URL}{active.pk}/atsaukt/", {"csrfmiddlewaretoken": token})

    assert response.status_code == 302
    active.refresh_from_db()
    assert active.revoked_at is not None
    assert "Atsaukta" in table_rows(http.get(URL).content.decode(), "tokens")[0]["Statuss"]
