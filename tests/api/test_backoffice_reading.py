"""What the case system reads through the back-office API, as a clerk reads it in the admin: an
order's and an e-service's files (downloaded without the client's payment rule), a
conversation with its attachments (reading marks nothing read), the desk's queues of requests
oldest first; each under its scope."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client as HttpClient

from api.models import BackOfficeScope
from conversations import services as conversations
from conversations.models import Message
from documents.models import Document
from manskonts.validation import validate_upload
from orders.workflow import OrderStatus
from requisitions import services as requisitions
from requisitions.services import ItemSpec
from tests.api.backoffice import access_token, call, make_account
from tests.documents import samples
from tests.factories import (
    DocumentFactory,
    EServiceFactory,
    InvoiceFactory,
    OrderFactory,
    OrderPartFactory,
)

pytestmark = pytest.mark.django_db


def download(token, url):
    response = HttpClient().get(url, headers={"Authorization": f"Bearer {token}"})
    return response.status_code, b"".join(getattr(response, "streaming_content", [b""]))


def test_an_orders_parts_and_files_are_read_and_an_unpaid_result_downloaded(token, owner_client):
    order = OrderFactory(client=owner_client, number="2026-7500001")
    part = OrderPartFactory(order=order, part_number=1, status=OrderStatus.ISSUING)
    InvoiceFactory(order=order, client=owner_client)  # unpaid: the client may not download yet
    submitted = DocumentFactory(order_part=part, direction=Document.Direction.SUBMITTED)
    result = DocumentFactory(order_part=part, direction=Document.Direction.RESULT)

    response = call("get", token, "/api/v1/backoffice/orders/2026-7500001")
    body = response.json()

    assert response.status_code == 200
    assert [(p["part_number"], p["status"]) for p in body["parts"]] == [(1, "issuing")]
    assert [(d["id"], d["direction"], d["part_number"]) for d in body["documents"]] == [
        (submitted.pk, "submitted", 1),
        (result.pk, "result", 1),
    ]
    status, content = download(token, body["documents"][1]["download_url"])
    assert status == 200
    assert content == result.file.open("rb").read()


def test_an_e_services_files_are_read(token, owner, owner_client):
    eservice = EServiceFactory(client=owner_client, requested_by=owner)
    document = DocumentFactory(eservice=eservice, direction=Document.Direction.SUBMITTED)

    response = call("get", token, f"/api/v1/backoffice/eservices/{eservice.pk}")

    assert response.status_code == 200
    assert response.json()["requested_by_id"] == owner.pk
    assert [d["id"] for d in response.json()["documents"]] == [document.pk]


def test_a_conversation_is_read_with_its_attachment_and_stays_unread(token, owner, owner_client):
    order = OrderFactory(client=owner_client, number="2026-7500001")
    plan = validate_upload(samples.upload("plans.pdf", samples.PDF))
    conversations.post_message(
        order, by=owner, text="Pielikumā plāns.", from_staff=False, files=[plan]
    )

    response = call("get", token, "/api/v1/backoffice/orders/2026-7500001/messages")
    [message] = response.json()["items"]
    [attachment] = message["attachments"]

    assert response.status_code == 200
    assert response.json()["status"] == "waiting"
    assert (message["from_vzd"], message["text"]) == (False, "Pielikumā plāns.")
    assert download(token, attachment["download_url"]) == (200, samples.PDF)
    assert Message.objects.get().read_at is None  # a reply reads it, as in the admin


def test_an_e_service_nobody_wrote_about_has_an_empty_conversation(token, owner, owner_client):
    eservice = EServiceFactory(client=owner_client, requested_by=owner)

    response = call("get", token, f"/api/v1/backoffice/eservices/{eservice.pk}/messages")

    assert response.status_code == 200
    assert response.json() == {
        "thread_id": None,
        "status": None,
        "waiting_since": None,
        "items": [],
    }


def test_the_answered_queue_lists_the_longest_waiting_first(superuser, token, owner, owner_client):
    answered = []
    for number in ("2026-7500001", "2026-7500002"):
        part = OrderPartFactory(
            order=OrderFactory(client=owner_client, number=number),
            part_number=1,
            status=OrderStatus.IN_PROGRESS,
        )
        request = requisitions.raise_request(
            part, [ItemSpec("Plāns", "information")], "Plāns.", by=superuser
        )
        requisitions.save_draft(request, by=owner, texts={request.items.get().pk: "Ir."})
        requisitions.submit_answer(request, by=owner)
        answered.append(request)
    still_open = requisitions.raise_request(
        EServiceFactory(client=owner_client, requested_by=owner),
        [ItemSpec("Plāns")],
        "Plāns.",
        by=superuser,
    )
    requisitions.expire_due(still_open.deadline + timedelta(days=1))

    queue = call("get", token, "/api/v1/backoffice/requests?state=answered&limit=1").json()
    expired = call("get", token, "/api/v1/backoffice/requests?state=expired").json()

    assert queue["count"] == 2
    assert [(r["id"], r["order_number"]) for r in queue["items"]] == [
        (answered[0].pk, "2026-7500001")
    ]
    assert [(r["id"], r["eservice_id"]) for r in expired["items"]] == [
        (still_open.pk, still_open.eservice_id)
    ]


def test_each_reading_needs_its_scope(superuser, owner, owner_client):
    order = OrderFactory(client=owner_client, number="2026-7500001")
    document = DocumentFactory(order_part=OrderPartFactory(order=order, part_number=1))
    payments_only = access_token(make_account(superuser, [BackOfficeScope.PAYMENTS_WRITE], "M"))

    answers = [
        call("get", payments_only, path).status_code
        for path in (
            "/api/v1/backoffice/orders/2026-7500001",
            "/api/v1/backoffice/orders/2026-7500001/messages",
            f"/api/v1/backoffice/documents/{document.pk}/content",
            "/api/v1/backoffice/requests",
        )
    ]

    assert answers == [403, 403, 403, 403]


def test_a_deleted_file_is_410(token, owner_client):
    document = DocumentFactory(
        order_part=OrderPartFactory(order=OrderFactory(client=owner_client)),
    )
    Document.objects.filter(pk=document.pk).update(deleted_at=document.uploaded_at)

    response = call("get", token, f"/api/v1/backoffice/documents/{document.pk}/content")

    assert response.status_code == 410
    assert response.json()["code"] == "file_deleted"
