"""Sign-in through OpenID Connect against a stand-in provider that signs real RS256 tokens."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from django.contrib.auth import SESSION_KEY as AUTH_SESSION_KEY
from django.contrib.sessions.models import Session
from django.test import Client as HttpClient

from accounts.models import Client, User
from tests.accounts.oidc_provider import CLIENT_ID, CLIENT_SECRET, start_provider
from tests.factories import UserFactory

ANNA = {
    "sub": "PK:120585-12340",
    "given_name": "Anna",
    "family_name": "Bērziņa",
    "email": "anna.berzina@example.lv",
}


@pytest.fixture
def provider(settings):
    provider, server = start_provider()
    settings.OIDC_OP_ISSUER = provider.issuer
    settings.OIDC_RP_CLIENT_ID = CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = CLIENT_SECRET
    yield provider
    server.shutdown()
    server.server_close()


def sign_in_at_provider(http: HttpClient, provider, claims: dict, next_url: str = ""):
    """Start at our sign-in link, 'authenticate' at the provider, follow its redirect back."""
    start = http.get("/pieslegties/oidc/" + (f"?next={next_url}" if next_url else ""))
    assert start.status_code == 302
    location = urlsplit(start["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == f"{provider.issuer}/authorize"
    query = parse_qs(location.query)
    code = provider.authorize(query, claims)
    return http.get("/pieslegties/oidc/atbilde/", {"code": code, "state": query["state"][0]})


@pytest.mark.django_db
def test_oidc_first_sign_in_creates_the_person_and_their_client(provider):
    http = HttpClient()

    response = sign_in_at_provider(http, provider, ANNA)

    person = User.objects.get(personal_code="12058512340")
    assert response.status_code == 302
    assert response["Location"] == "/mans-konts/"
    assert (person.first_name, person.last_name, person.email) == (
        "Anna",
        "Bērziņa",
        "anna.berzina@example.lv",
    )
    assert int(http.session[AUTH_SESSION_KEY]) == person.pk
    assert Client.objects.filter(person=person, kind=Client.Kind.NATURAL).count() == 1
    assert http.get("/mans-konts/").status_code == 200


@pytest.mark.django_db
def test_oidc_second_sign_in_does_not_duplicate_the_person(provider):
    sign_in_at_provider(HttpClient(), provider, ANNA)

    response = sign_in_at_provider(HttpClient(), provider, {**ANNA, "email": "anna@example.lv"})

    assert response.status_code == 302
    assert User.objects.filter(personal_code="12058512340").count() == 1
    assert Client.objects.filter(person__personal_code="12058512340").count() == 1
    assert User.objects.get(personal_code="12058512340").email == "anna@example.lv"


@pytest.mark.django_db
def test_oidc_sign_in_maps_to_an_existing_person_by_personal_code(provider):
    existing = UserFactory(personal_code="32051741234")

    sign_in_at_provider(HttpClient(), provider, {"sub": "PK:320517-41234"})

    assert User.objects.filter(personal_code="32051741234").get() == existing


@pytest.mark.django_db
def test_oidc_sign_in_rotates_the_session_id(provider):
    http = HttpClient()
    http.get("/pieslegties/oidc/")
    before = http.session.session_key

    sign_in_at_provider(http, provider, ANNA)

    assert http.session.session_key != before
    assert http.session.get(AUTH_SESSION_KEY) is not None


@pytest.mark.django_db
def test_oidc_sign_in_uses_pkce_and_the_client_secret(provider):
    sign_in_at_provider(HttpClient(), provider, ANNA)

    request = provider.token_requests[-1]
    assert (request["grant_type"], request["client_id"]) == ("authorization_code", CLIENT_ID)
    assert len(request["code_verifier"]) >= 43


@pytest.mark.django_db
def test_oidc_sign_in_returns_to_the_requested_page(provider):
    response = sign_in_at_provider(HttpClient(), provider, ANNA, next_url="/mans-konts/rekini/")

    assert response["Location"] == "/mans-konts/rekini/"


@pytest.mark.parametrize(
    ("knob", "value"),
    [
        ("audience", "another-client"),
        ("id_token_issuer", "https://evil.example"),
        ("signing_key", "other"),
    ],
)
@pytest.mark.django_db
def test_oidc_refuses_a_token_not_meant_for_us(provider, knob, value):
    if value == "other":
        value = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    setattr(provider, knob, value)
    http = HttpClient()

    response = sign_in_at_provider(http, provider, ANNA)

    assert response.status_code == 302
    assert response["Location"] == "/pieslegties/"
    assert AUTH_SESSION_KEY not in http.session
    assert not User.objects.filter(personal_code="12058512340").exists()


@pytest.mark.parametrize("sub", ["12058512340X", "PK:40003517893", "PK:120585-12341", ""])
@pytest.mark.django_db
def test_oidc_refuses_a_subject_that_is_not_a_personal_code(provider, sub):
    http = HttpClient()

    response = sign_in_at_provider(http, provider, {**ANNA, "sub": sub})

    assert response["Location"] == "/pieslegties/"
    assert AUTH_SESSION_KEY not in http.session
    assert User.objects.filter(personal_code__isnull=False).count() == 0


@pytest.mark.django_db
def test_oidc_refuses_a_replayed_code(provider):
    http = HttpClient()
    start = http.get("/pieslegties/oidc/")
    query = parse_qs(urlsplit(start["Location"]).query)
    code = provider.authorize(query, ANNA)
    http.get("/pieslegties/oidc/atbilde/", {"code": code, "state": query["state"][0]})
    http.post("/iziet/")

    replay = http.get("/pieslegties/oidc/atbilde/", {"code": code, "state": query["state"][0]})

    assert replay.status_code in (302, 400)
    assert AUTH_SESSION_KEY not in http.session


@pytest.mark.django_db
def test_oidc_refuses_a_callback_with_an_unknown_state(provider):
    http = HttpClient()
    http.get("/pieslegties/oidc/")

    response = http.get("/pieslegties/oidc/atbilde/", {"code": "x", "state": "forged"})

    assert response.status_code == 400
    assert AUTH_SESSION_KEY not in http.session


@pytest.mark.django_db
def test_oidc_sign_in_refuses_a_deactivated_person(provider):
    UserFactory(personal_code="12058512340", is_active=False)
    http = HttpClient()

    response = sign_in_at_provider(http, provider, ANNA)

    assert response["Location"] == "/pieslegties/"
    assert AUTH_SESSION_KEY not in http.session


@pytest.mark.django_db
def test_oidc_is_unreachable_when_not_configured(settings):
    settings.OIDC_OP_ISSUER = ""

    start = HttpClient().get("/pieslegties/oidc/")
    callback = HttpClient().get("/pieslegties/oidc/atbilde/", {"code": "x", "state": "y"})

    assert (start.status_code, callback.status_code) == (404, 404)


@pytest.mark.django_db
def test_login_page_offers_the_identity_provider_when_configured(provider):
    response = HttpClient().get("/pieslegties/")

    assert response.status_code == 200
    assert 'href="/pieslegties/oidc/"' in response.content.decode()


@pytest.mark.django_db
def test_oidc_provider_down_sends_the_person_back_with_a_message(settings):
    settings.OIDC_OP_ISSUER = "http://127.0.0.1:9"  # discard port: nothing answers
    settings.OIDC_RP_CLIENT_ID = CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = CLIENT_SECRET

    response = HttpClient().get("/pieslegties/oidc/", follow=True)

    assert response.redirect_chain[-1][0] == "/pieslegties/"
    assert "nav pieejams" in response.content.decode()


@pytest.mark.django_db
def test_signing_out_ends_the_session_here_and_at_the_provider(provider, settings):
    http = HttpClient()
    sign_in_at_provider(http, provider, ANNA)
    id_token = http.session["oidc_id_token"]
    key = http.session.session_key

    response = http.post("/iziet/")

    location = urlsplit(response["Location"])
    query = parse_qs(location.query)
    assert response.status_code == 302
    assert f"{location.scheme}://{location.netloc}{location.path}" == f"{provider.issuer}/logout"
    assert query["id_token_hint"] == [id_token]
    assert query["client_id"] == [CLIENT_ID]
    assert query["post_logout_redirect_uri"] == [f"{settings.SITE_URL}/"]
    assert AUTH_SESSION_KEY not in http.session
    assert not Session.objects.filter(session_key=key).exists()


@pytest.mark.django_db
def test_signing_out_stays_here_when_the_provider_offers_no_sign_out(provider):
    provider.offers_logout = False
    http = HttpClient()
    sign_in_at_provider(http, provider, ANNA)

    response = http.post("/iziet/")

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert AUTH_SESSION_KEY not in http.session
