"""The new write and back-office endpoints, attacked: another client's token, a token lacking its
scope, each token kind on the other's URLs, an expired or revoked caller, tampered cursors,
another client's ids nested in bodies, oversize bodies and too many files, an Idempotency-Key
reused with another body. Each must be refused (404 for what the caller may not see, 401/403 for
who it is, 4xx for what it sent), nothing stored, never a 500."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.test import Client as HttpClient
from django.utils import timezone

from accounts.models import Client
from api.models import ApiToken, BackOfficeScope, Scope, ServiceAccessToken
from api.service_accounts import revoke_account
from conversations import services as conversations
from conversations.models import Message
from documents.models import Document
from eservices.models import EService
from manskonts.validation import validate_upload
from orders.workflow import OrderStatus
from requisitions import services as requisitions
from requisitions.models import Request, RequestItem
from requisitions.services import ItemSpec
from tests.api.backoffice import access_token, call, make_account
from tests.api.helpers import api_get, make_token
from tests.documents import samples
from tests.factories import (
    EServiceFactory,
    OrderFactory,
    OrderPartFactory,
    StaffFactory,
    own_client,
)

pytestmark = pytest.mark.django_db

ALL = (Scope.READ, Scope.DOCUMENTS_WRITE, Scope.MESSAGES_WRITE)


@pytest.fixture
def clerk(db):
    return StaffFactory(first_name="Ilze")


@pytest.fixture
def service_token(superuser):
    return access_token(make_account(superuser))


def setup_client(person, number):
    client = Client.objects.get_or_create_for_person(person)
    order = OrderFactory(client=client, number=number)
    part = OrderPartFactory(
        order=order,
        client=client,
        part_number=1,
        status=OrderStatus.IN_PROGRESS,
        planned_completion_date=timezone.localdate() + timedelta(days=40),
    )
    eservice = EServiceFactory(client=client, requested_by=person)
    return client, order, part, eservice


@pytest.fixture
def theirs(outsider, clerk):
    """The outsider's order, part, e-service, a request and a conversation with an attachment."""
    client, order, part, eservice = setup_client(outsider, "2026-7690001")
    request = requisitions.raise_request(
        part, [ItemSpec("Plāns"), ItemSpec("Tālrunis", RequestItem.Kind.INFORMATION)], "Plāns.",
        by=clerk,
    )  # fmt: skip
    message = conversations.post_message(
        order,
        by=outsider,
        text="Svešs",
        from_staff=False,
        files=[validate_upload(samples.upload("x.pdf", samples.PDF))],
    )
    return {
        "client": client,
        "order": order,
        "eservice": eservice,
        "request": request,
        "thread": message.thread,
        "attachment": message.attachments.get(),
    }


def client_urls(t) -> list[tuple[str, str]]:
    """Every client URL of the new endpoints that names one of `t`'s objects."""
    return [
        ("get", f"/api/v1/orders/{t['order'].number}/messages"),
        ("post", f"/api/v1/orders/{t['order'].number}/messages"),
        ("get", f"/api/v1/eservices/{t['eservice'].pk}/messages"),
        ("post", f"/api/v1/eservices/{t['eservice'].pk}/messages"),
        ("get", f"/api/v1/message-attachments/{t['attachment'].pk}/content"),
        ("post", f"/api/v1/threads/{t['thread'].pk}/read"),
        ("get", f"/api/v1/requests/{t['request'].pk}"),
        ("post", f"/api/v1/requests/{t['request'].pk}/answer"),
        ("put", f"/api/v1/eservices/{t['eservice'].pk}/label"),
    ]


def send(method, token, path, body=None, key=None, content_type="application/json"):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    if key:
        headers["Idempotency-Key"] = key
    http = HttpClient()
    if method == "get":
        return http.get(path, headers=headers)
    if content_type == "application/json":
        return getattr(http, method)(
            path, json.dumps(body or {"text": "x", "label": "x"}), content_type=content_type,
            headers=headers,
        )  # fmt: skip
    return getattr(http, method)(path, body or {}, headers=headers)


# --- who calls ---------------------------------------------------------------------------------------
def test_another_clients_token_gets_404_on_every_new_client_url(owner, owner_client, theirs):
    token = make_token(owner_client, owner, scopes=ALL)

    statuses = {(m, p): send(m, token, p).status_code for m, p in client_urls(theirs)}

    assert set(statuses.values()) == {404}, statuses
    assert Message.objects.count() == 1
    assert theirs["eservice"].__class__.objects.get(pk=theirs["eservice"].pk).label in ("", None)
    assert Request.objects.get(pk=theirs["request"].pk).answers.count() == 0


def test_a_read_only_token_is_403_on_every_new_write(outsider, theirs):
    token = make_token(theirs["client"], outsider, scopes=(Scope.READ,))
    writes = [(m, p) for m, p in client_urls(theirs) if m != "get" and not p.endswith("/read")]

    statuses = {(m, p): send(m, token, p).status_code for m, p in writes}

    assert set(statuses.values()) == {403}, statuses
    assert Message.objects.count() == 1


def test_a_documents_write_token_cannot_write_messages_or_answers(outsider, theirs):
    token = make_token(theirs["client"], outsider, scopes=(Scope.READ, Scope.DOCUMENTS_WRITE))
    paths = [
        f"/api/v1/orders/{theirs['order'].number}/messages",
        f"/api/v1/requests/{theirs['request'].pk}/answer",
    ]

    statuses = [send("post", token, p).status_code for p in paths]

    assert statuses == [403, 403]


def back_office_urls(t) -> list[tuple[str, str, str]]:
    """(method, path, the scope it needs) of the back office's URLs naming `t`'s objects."""
    number, eid, rid = t["order"].number, t["eservice"].pk, t["request"].pk
    return [
        ("get", f"/api/v1/backoffice/orders/{number}", BackOfficeScope.ORDERS_WRITE),
        ("put", f"/api/v1/backoffice/orders/{number}", BackOfficeScope.ORDERS_WRITE),
        ("post", f"/api/v1/backoffice/orders/{number}/client", BackOfficeScope.ORDERS_WRITE),
        ("put", "/api/v1/backoffice/eservices/external/LS-A1", BackOfficeScope.ORDERS_WRITE),
        ("get", f"/api/v1/backoffice/eservices/{eid}", BackOfficeScope.ORDERS_WRITE),
        ("post", f"/api/v1/backoffice/eservices/{eid}/status", BackOfficeScope.ORDERS_WRITE),
        ("post", f"/api/v1/backoffice/eservices/{eid}/requests", BackOfficeScope.REQUESTS_WRITE),
        ("get", f"/api/v1/backoffice/requests/{rid}", BackOfficeScope.REQUESTS_WRITE),
        ("post", f"/api/v1/backoffice/requests/{rid}/accept", BackOfficeScope.REQUESTS_WRITE),
        ("post", f"/api/v1/backoffice/requests/{rid}/withdraw", BackOfficeScope.REQUESTS_WRITE),
        ("post", f"/api/v1/backoffice/requests/{rid}/assign", BackOfficeScope.REQUESTS_WRITE),
        ("get", "/api/v1/backoffice/requests", BackOfficeScope.REQUESTS_WRITE),
        ("get", f"/api/v1/backoffice/orders/{number}/messages", BackOfficeScope.MESSAGES_WRITE),
        ("post", f"/api/v1/backoffice/orders/{number}/messages", BackOfficeScope.MESSAGES_WRITE),
        ("post", f"/api/v1/backoffice/eservices/{eid}/messages", BackOfficeScope.MESSAGES_WRITE),
        (
            "post",
            f"/api/v1/backoffice/orders/{number}/conversation/assign",
            BackOfficeScope.MESSAGES_WRITE,
        ),
        (
            "post",
            f"/api/v1/backoffice/eservices/{eid}/conversation/assign",
            BackOfficeScope.MESSAGES_WRITE,
        ),
        (
            "get",
            f"/api/v1/backoffice/message-attachments/{t['attachment'].pk}/content",
            BackOfficeScope.MESSAGES_WRITE,
        ),
    ]


def test_a_clients_token_is_401_on_every_back_office_url(outsider, theirs):
    token = make_token(theirs["client"], outsider, scopes=ALL)

    statuses = {(m, p): send(m, token, p).status_code for m, p, _s in back_office_urls(theirs)}

    assert set(statuses.values()) == {401}, statuses


def test_a_service_token_is_401_on_every_new_client_url(service_token, theirs):
    statuses = {(m, p): send(m, service_token, p).status_code for m, p in client_urls(theirs)}

    assert set(statuses.values()) == {401}, statuses


def test_a_service_account_lacking_the_scope_is_403(superuser, theirs):
    for method, path, scope in back_office_urls(theirs):
        others = [s for s in BackOfficeScope if s != scope]
        if scope == BackOfficeScope.ORDERS_WRITE and "/orders/" in path and method == "get":
            others = [s for s in others if s != BackOfficeScope.RESULTS_WRITE]
        if "/eservices/" in path and method == "get" and "messages" not in path:
            others = [s for s in others if s != BackOfficeScope.RESULTS_WRITE]
        token = access_token(make_account(superuser, others, name=f"bez {scope} {path}"))

        response = send(method, token, path)

        # A body the operation's schema refuses is a 400 before the scope is looked at (it
        # says nothing about any object); every other call is the scope's 403.
        if response.status_code == 400:
            assert (method, response.json()["code"]) in (
                ("put", "invalid_request"),
                ("post", "invalid_request"),
            )
        else:
            assert (path, response.status_code) == (path, 403)
            assert response.json()["code"] == "insufficient_scope"


def test_an_expired_or_revoked_service_token_is_401(superuser, theirs):
    expired_account, revoked_account = (
        make_account(superuser, name="A"),
        make_account(superuser, name="B"),
    )
    expired, revoked = access_token(expired_account), access_token(revoked_account)
    ServiceAccessToken.objects.filter(account=expired_account).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    revoke_account(revoked_account)

    statuses = {
        (m, p, name): send(m, token, p).status_code
        for m, p, _s in back_office_urls(theirs)
        for name, token in (("expired", expired), ("revoked", revoked))
    }

    assert set(statuses.values()) == {401}, statuses


def test_an_expired_or_revoked_client_token_is_401_on_the_new_urls(outsider, theirs):
    expired = make_token(theirs["client"], outsider, scopes=ALL, name="E")
    revoked = make_token(theirs["client"], outsider, scopes=ALL, name="R")
    ApiToken.objects.filter(name="E").update(
        created_at=timezone.now() - timedelta(days=2), expires_at=timezone.now() - timedelta(days=1)
    )
    ApiToken.objects.filter(name="R").update(revoked_at=timezone.now())

    statuses = {
        (m, p, t): send(m, t, p).json()["code"]
        for m, p in client_urls(theirs)
        for t in (expired, revoked)
    }

    assert set(statuses.values()) == {"token_expired", "token_revoked"}, statuses
    assert Message.objects.count() == 1


# --- cursors ------------------------------------------------------------------------------------------
def test_another_clients_cursor_shows_only_the_callers_rows(owner, owner_client, outsider, clerk):
    _c, _o, part, _e = setup_client(outsider, "2026-7690003")
    for n in range(3):
        requisitions.raise_request(part, [ItemSpec(f"P{n}")], f"T{n}", by=clerk)
    theirs_token = make_token(Client.objects.get(person=outsider), outsider)
    cursor = api_get(theirs_token, "/api/v1/requests?limit=1").json()["next_cursor"]

    answer = api_get(make_token(owner_client, owner), f"/api/v1/requests?cursor={cursor}")

    assert answer.status_code in (200, 400)
    if answer.status_code == 200:
        assert answer.json()["items"] == []


# --- other clients' ids nested in bodies ----------------------------------------------------------------
def registration(person, **values):
    return {
        "client": {"personal_code": person.personal_code},
        "service": "kadastra-info-ipasums",
        "object_code": "13000263302",
        **values,
    }


def test_an_e_service_edit_cannot_link_another_clients_order(service_token, owner, theirs):
    own_client(owner)
    path = "/api/v1/backoffice/eservices/external/LS-A2"
    created = call("put", service_token, path, registration(owner))

    edited = call("put", service_token, path, registration(owner, orders=[theirs["order"].number]))

    assert (created.status_code, edited.status_code) == (201, 400)
    assert list(EService.objects.get(external_id="LS-A2").orders.all()) == []


def test_a_legal_persons_upsert_takes_no_requester_of_another_client(
    service_token, legal, legal_admin, outsider, theirs
):
    body = {
        "client": {"registration_number": legal.registration_number},
        "requested_by": {"personal_code": outsider.personal_code},
        "service": "kadastra-info-ipasums",
    }

    response = call("put", service_token, "/api/v1/backoffice/eservices/external/LS-A3", body)

    assert (response.status_code, response.json()["code"]) == (400, "unknown_person")
    assert not EService.objects.filter(external_id="LS-A3").exists()


def test_an_answer_naming_another_requests_item_stores_nothing_on_it(
    owner, owner_client, clerk, theirs
):
    _c, _o, part, _e = setup_client(owner, "2026-7690004")
    own = requisitions.raise_request(
        part, [ItemSpec("Tālrunis", RequestItem.Kind.INFORMATION)], "Tālrunis.", by=clerk
    )
    foreign_file, foreign_text = (
        theirs["request"].items.order_by("position").values_list("pk", flat=True)
    )
    own_item = own.items.get()
    token = make_token(owner_client, owner, scopes=ALL)

    response = HttpClient().post(
        f"/api/v1/requests/{own.pk}/answer",
        {
            f"item_{own_item.pk}_text": "+371 20000000",
            f"item_{foreign_text}_text": "iepludināts",
            f"item_{foreign_file}_files": [samples.upload("x.pdf", samples.PDF)],
        },
        headers={"Authorization": f"Bearer {token}"},
    )

    assert response.status_code == 201
    assert theirs["request"].answers.count() == 0
    assert [e["item_id"] for a in response.json()["answers"] for e in a["items"]] == [own_item.pk]


def test_an_order_upsert_cannot_take_another_clients_order(service_token, owner, theirs):
    own_client(owner)
    body = {
        "client": {"personal_code": owner.personal_code},
        "parts": [{"part_number": 2, "service": "kadastra-info-ipasums"}],
    }

    response = call(
        "put", service_token, f"/api/v1/backoffice/orders/{theirs['order'].number}", body
    )

    assert (response.status_code, response.json()["code"]) == (409, "client_differs")
    assert theirs["order"].parts.count() == 1


# --- sizes and files ------------------------------------------------------------------------------------
def test_an_oversize_json_body_is_413_on_the_new_writes(service_token, owner, owner_client, theirs):
    client_token = make_token(theirs["client"], theirs["client"].person, scopes=ALL)
    big = "x" * 70_000

    answers = [
        send("post", client_token, f"/api/v1/orders/{theirs['order'].number}/messages",
             {"text": big}),
        send("put", client_token, f"/api/v1/eservices/{theirs['eservice'].pk}/label",
             {"label": big}),
        call("put", service_token, "/api/v1/backoffice/eservices/external/LS-A4",
             {**registration(owner), "object_code": big}),
        call("post", service_token, f"/api/v1/backoffice/orders/{theirs['order'].number}/messages",
             {"text": big}),
    ]  # fmt: skip

    assert [a.status_code for a in answers] == [413, 413, 413, 413]
    assert Message.objects.count() == 1


def test_too_many_files_to_a_message_store_nothing(service_token, theirs):
    client_token = make_token(theirs["client"], theirs["client"].person, scopes=ALL)
    files = [samples.upload(f"{n}.pdf", samples.PDF) for n in range(6)]
    path = f"/api/v1/orders/{theirs['order'].number}/messages"
    back = f"/api/v1/backoffice/orders/{theirs['order'].number}/messages"

    answers = [
        HttpClient().post(path, {"text": "x", "files": files},
                          headers={"Authorization": f"Bearer {client_token}"}),
        HttpClient().post(back, {"text": "x", "files": files},
                          headers={"Authorization": f"Bearer {service_token}"}),
    ]  # fmt: skip

    assert [a.status_code for a in answers] == [413, 413], [a.content for a in answers]
    assert Message.objects.count() == 1


def test_too_many_result_files_store_nothing(service_token, theirs):
    files = [samples.upload(f"{n}.pdf", samples.PDF) for n in range(11)]
    headers = {"Authorization": f"Bearer {service_token}"}
    paths = [
        f"/api/v1/backoffice/orders/{theirs['order'].number}/parts/1/results",
        f"/api/v1/backoffice/eservices/{theirs['eservice'].pk}/results",
    ]

    statuses = [HttpClient().post(p, {"files": files}, headers=headers).status_code for p in paths]

    assert statuses == [413, 413]
    assert not Document.objects.exists()


# --- Idempotency-Key -------------------------------------------------------------------------------------
def test_an_idempotency_key_reused_with_another_body_is_422(service_token, owner, theirs):
    own_client(owner)
    client_token = make_token(theirs["client"], theirs["client"].person, scopes=ALL)
    path = f"/api/v1/orders/{theirs['order'].number}/messages"
    first = send("post", client_token, path, {"text": "Viens"}, key="k1")
    second = send("post", client_token, path, {"text": "Divi"}, key="k1")
    put = "/api/v1/backoffice/eservices/external/LS-A5"
    created = call("put", service_token, put, registration(owner), key="k1")
    other = call(
        "put", service_token, put, registration(owner, object_code="13000263303"), key="k1"
    )

    assert (first.status_code, second.status_code) == (201, 422)
    assert (created.status_code, other.status_code) == (201, 422)
    assert Message.objects.filter(text="Divi").count() == 0
    assert EService.objects.get(external_id="LS-A5").object_code == "13000263302"


def test_too_many_form_fields_or_files_are_refused_not_a_500(outsider, theirs, service_token):
    token = make_token(theirs["client"], outsider, scopes=ALL)
    fields = {f"f{n}": "x" for n in range(1100)}
    files = {"files": [samples.upload(f"{n}.pdf", b"%PDF-1.4") for n in range(102)]}

    answers = {
        "answer fields": HttpClient().post(
            f"/api/v1/requests/{theirs['request'].pk}/answer",
            fields,
            headers={"Authorization": f"Bearer {token}"},
        ),
        "message files": HttpClient().post(
            f"/api/v1/orders/{theirs['order'].number}/messages",
            {"text": "x", **files},
            headers={"Authorization": f"Bearer {token}"},
        ),
        "back-office reply fields": HttpClient().post(
            f"/api/v1/backoffice/orders/{theirs['order'].number}/messages",
            {"text": "x", **fields},
            headers={"Authorization": f"Bearer {service_token}"},
        ),
    }

    statuses = {name: a.status_code for name, a in answers.items()}
    assert all(400 <= s < 500 for s in statuses.values()), statuses
    assert Message.objects.count() == 1
    assert theirs["request"].answers.count() == 0


def test_a_service_token_in_the_query_string_is_refused_not_honoured(service_token):
    """As a client's token: a token in the address ends up in proxies' and browsers' logs, so the
    case system is told at once rather than silently served."""
    path = "/api/v1/backoffice/requests"

    alone = HttpClient().get(f"{path}?access_token={service_token}")
    with_header = HttpClient().get(
        f"{path}?token={service_token}", headers={"Authorization": f"Bearer {service_token}"}
    )

    assert [(a.status_code, a.json()["code"]) for a in (alone, with_header)] == [
        (400, "token_in_url"),
        (400, "token_in_url"),
    ]


def test_a_replys_attachment_is_downloaded_from_the_url_its_answer_gives(service_token, theirs):
    """The back office's reply names its attachment's back-office download, not the client's
    (which a service account's token may not open)."""
    headers = {"Authorization": f"Bearer {service_token}"}
    reply = HttpClient().post(
        f"/api/v1/backoffice/orders/{theirs['order'].number}/messages",
        {"text": "Karte pielikumā.", "files": [samples.upload("karte.pdf", samples.PDF)]},
        headers=headers,
    )
    [attachment] = reply.json()["attachments"]

    download = HttpClient().get(attachment["download_url"], headers=headers)

    assert reply.status_code == 201
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == samples.PDF


# --- NUL and unknown values in the back office's bodies and queries ---------------------------------------
def test_a_nul_character_anywhere_in_a_back_office_call_is_400_not_a_500(
    service_token, owner, theirs
):
    """PostgreSQL cannot compare or store text with NUL: the back office's JSON strings and query
    values reached lookups (a service code, an order number, a clerk's name) and saves (a
    request's text, a reason) as they came."""
    own_client(owner)
    number, part_path = (
        theirs["order"].number,
        f"/api/v1/backoffice/orders/{theirs['order'].number}",
    )
    rid = theirs["request"].pk
    nul = "a\x00b"
    calls = {
        "queue state": ("get", "/api/v1/backoffice/requests?state=a%00b", None),
        "order service": ("put", "/api/v1/backoffice/orders/2026-7690009", {
            "client": {"personal_code": owner.personal_code},
            "parts": [{"part_number": 1, "service": nul}]}),
        "e-service orders": ("put", "/api/v1/backoffice/eservices/external/LS-N1", {
            **registration(owner), "orders": [nul]}),
        "e-service service": ("put", "/api/v1/backoffice/eservices/external/LS-N2", {
            **registration(owner), "service": nul}),
        "request text": ("post", f"{part_path}/parts/1/requests", {
            "text": nul, "items": [{"name": nul}]}),
        "assign clerk": ("post", f"/api/v1/backoffice/requests/{rid}/assign", {"clerk": nul}),
        "withdraw note": ("post", f"/api/v1/backoffice/requests/{rid}/withdraw", {"note": nul}),
        "client reason": ("post", f"{part_path}/client", {
            "client": {"personal_code": owner.personal_code}, "reason": nul}),
        "status note": ("post", f"{part_path}/parts/1/status", {
            "status": OrderStatus.ISSUING, "note": nul}),
        "invoice number": ("put", "/api/v1/backoffice/invoices/a%00b", {
            "order": number, "kind": "final", "issued_on": "2026-12-01",
            "due_on": "2026-12-15", "total": "10.00"}),
    }  # fmt: skip

    statuses = {
        name: call(method, service_token, path, body).status_code
        for name, (method, path, body) in calls.items()
    }

    assert statuses == dict.fromkeys(calls, 400), statuses
    assert Request.objects.count() == 1
    assert not EService.objects.filter(external_id__startswith="LS-N").exists()


def test_the_token_endpoint_refuses_a_nul_client_id_with_401_not_a_500(db):
    response = HttpClient().post(
        "/api/v1/backoffice/token",
        {"grant_type": "client_credentials", "client_id": "vzd_\x00", "client_secret": "x"},
    )

    assert response.status_code in (400, 401)


def test_an_unknown_queue_state_is_400_not_an_empty_queue(service_token):
    response = call("get", service_token, "/api/v1/backoffice/requests?state=atbildets")

    assert (response.status_code, response.json()["code"]) == (400, "invalid_request")
