"""State-changing URLs refuse GET (405) and refuse a POST without a CSRF token (403), changing
nothing (docs/security-tests.md, Sessions and forms; ASVS 4.0.3 4.2.2, 5.0 3.5.1).

Every URL of the project (the Django admin aside) is listed below as read-only, a form (GET shows
it, POST changes something) or POST-only; a new URL fails test_every_url_is_classified until it is
put in one of the lists, so it cannot escape these checks.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client as HttpClient
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone, translation

from accounts.acting_for import SESSION_KEY
from accounts.models import Client, LegalPersonApplication, Membership
from api.models import ApiToken
from api.tokens import create_token
from billing.models import PaymentAttempt
from billing.portal_payments import start_attempt
from conversations.models import Message
from documents.models import Document
from eservices.models import EService, ExportJob
from notifications.models import Notification
from requisitions import services as requisitions
from requisitions.models import Answer
from requisitions.services import ItemSpec
from tests.factories import (
    EServiceFactory,
    InvoiceFactory,
    LegalClientFactory,
    MembershipFactory,
    OrderFactory,
    OrderPartFactory,
    UserFactory,
)

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

READ_ONLY = {
    "home",
    "healthz",
    "accessibility",
    "overview",
    "accounts:login",
    "accounts:oidc_sign_in",
    "accounts:oidc_callback",
    "accounts:users",
    "accounts:application_list",
    "accounts:application_detail",
    "eservices:list",
    "eservices:report",
    "eservices:export",
    "eservices:export_download",
    "eservices:detail",
    "orders:list",
    "orders:detail",
    "billing:invoice_list",
    "billing:payment_result",
    "billing:invoice_detail",
    "billing:invoice_print",
    "notifications:list",
    "documents:download",
    "documents:container_file",
    "documents:results_zip",
    "conversations:attachment",
}
FORMS = {
    "accounts:application_create",
    "billing:demo_bank",
    "set_language",
    # a conversation's page (the thread; a new message) and 'Uzdot jautājumu'
    "conversations:order",
    "conversations:eservice",
    "conversations:ask",
    "requisitions:answer",  # a request's answer page (the draft, the answer)
    "api_access:tokens",  # API piekļuve: the tokens, and a new one (201, shown once)
}
POST_ONLY = {
    "api_access:revoke",
    "accounts:demo_login",
    "accounts:logout",
    "accounts:switch",
    "accounts:user_add",
    "accounts:user_role",
    "accounts:user_remove",
    "eservices:label",
    "eservices:report_export",
    "documents:upload_order",
    "documents:upload_eservice",
    "billing:pay",
    "billing:payment_callback",
    "notifications:mark_read",
    "notifications:mark_all_read",
}


def url_names(resolver: URLResolver | None = None, namespace: str = "") -> set[str]:
    names: set[str] = set()
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            # The admin has its own tests; the API takes no session and no CSRF token, only a
            # token in the Authorization header (tests/api: test_auth, test_protocol, test_safety).
            if entry.app_name == "admin" or (entry.namespace or "").startswith("api-v"):
                continue
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            names |= url_names(entry, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            names.add(f"{namespace}{entry.name}")
    return names


def test_every_url_is_classified():
    assert url_names() == READ_ONLY | FORMS | POST_ONLY
    assert not (READ_ONLY & FORMS or READ_ONLY & POST_ONLY or FORMS & POST_ONLY)


@dataclass
class World:
    owner: object
    owner_client: Client
    legal: Client
    legal_admin: object
    member: Membership
    eservice: EService
    order: object
    invoice: object
    attempt: PaymentAttempt
    notification: Notification
    vzd_request: object  # requisitions.models.Request on the order's part
    api_token: object  # api.models.ApiToken of the owner's own client


@pytest.fixture
def world(db) -> World:
    owner = UserFactory()
    owner_client = Client.objects.get_or_create_for_person(owner)
    legal = LegalClientFactory(registration_number="40003517893")
    legal_admin = MembershipFactory(client=legal, role=Membership.Role.ADMIN).user
    member = MembershipFactory(client=legal, role=Membership.Role.USER)
    eservice = EServiceFactory(client=owner_client)
    order = OrderFactory(client=owner_client)
    part = OrderPartFactory(order=order, part_number=1)
    vzd_request = requisitions.raise_request(
        part, [ItemSpec("Plāns")], "Iesniedziet plānu.", by=None, suspend=False
    )
    invoice = InvoiceFactory(order=order)
    attempt = start_attempt(owner_client, owner, [InvoiceFactory(order=order).number], "demo")
    notification = Notification.objects.create(
        client=owner_client, recipient=owner, kind="status", subject="S", body="B"
    )
    api_token, _secret = create_token(
        owner_client,
        by=owner,
        name="Birojs",
        scopes=["read"],
        expires_at=timezone.now() + timedelta(days=30),
    )
    return World(
        owner,
        owner_client,
        legal,
        legal_admin,
        member,
        eservice,
        order,
        invoice,
        attempt,
        notification,
        vzd_request,
        api_token,
    )


@dataclass(frozen=True)
class Post:
    url: str
    persona: str  # "owner", "admin" (acting for the legal person) or "anon"
    data: Callable[[], dict]
    state: Callable[[], object]  # what a successful POST would change


def state_of_everything(world: World) -> tuple:
    return (
        EService.objects.get(pk=world.eservice.pk).label,
        Document.objects.count(),
        ExportJob.objects.count(),
        PaymentAttempt.objects.count(),
        PaymentAttempt.objects.get(pk=world.attempt.pk).status,
        sorted(Membership.objects.values_list("client_id", "user_id", "role")),
        sorted(Notification.objects.values_list("pk", "read_at")),
        LegalPersonApplication.objects.count(),
        Message.objects.count(),
        Answer.objects.count(),
        sorted(ApiToken.objects.values_list("pk", "revoked_at")),
    )


def posts(world: World) -> dict[str, Post]:
    def everything() -> tuple:
        return state_of_everything(world)

    def upload() -> dict:
        return {"files": [SimpleUploadedFile("a.pdf", PDF, "application/pdf")]}

    def application() -> dict:
        return {
            "registration_number": "50003123455",
            "name": "SIA „Jaunā Zeme”",
            "legal_address": "Krišjāņa Barona iela 1, Rīga",
            "email": "birojs@example.lv",
            "phone": "+37167038600",
            "authority": "board",
            "authority_document": SimpleUploadedFile("lemums.pdf", PDF, "application/pdf"),
        }

    member = world.member.pk
    return {
        "accounts:demo_login": Post(
            reverse("accounts:demo_login"), "anon", lambda: {"person": "12058512340"}, everything
        ),
        "accounts:logout": Post(reverse("accounts:logout"), "owner", dict, everything),
        "accounts:switch": Post(
            reverse("accounts:switch"),
            "admin",
            lambda: {"client": world.legal.pk},
            everything,
        ),
        "accounts:user_add": Post(
            reverse("accounts:user_add"),
            "admin",
            # 39…: outside UserFactory's 32… sequence, so never a person made by another test
            lambda: {"personal_code": "39000000777", "role": "user"},
            everything,
        ),
        "accounts:user_role": Post(
            reverse("accounts:user_role", args=[member]),
            "admin",
            lambda: {"role": "admin"},
            everything,
        ),
        "accounts:user_remove": Post(
            reverse("accounts:user_remove", args=[member]), "admin", dict, everything
        ),
        "accounts:application_create": Post(
            reverse("accounts:application_create"), "owner", application, everything
        ),
        "eservices:label": Post(
            reverse("eservices:label", args=[world.eservice.pk]),
            "owner",
            lambda: {"label": "Jauns"},
            everything,
        ),
        "eservices:report_export": Post(
            reverse("eservices:report_export"), "owner", dict, everything
        ),
        "documents:upload_order": Post(
            reverse("documents:upload_order", args=[world.order.number]),
            "owner",
            upload,
            everything,
        ),
        "documents:upload_eservice": Post(
            reverse("documents:upload_eservice", args=[world.eservice.pk]),
            "owner",
            upload,
            everything,
        ),
        "billing:pay": Post(
            reverse("billing:pay"), "owner", lambda: {"invoice": [world.invoice.number]}, everything
        ),
        "billing:demo_bank": Post(
            reverse("billing:demo_bank", args=[world.attempt.reference]),
            "owner",
            lambda: {"action": "pay"},
            everything,
        ),
        "notifications:mark_read": Post(
            reverse("notifications:mark_read", args=[world.notification.pk]),
            "owner",
            dict,
            everything,
        ),
        "notifications:mark_all_read": Post(
            reverse("notifications:mark_all_read"), "owner", dict, everything
        ),
        "requisitions:answer": Post(
            reverse("requisitions:answer", args=[world.vzd_request.pk]),
            "owner",
            lambda: {"action": "draft", "message": "Plāns sekos."},
            everything,
        ),
        "set_language": Post(
            reverse("set_language"), "owner", lambda: {"language": "en", "next": "/"}, everything
        ),
        "conversations:order": Post(
            reverse("conversations:order", args=[world.order.number]),
            "owner",
            lambda: {"text": "Kad būs gatavs?"},
            everything,
        ),
        "conversations:eservice": Post(
            reverse("conversations:eservice", args=[world.eservice.pk]),
            "owner",
            lambda: {"text": "Jautājums par e-pakalpojumu"},
            everything,
        ),
        "conversations:ask": Post(
            reverse("conversations:ask"),
            "owner",
            lambda: {"order": world.order.number, "text": "Vai var ātrāk?"},
            everything,
        ),
        "api_access:tokens": Post(
            reverse("api_access:tokens"),
            "owner",
            lambda: {"name": "Grāmatvedība", "scopes": ["read"], "lifetime": "90"},
            everything,
        ),
        "api_access:revoke": Post(
            reverse("api_access:revoke", args=[world.api_token.pk]), "owner", dict, everything
        ),
    }


def http_for(world: World, persona: str, *, csrf: bool = False) -> HttpClient:
    http = HttpClient(enforce_csrf_checks=csrf)
    if persona == "owner":
        http.force_login(world.owner)
    elif persona == "admin":
        http.force_login(world.legal_admin)
        session = http.session
        session[SESSION_KEY] = world.legal.pk
        session.save()
    return http


# The payment provider's callback is signed instead (tests/billing/test_callback.py:
# test_callback_needs_no_csrf_token, test_callback_refuses_get).
STATE_CHANGING = sorted((POST_ONLY | FORMS) - {"billing:payment_callback"})


def test_every_state_changing_url_has_a_post_here(world):
    assert set(posts(world)) == set(STATE_CHANGING)


@pytest.mark.parametrize("name", STATE_CHANGING)
def test_post_without_a_csrf_token_is_403_and_changes_nothing(world, name):
    post = posts(world)[name]
    http = http_for(world, post.persona, csrf=True)
    before = post.state()

    response = http.post(post.url, post.data())

    assert response.status_code == 403
    assert post.state() == before
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies
    if post.persona != "anon":
        assert "_auth_user_id" in http.session  # still signed in: logout did not happen


@pytest.mark.parametrize("name", STATE_CHANGING)
def test_the_same_post_with_its_csrf_token_goes_through(world, name):
    """The control for the test above: with the token the very same request changes something
    (so the 403 above is the token's doing, not bad data)."""
    post = posts(world)[name]
    http = http_for(world, post.persona, csrf=True)
    token_page = http.get(reverse("accounts:login"))
    token = token_page.cookies["csrftoken"].value if "csrftoken" in token_page.cookies else None
    assert token, "the sign-in page sets the CSRF cookie"
    before = post.state()

    with translation.override("lv"):
        response = http.post(post.url, {**post.data(), "csrfmiddlewaretoken": token})

    if name == "eservices:report_export":  # a small report is the Excel file itself
        assert response.status_code == 200
        assert response["Content-Disposition"].startswith("attachment;")
        return
    if name == "api_access:tokens":  # the new token is shown once on the page itself
        assert response.status_code == 201
        assert post.state() != before
        return
    assert response.status_code in (302, 303), response.status_code
    if name == "accounts:logout":
        assert "_auth_user_id" not in http.session
    elif name == "accounts:demo_login":
        assert "_auth_user_id" in http.session
    elif name == "accounts:switch":
        assert http.session[SESSION_KEY] == world.legal.pk
    elif name == "set_language":
        assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    else:
        assert post.state() != before


@pytest.mark.parametrize("name", sorted(POST_ONLY))
def test_state_changing_url_refuses_get(world, name):
    post = posts(world).get(name)
    url = post.url if post else reverse(name)
    persona = post.persona if post else "owner"
    before = state_of_everything(world)

    response = http_for(world, persona).get(url)

    assert response.status_code == 405
    assert response["Allow"] == "POST"
    assert state_of_everything(world) == before


def test_forms_show_on_get_and_change_nothing(world):
    before = state_of_everything(world)
    http = http_for(world, "owner")

    application = http.get(reverse("accounts:application_create"))
    bank = http.get(reverse("billing:demo_bank", args=[world.attempt.reference]))
    language = http.get(reverse("set_language") + "?language=en&next=/")
    answer = http.get(reverse("requisitions:answer", args=[world.vzd_request.pk]))
    api_tokens = http.get(reverse("api_access:tokens"))
    conversations = [
        http.get(reverse("conversations:order", args=[world.order.number])).status_code,
        http.get(reverse("conversations:eservice", args=[world.eservice.pk])).status_code,
        http.get(reverse("conversations:ask")).status_code,
    ]

    assert (application.status_code, bank.status_code) == (200, 200)
    assert conversations == [200, 200, 200]
    assert answer.status_code == 200
    assert api_tokens.status_code == 200
    assert settings.LANGUAGE_COOKIE_NAME not in language.cookies
    assert state_of_everything(world) == before
