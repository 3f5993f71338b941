"""The back-office API for VZD's case system: service accounts made by a superuser, client
credentials, idempotent upserts by order and part number, status changes through the one status
change (409 with its reason), every write audited under the account's actor and notifying the
client as the admin does."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone

from api.models import BackOfficeScope, ServiceAccessToken, ServiceAccount
from billing.models import Invoice
from documents.models import Document
from notifications.models import Notification
from orders.models import Order, OrderPart, OrderPartStatusChange
from orders.workflow import OrderStatus
from requisitions.models import Request
from tests.api.backoffice import access_token, call, make_account
from tests.api.helpers import api_get, make_token
from tests.documents import samples
from tests.factories import OrderFactory, OrderPartFactory

pytestmark = pytest.mark.django_db

NUMBER = "2026-7000001"


def order_body(owner, **part):
    return {
        "client": {"personal_code": owner.personal_code},
        "channel": "in_person",
        "parts": [
            {
                "part_number": 1,
                "service": "kadastra-info-ipasums",
                "object_code": "13000263302",
                **part,
            }
        ],
    }


def test_a_superuser_makes_a_service_account_in_the_admin_and_sees_its_secret_once(superuser):
    http = HttpClient()
    http.force_login(superuser)

    response = http.post(
        reverse("admin:api_serviceaccount_add"),
        {"name": "Lietu sistēma", "scopes": [BackOfficeScope.ORDERS_WRITE]},
        follow=True,
    )

    account = ServiceAccount.objects.get()
    [message] = [str(m) for m in response.context["messages"] if "noslēpums" in str(m)]
    secret = re.search(r"noslēpums: (\S+)", message).group(1)
    assert account.client_id in message
    assert account.secret_hash != secret and secret not in account.secret_hash
    account.secret = secret
    assert access_token(account).startswith("mkb_")
    page = http.get(reverse("admin:api_serviceaccount_change", args=[account.pk]))
    assert secret not in page.content.decode()


def test_staff_who_are_not_superusers_may_not_make_service_accounts(clerk):
    http = HttpClient()
    http.force_login(clerk)

    response = http.get(reverse("admin:api_serviceaccount_add"))

    assert response.status_code == 403


def test_wrong_credentials_and_a_revoked_account_get_no_token(account, superuser):
    from api.service_accounts import revoke_account

    wrong = HttpClient().post(
        "/api/v1/backoffice/token",
        {"grant_type": "client_credentials", "client_id": account.client_id, "client_secret": "x"},
    )
    token = access_token(account)
    revoke_account(account)
    after = HttpClient().post(
        "/api/v1/backoffice/token",
        {
            "grant_type": "client_credentials",
            "client_id": account.client_id,
            "client_secret": account.secret,
        },
    )

    assert wrong.status_code == 401
    assert wrong.json()["code"] == "invalid_client"
    assert after.status_code == 401
    assert call("put", token, f"/api/v1/backoffice/orders/{NUMBER}", {}).status_code == 401


def test_a_clients_token_is_not_a_service_token_and_back(account, owner, owner_client):
    client_token = make_token(owner_client, owner)
    service_token = access_token(account)

    assert call("put", client_token, f"/api/v1/backoffice/orders/{NUMBER}").status_code == 401
    assert api_get(service_token, "/api/v1/invoices").status_code == 401


def test_an_order_upserted_twice_is_the_same_order_and_the_second_changes_nothing(
    account, owner, owner_client
):
    token = access_token(account)
    path = f"/api/v1/backoffice/orders/{NUMBER}"

    first = call("put", token, path, order_body(owner))
    entries = LogEntry.objects.count()
    second = call("put", token, path, order_body(owner))

    assert first.status_code == 201
    assert second.status_code == 200
    assert {**first.json(), "created": None} == {**second.json(), "created": None}
    order = Order.objects.get(number=NUMBER)
    assert order.client == owner_client
    assert list(order.parts.values_list("part_number", "status")) == [(1, OrderStatus.APPLIED)]
    assert LogEntry.objects.count() == entries  # nothing changed, nothing written


def test_an_upsert_writes_are_audited_under_the_service_accounts_actor(
    account, owner, owner_client
):
    token = access_token(account)
    path = f"/api/v1/backoffice/orders/{NUMBER}"
    call("put", token, path, order_body(owner))

    call("put", token, path, order_body(owner, object_code="13000263303"))

    part = OrderPart.objects.get(order__number=NUMBER)
    entries = LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(OrderPart), object_pk=str(part.pk)
    ).order_by("id")
    assert [e.action for e in entries] == [LogEntry.Action.CREATE, LogEntry.Action.UPDATE]
    assert {e.actor_id for e in entries} == {account.user_id}
    assert part.object_code == "13000263303"


def test_an_order_of_another_client_is_409_and_unchanged(account, owner, owner_client, outsider):
    from accounts.models import Client

    OrderFactory(number=NUMBER, client=Client.objects.get_or_create_for_person(outsider))
    token = access_token(account)

    response = call("put", token, f"/api/v1/backoffice/orders/{NUMBER}", order_body(owner))

    assert response.status_code == 409
    assert response.json()["code"] == "client_differs"
    assert not OrderPart.objects.exists()


def test_bad_values_are_400_and_nothing_saved(account, owner, owner_client):
    token = access_token(account)

    unknown = call(
        "put", token, f"/api/v1/backoffice/orders/{NUMBER}", order_body(owner, service="nav")
    )
    bad_object = call(
        "put", token, f"/api/v1/backoffice/orders/{NUMBER}", order_body(owner, object_code="x1")
    )

    assert unknown.status_code == 400
    assert unknown.json()["code"] == "unknown_service"
    assert bad_object.status_code == 400
    assert "object_code" in bad_object.json()["errors"]
    assert not Order.objects.exists()


def test_statuses_move_through_the_one_status_change_and_an_illegal_one_is_409(
    account, owner, owner_client
):
    token = access_token(account)
    call("put", token, f"/api/v1/backoffice/orders/{NUMBER}", order_body(owner))
    path = f"/api/v1/backoffice/orders/{NUMBER}/parts/1/status"

    moves = [
        call("post", token, path, {"status": status}).status_code
        for status in (OrderStatus.REGISTERED, OrderStatus.IN_PROGRESS, OrderStatus.ISSUING)
    ]
    illegal = call("post", token, path, {"status": OrderStatus.APPLIED})

    assert moves == [200, 200, 200]
    assert illegal.status_code == 409
    assert illegal.json()["code"] == "illegal_transition"
    assert illegal.json()["detail"] == (
        "Statusu „Izsniegšanā” nevar mainīt uz „Pieteikums ir apstrādē”. "
        "Atļautie nākamie statusi: Izpildē, Pabeigts."
    )
    part = OrderPart.objects.get(order__number=NUMBER)
    assert part.status == OrderStatus.ISSUING
    history = OrderPartStatusChange.objects.filter(part=part).order_by("id")
    assert [(c.to_status, c.changed_by_id) for c in history] == [
        (OrderStatus.REGISTERED, account.user_id),
        (OrderStatus.IN_PROGRESS, account.user_id),
        (OrderStatus.ISSUING, account.user_id),
    ]


def test_a_status_change_notifies_the_client_as_the_admins_does(
    account, owner, owner_client, clerk
):
    token = access_token(account)
    call("put", token, f"/api/v1/backoffice/orders/{NUMBER}", order_body(owner))
    twin = OrderPartFactory(order=OrderFactory(client=owner_client, number="2026-7000002"))
    admin = HttpClient()
    admin.force_login(clerk)

    call(
        "post",
        token,
        f"/api/v1/backoffice/orders/{NUMBER}/parts/1/status",
        {"status": "registered"},
    )
    admin.post(
        reverse("admin:orders_orderpart_changelist"),
        {
            "action": "change_status",
            "_selected_action": [twin.pk],
            "apply": "1",
            "new_status": OrderStatus.REGISTERED,
            "note": "",
        },
    )

    by_api, by_admin = (
        Notification.objects.filter(client=owner_client, subject__contains=number).get()
        for number in (NUMBER, "2026-7000002")
    )
    assert (by_api.kind, by_api.recipient_id) == (by_admin.kind, by_admin.recipient_id)
    assert by_api.subject == by_admin.subject.replace("2026-7000002", NUMBER)
    assert by_api.body == by_admin.body.replace("2026-7000002", NUMBER).replace(
        f"daļas {twin.part_number} ", "daļas 1 "
    )


def test_the_same_idempotency_key_replays_a_status_change(account, owner, owner_client):
    token = access_token(account)
    call("put", token, f"/api/v1/backoffice/orders/{NUMBER}", order_body(owner))
    path = f"/api/v1/backoffice/orders/{NUMBER}/parts/1/status"

    first = call("post", token, path, {"status": "registered"}, key="k-1")
    again = call("post", token, path, {"status": "registered"}, key="k-1")

    assert first.status_code == again.status_code == 200
    assert again["Idempotent-Replayed"] == "true"
    assert OrderPartStatusChange.objects.count() == 1


def test_an_unknown_part_is_404(account, owner, owner_client):
    token = access_token(account)

    response = call(
        "post",
        token,
        f"/api/v1/backoffice/orders/{NUMBER}/parts/1/status",
        {"status": "registered"},
    )

    assert response.status_code == 404


def test_the_case_system_takes_an_order_to_a_result_the_client_downloads(
    account, owner, owner_client, settings
):
    token = access_token(account)
    order_path = f"/api/v1/backoffice/orders/{NUMBER}"
    part_path = f"{order_path}/parts/1"

    first = call("put", token, order_path, order_body(owner))
    again = call("put", token, order_path, order_body(owner))
    moves = [
        call("post", token, f"{part_path}/status", {"status": s}).status_code
        for s in (OrderStatus.REGISTERED, OrderStatus.IN_PROGRESS, OrderStatus.ISSUING)
    ]
    result = HttpClient().post(
        f"{part_path}/results",
        {"files": [samples.upload("izziņa.pdf", samples.PDF)]},
        headers={"Authorization": f"Bearer {token}"},
    )
    invoice_body = {"order": NUMBER, "kind": "final", "due_on": "2026-12-31", "total": "12.10"}
    invoice = call("put", token, "/api/v1/backoffice/invoices/R2026-700001", invoice_body)
    invoice_again = call("put", token, "/api/v1/backoffice/invoices/R2026-700001", invoice_body)
    client_token = make_token(owner_client, owner)
    document_id = result.json()["items"][0]["id"]
    before_payment = api_get(client_token, f"/api/v1/documents/{document_id}/content")
    payment = call(
        "post",
        token,
        "/api/v1/backoffice/invoices/R2026-700001/payments",
        {"amount": "12.10", "paid_on": "2026-12-01", "reference": "VK-1"},
    )
    payment_again = call(
        "post",
        token,
        "/api/v1/backoffice/invoices/R2026-700001/payments",
        {"amount": "12.10", "paid_on": "2026-12-01", "reference": "VK-1"},
    )
    download = api_get(client_token, f"/api/v1/documents/{document_id}/content")

    assert (first.status_code, again.status_code) == (201, 200)
    assert moves == [200, 200, 200]
    assert result.status_code == 201, result.content
    assert (invoice.status_code, invoice_again.status_code) == (201, 200)
    assert invoice.json()["amount_net"] == "10.00"
    assert before_payment.status_code == 403
    assert before_payment.json()["code"] == "unpaid_invoice"
    assert (payment.status_code, payment_again.status_code) == (201, 200)
    assert payment_again.json()["recorded"] is False
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == samples.PDF
    kinds = list(
        Notification.objects.filter(client=owner_client)
        .order_by("id")
        .values_list("kind", flat=True)
    )
    assert len(kinds) == 6  # three statuses, the result, the invoice, the payment
    entries = LogEntry.objects.filter(actor=account.user)
    assert entries.filter(content_type__model="invoice").exists()
    assert entries.filter(content_type__model="payment").exists()
    assert entries.filter(content_type__model="document").exists()


def test_an_account_without_the_operation_is_403(superuser, owner, owner_client):
    token = access_token(
        make_account(superuser, [BackOfficeScope.ORDERS_WRITE], "Tikai pasūtījumi")
    )
    call("put", token, f"/api/v1/backoffice/orders/{NUMBER}", order_body(owner))

    invoice = call(
        "put",
        token,
        "/api/v1/backoffice/invoices/R2026-700001",
        {"order": NUMBER, "due_on": "2026-12-31", "total": "12.10"},
    )
    result = HttpClient().post(
        f"/api/v1/backoffice/orders/{NUMBER}/parts/1/results",
        {"files": [samples.upload("a.pdf", samples.PDF)]},
        headers={"Authorization": f"Bearer {token}"},
    )

    assert invoice.status_code == 403
    assert invoice.json()["code"] == "insufficient_scope"
    assert result.status_code == 403
    assert not Invoice.objects.exists()
    assert not Document.objects.exists()


def test_a_bad_result_file_is_refused_and_nothing_stored(account, owner, owner_client):
    token = access_token(account)
    call("put", token, f"/api/v1/backoffice/orders/{NUMBER}", order_body(owner))

    response = HttpClient().post(
        f"/api/v1/backoffice/orders/{NUMBER}/parts/1/results",
        {"files": [samples.upload("a.pdf", samples.PDF), samples.upload("b.pdf", samples.HTML)]},
        headers={"Authorization": f"Bearer {token}"},
    )

    assert response.status_code == 400
    assert response.json()["code"] == "upload_refused"
    assert not Document.objects.exists()


def test_a_request_suspends_the_part_and_tells_the_client_and_a_closed_part_is_409(
    account, owner, owner_client
):
    token = access_token(account)
    call("put", token, f"/api/v1/backoffice/orders/{NUMBER}", order_body(owner))
    part_path = f"/api/v1/backoffice/orders/{NUMBER}/parts/1"
    for status in (OrderStatus.REGISTERED, OrderStatus.IN_PROGRESS):
        call("post", token, f"{part_path}/status", {"status": status})
    body = {"text": "Iesniedziet robežu plānu.", "items": [{"name": "Robežu plāns"}]}

    raised = call("post", token, f"{part_path}/requests", body)
    for status in (OrderStatus.IN_PROGRESS, OrderStatus.CANCELLED):
        call("post", token, f"{part_path}/status", {"status": status})
    closed = call("post", token, f"{part_path}/requests", body)

    assert raised.status_code == 201, raised.content
    assert raised.json()["part_status"] == OrderStatus.SUSPENDED
    request = Request.objects.get()
    assert request.raised_by_id == account.user_id
    assert list(request.items.values_list("name", flat=True)) == ["Robežu plāns"]
    assert Notification.objects.filter(client=owner_client, kind="request").exists()
    assert closed.status_code == 409
    assert closed.json()["code"] == "request_refused"
    assert Request.objects.count() == 1


def test_an_expired_access_token_is_401(account):
    token = access_token(account)
    ServiceAccessToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))

    response = call("put", token, f"/api/v1/backoffice/orders/{NUMBER}", {})

    assert response.status_code == 401
    assert response.json()["code"] == "token_invalid"


def test_a_service_account_has_its_rate_limit(account, settings, monkeypatch, owner, owner_client):
    settings.API_RATE_LIMIT = 2
    monkeypatch.setattr("api.auth.time.time", lambda: 1_800_000_030.0)
    token = access_token(account)
    path = f"/api/v1/backoffice/orders/{NUMBER}"

    answers = [call("put", token, path, order_body(owner)).status_code for _ in range(3)]

    assert answers == [201, 200, 429]
