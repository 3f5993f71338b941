"""The whole of an order worked through the back-office API alone, as VZD's case system would:
the order upserted twice, a request raised, the client's answer (the portal's own function)
read and accepted, a reply in the conversation, the statuses through to issuing, a result
attached, the invoice issued and paid; then the client downloads the result through the client
API. Every write is the service account's in the audit trail."""

from __future__ import annotations

import pytest
from auditlog.models import LogEntry
from django.test import Client as HttpClient

from manskonts.validation import validate_upload
from notifications.models import Notification
from orders.models import OrderPart
from orders.workflow import OrderStatus
from requisitions import services as requisitions
from requisitions.models import Request
from requisitions.workflow import RequestState
from tests.api.backoffice import access_token, call, make_account
from tests.api.helpers import api_get, make_token
from tests.documents import samples
from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db

NUMBER = "2026-7400001"
BASE = "/api/v1/backoffice"


def test_the_case_system_works_an_order_from_upsert_to_the_clients_download(owner, owner_client):
    account = make_account(StaffFactory(is_superuser=True))
    token = access_token(account)
    order = {
        "client": {"personal_code": owner.personal_code},
        "channel": "in_person",
        "parts": [
            {"part_number": 1, "service": "kadastra-info-ipasums", "object_code": "13000263302"}
        ],
    }
    part_path = f"{BASE}/orders/{NUMBER}/parts/1"

    def status(value):
        return call("post", token, f"{part_path}/status", {"status": value}).status_code

    created = call("put", token, f"{BASE}/orders/{NUMBER}", order)
    again = call("put", token, f"{BASE}/orders/{NUMBER}", order)
    started = [status(OrderStatus.REGISTERED), status(OrderStatus.IN_PROGRESS)]
    raised = call(
        "post",
        token,
        f"{part_path}/requests",
        {"text": "Iesniedziet robežu plānu.", "items": [{"name": "Robežu plāns"}]},
    )
    request = Request.objects.get(pk=raised.json()["id"])
    suspended = OrderPart.objects.get(order__number=NUMBER).status
    # The client answers on the portal (its own functions: the draft, then the answer).
    item = request.items.get()
    plan = validate_upload(samples.upload("plans.pdf", samples.PDF))
    requisitions.save_draft(request, by=owner, files={item.pk: [plan]})
    requisitions.submit_answer(request, by=owner)
    read = call("get", token, f"{BASE}/requests/{request.pk}")
    [answer] = read.json()["answers"]
    [file] = answer["items"][0]["files"]
    plan_bytes = HttpClient().get(
        file["download_url"], headers={"Authorization": f"Bearer {token}"}
    )
    accepted = call("post", token, f"{BASE}/requests/{request.pk}/accept")
    reply = call(
        "post", token, f"{BASE}/orders/{NUMBER}/messages", {"text": "Plāns pieņemts, paldies."}
    )
    issuing = status(OrderStatus.ISSUING)
    result = HttpClient().post(
        f"{part_path}/results",
        {"files": [samples.upload("izziņa.pdf", samples.PDF)]},
        headers={"Authorization": f"Bearer {token}"},
    )
    invoice = call(
        "put",
        token,
        f"{BASE}/invoices/R2026-740001",
        {"order": NUMBER, "kind": "final", "due_on": "2026-12-31", "total": "12.10"},
    )
    paid = call(
        "post",
        token,
        f"{BASE}/invoices/R2026-740001/payments",
        {"amount": "12.10", "paid_on": "2026-12-01", "reference": "VK-74"},
    )
    client_token = make_token(owner_client, owner)
    document_id = result.json()["items"][0]["id"]
    download = api_get(client_token, f"/api/v1/documents/{document_id}/content")
    seen = api_get(client_token, f"/api/v1/orders/{NUMBER}").json()

    assert (created.status_code, again.status_code) == (201, 200)
    assert started == [200, 200]
    assert raised.status_code == 201
    assert suspended == OrderStatus.SUSPENDED
    assert read.json()["state"] == RequestState.ANSWERED
    assert b"".join(plan_bytes.streaming_content) == samples.PDF
    assert accepted.status_code == 200
    assert accepted.json()["part_status"] == OrderStatus.IN_PROGRESS
    assert reply.status_code == 201
    assert issuing == 200
    assert (result.status_code, invoice.status_code, paid.status_code) == (201, 201, 201)
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == samples.PDF
    assert seen["parts"][0]["status"] == OrderStatus.ISSUING
    kinds = list(
        Notification.objects.filter(client=owner_client)
        .order_by("pk")
        .values_list("kind", flat=True)
    )
    assert kinds == [
        "status",  # registered
        "status",  # in progress
        "status",  # suspended by the request
        "request",
        "status",  # resumed on acceptance
        "request",  # accepted
        "message",
        "status",  # issuing
        "result",
        "invoice",
        "payment",
    ]
    written = LogEntry.objects.filter(actor=account.user)
    for model in ("order", "orderpart", "request", "message", "document", "invoice", "payment"):
        assert written.filter(content_type__model=model).exists(), model
