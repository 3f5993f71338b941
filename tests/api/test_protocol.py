"""The API's protocol: the schema, the docs page, problem details, tokens only in the header,
no session, the language of Accept-Language, ETags, and no token in any log line."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from django.contrib.staticfiles import finders
from django.test import Client as HttpClient
from django.utils import timezone
from openapi_spec_validator import validate

from api.models import ApiToken, Scope
from manskonts.logformat import JsonFormatter
from tests.api.helpers import api_get, make_token
from tests.factories import EServiceFactory, InvoiceFactory, OrderFactory, OrderPartFactory

pytestmark = pytest.mark.django_db


def test_openapi_schema_is_a_valid_openapi_3_document():
    response = HttpClient().get("/api/v1/openapi.json")

    assert response.status_code == 200
    schema = response.json()
    validate(schema)
    assert schema["openapi"].startswith("3.")
    assert set(schema["paths"]) >= {
        "/api/v1/eservices",
        "/api/v1/eservices/{eservice_id}",
        "/api/v1/order-parts",
        "/api/v1/orders/{number}",
        "/api/v1/invoices",
        "/api/v1/invoices/{number}",
        "/api/v1/documents",
        "/api/v1/documents/{document_id}/content",
    }
    errors = schema["paths"]["/api/v1/invoices"]["get"]["responses"]["401"]["content"]
    assert list(errors) == ["application/problem+json"]


def test_docs_page_is_served_from_the_package_under_the_sites_csp():
    response = HttpClient().get("/api/v1/docs")

    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in html
    assert "/static/ninja/swagger-ui-init.js" in html
    assert "cdn" not in html.lower()
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    # The scripts and styles are the package's own files, found by the static finders.
    assert finders.find("ninja/swagger-ui-bundle.js")
    assert finders.find("ninja/swagger-ui.css")


def test_no_token_is_a_401_problem_with_a_stable_code(owner):
    response = api_get(None, "/api/v1/order-parts")

    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert response["WWW-Authenticate"].startswith("Bearer")
    body = response.json()
    assert body["code"] == "token_missing"
    assert body["status"] == 401
    assert body["type"] == "urn:manskonts:api:problem:token_missing"
    assert body["instance"] == "/api/v1/order-parts"
    assert response["Content-Language"] == "lv"


def test_a_signed_in_session_is_never_accepted(signed_in, owner, owner_client):
    OrderPartFactory(order=OrderFactory(client=owner_client))
    http = signed_in(owner)
    assert http.get("/mans-konts/pasutijumi/").status_code == 200

    response = http.get("/api/v1/order-parts")

    assert response.status_code == 401
    assert response.json()["code"] == "token_missing"


def test_a_post_with_a_token_needs_no_csrf_token_and_a_session_post_gets_no_further(
    signed_in, owner, owner_client
):
    token = make_token(owner_client, owner)
    http = HttpClient(enforce_csrf_checks=True)

    with_token = http.post("/api/v1/order-parts", headers={"Authorization": f"Bearer {token}"})
    session = signed_in(owner)
    session_post = session.post("/api/v1/order-parts")

    # Not a CSRF 403: the API's own answer for a method the list does not take.
    assert with_token.status_code == 405
    assert session_post.status_code == 405
    assert with_token["Content-Type"] == "application/problem+json"
    assert with_token.json()["code"] == "method_not_allowed"
    assert with_token["Allow"] == "GET"


def test_a_body_over_the_limit_is_a_413_problem(owner, owner_client):
    token = make_token(owner_client, owner)

    response = HttpClient().post(
        "/api/v1/notifications/1/acknowledge",
        data=b"x" * (70 * 1024),
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )

    assert response.status_code == 413
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "request_too_large"


def test_a_token_in_the_query_string_is_refused_not_honoured(owner, owner_client):
    token = make_token(owner_client, owner)

    response = HttpClient().get(f"/api/v1/order-parts?access_token={token}")

    assert response.status_code == 400
    assert response.json()["code"] == "token_in_url"


@pytest.mark.parametrize(
    ("mangle", "code"),
    [
        (lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"), "token_invalid"),
        (lambda t: "nav-atslēga", "token_invalid"),
        (lambda t: t.replace("mk_", "xx_"), "token_invalid"),
    ],
)
def test_a_wrong_token_is_401(owner, owner_client, mangle, code):
    token = make_token(owner_client, owner)

    response = api_get(mangle(token), "/api/v1/invoices")

    assert response.status_code == 401
    assert response.json()["code"] == code


def test_an_expired_token_is_401_token_expired(owner, owner_client):
    token = make_token(owner_client, owner)
    ApiToken.objects.update(
        created_at=timezone.now() - timedelta(days=40),
        expires_at=timezone.now() - timedelta(seconds=1),
    )

    response = api_get(token, "/api/v1/invoices")

    assert response.status_code == 401
    assert response.json()["code"] == "token_expired"


def test_a_revoked_token_is_401_token_revoked(owner, owner_client):
    token = make_token(owner_client, owner)
    ApiToken.objects.update(revoked_at=timezone.now())

    response = api_get(token, "/api/v1/invoices")

    assert response.status_code == 401
    assert response.json()["code"] == "token_revoked"


def test_a_missing_scope_is_403_insufficient_scope(owner, owner_client):
    token = make_token(owner_client, owner, scopes=[Scope.DOCUMENTS_WRITE])

    response = api_get(token, "/api/v1/eservices")

    assert response.status_code == 403
    assert response.json()["code"] == "insufficient_scope"
    assert response.json()["scope"] == "read"


def test_detail_follows_accept_language_and_says_so(owner, owner_client):
    response = api_get(
        None, "/api/v1/invoices", headers={"Accept-Language": "en-GB,en;q=0.9,lv;q=0.5"}
    )

    assert response["Content-Language"] == "en"
    assert "Accept-Language" in response["Vary"]
    lv = api_get(None, "/api/v1/invoices", headers={"Accept-Language": "lv,en;q=0.5"})
    assert lv["Content-Language"] == "lv"
    nothing = api_get(None, "/api/v1/invoices", headers={"Accept-Language": "de"})
    assert nothing["Content-Language"] == "lv"


def test_an_unknown_api_url_is_a_404_problem():
    response = HttpClient().get("/api/v1/nav-tadas")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "not_found"


def test_bad_sort_cursor_and_filter_are_400_problems_not_a_silent_first_page(owner, owner_client):
    token = make_token(owner_client, owner)

    sort = api_get(token, "/api/v1/eservices?sort=nav")
    cursor = api_get(token, "/api/v1/eservices?cursor=sagrozīts")
    date = api_get(token, "/api/v1/order-parts?created_from=2026-13-01")
    ranged = api_get(token, "/api/v1/order-parts?created_from=2026-02-01&created_to=2026-01-01")
    number = api_get(token, "/api/v1/order-parts?number=ā")

    assert (sort.status_code, sort.json()["code"]) == (400, "invalid_sort")
    assert (cursor.status_code, cursor.json()["code"]) == (400, "invalid_cursor")
    assert (date.status_code, date.json()["code"]) == (400, "invalid_request")
    assert (ranged.status_code, ranged.json()["code"]) == (400, "invalid_filter")
    assert list(ranged.json()["errors"]) == ["created_to"]
    assert (number.status_code, number.json()["code"]) == (400, "invalid_filter")


def test_a_tampered_cursor_is_refused(owner, owner_client):
    token = make_token(owner_client, owner)
    for _ in range(3):
        EServiceFactory(client=owner_client)
    first = api_get(token, "/api/v1/eservices?limit=1").json()
    cursor = first["next_cursor"]
    tampered = cursor[:-2] + ("AA" if not cursor.endswith("AA") else "BB")

    response = api_get(token, f"/api/v1/eservices?limit=1&cursor={tampered}")

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_cursor"


def test_details_carry_an_etag_and_answer_304_to_if_none_match(owner, owner_client):
    token = make_token(owner_client, owner)
    invoice = InvoiceFactory(order=OrderFactory(client=owner_client))
    url = f"/api/v1/invoices/{invoice.number}"

    first = api_get(token, url)
    again = api_get(token, url, headers={"If-None-Match": first["ETag"]})
    invoice.due_on = invoice.due_on + timedelta(days=1)
    invoice.save()
    changed = api_get(token, url, headers={"If-None-Match": first["ETag"]})

    assert first.status_code == 200
    assert first["ETag"].startswith('"')
    assert again.status_code == 304
    assert again.content == b""
    assert changed.status_code == 200
    assert changed["ETag"] != first["ETag"]


def test_the_token_is_in_no_log_line(owner, owner_client, caplog):
    token = make_token(owner_client, owner)
    secret = token.split("_", 2)[2]

    with caplog.at_level(logging.DEBUG):
        api_get(token, "/api/v1/order-parts")
        api_get(token + "x", "/api/v1/order-parts")
        HttpClient().get(f"/api/v1/order-parts?access_token={token}")

    # As production writes them (JSON lines with every extra) and as local runs do (text).
    json_lines = JsonFormatter()
    text_lines = logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s")
    logged = "\n".join(
        json_lines.format(record) + text_lines.format(record) for record in caplog.records
    )
    assert {"manskonts.request", "django.request"} <= {r.name for r in caplog.records}
    assert secret not in logged
    assert "access_token" not in logged


def test_a_token_is_stored_only_as_its_hash(owner, owner_client):
    token = make_token(owner_client, owner)

    row = ApiToken.objects.get()
    stored = " ".join(str(v) for v in ApiToken.objects.values_list().get())

    assert token.split("_", 2)[2] not in stored
    assert row.secret_hash != token
    assert len(row.secret_hash) == 64


def test_last_used_is_recorded_at_most_once_a_minute(
    owner, owner_client, django_assert_max_num_queries
):
    token = make_token(owner_client, owner)

    api_get(token, "/api/v1/invoices")
    used = ApiToken.objects.get().last_used_at
    api_get(token, "/api/v1/invoices")

    assert used is not None
    assert ApiToken.objects.get().last_used_at == used
