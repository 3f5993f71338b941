"""E-services through the back-office API: a status change through change_eservice_status (the
client told as by the admin's status action, an illegal one 409 with its reason) and results
attached as the admin's result inline attaches them; audited under the service account's user,
scopes checked, a replay done once."""

from __future__ import annotations

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client as HttpClient
from django.urls import reverse

from api.models import BackOfficeScope
from documents.models import Document
from eservices.models import EService, EServiceStatus, EServiceStatusChange
from notifications.models import Notification
from tests.api.backoffice import access_token, call, make_account
from tests.api.helpers import api_get, make_token
from tests.documents import samples
from tests.documents.test_admin import inline_post
from tests.factories import EServiceFactory, OrderFactory, own_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def twins(owner, owner_client):
    return [EServiceFactory(client=owner_client, requested_by=owner) for _ in range(2)]


def told(eservice) -> list[tuple]:
    """What the client was told about this e-service, its number written as N."""
    return [
        (n.kind, n.recipient_id, n.subject.replace(str(eservice.pk), "N"),
         n.body.replace(str(eservice.pk), "N"), n.link.replace(str(eservice.pk), "N"))
        for n in Notification.objects.order_by("pk")
        if str(eservice.pk) in n.subject + n.link
    ]  # fmt: skip


def test_a_status_change_is_the_admins_status_action(account, token, clerk, twins):
    by_api, by_admin = twins
    admin = HttpClient()
    admin.force_login(clerk)

    page = admin.post(
        reverse("admin:eservices_eservice_changelist"),
        {
            "action": "change_status",
            "_selected_action": [by_admin.pk],
            "apply": "1",
            "new_status": EServiceStatus.COMPLETED,
        },
    )
    response = call(
        "post", token, f"/api/v1/backoffice/eservices/{by_api.pk}/status", {"status": "completed"}
    )

    assert page.status_code == 302
    assert response.status_code == 200, response.content
    assert response.json()["status"] == EServiceStatus.COMPLETED
    assert response.json()["received_at"] is not None
    for eservice in twins:
        eservice.refresh_from_db()
        assert eservice.status == EServiceStatus.COMPLETED
    assert told(by_api) == told(by_admin) != []
    change = EServiceStatusChange.objects.get(eservice=by_api)
    assert change.changed_by_id == account.user_id
    entry = LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(EService), object_id=by_api.pk
    ).latest("pk")
    assert (entry.action, entry.actor_id) == (LogEntry.Action.UPDATE, account.user_id)


def test_a_change_the_workflow_refuses_is_409_with_its_reason(token, owner, owner_client):
    eservice = EServiceFactory(
        client=owner_client, requested_by=owner, status=EServiceStatus.COMPLETED
    )

    response = call(
        "post",
        token,
        f"/api/v1/backoffice/eservices/{eservice.pk}/status",
        {"status": "processing"},
    )

    assert response.status_code == 409
    assert response.json()["code"] == "illegal_transition"
    assert response.json()["detail"] == (
        "Statusu „Izpildīts” nevar mainīt uz „Apstrādē”. Tas ir gala statuss, to vairs nevar mainīt."
    )
    assert not EServiceStatusChange.objects.exists()


def test_a_replayed_status_change_changes_once(token, twins):
    path = f"/api/v1/backoffice/eservices/{twins[0].pk}/status"

    first = call("post", token, path, {"status": "processing"}, key="st-1")
    again = call("post", token, path, {"status": "processing"}, key="st-1")

    assert (first.status_code, again.status_code) == (200, 200)
    assert again["Idempotent-Replayed"] == "true"
    assert EServiceStatusChange.objects.count() == 1


def test_a_result_is_attached_as_the_admins_result_inline_attaches_it(account, token, clerk, twins):
    by_api, by_admin = twins
    admin = HttpClient()
    admin.force_login(clerk)
    data = {
        "client": by_admin.client_id,
        "requested_by": by_admin.requested_by_id,
        "service": by_admin.service_id,
        "object_code": by_admin.object_code,
        "received_at_0": "",
        "received_at_1": "",
        "new_status": "",
        "status_changes-TOTAL_FORMS": "0",
        "status_changes-INITIAL_FORMS": "0",
        "status_changes-MIN_NUM_FORMS": "0",
        "status_changes-MAX_NUM_FORMS": "1000",
        "_save": "Saglabāt",
    }
    data = inline_post(
        data, "documents", "documents-2", SimpleUploadedFile("karte.png", samples.PNG)
    )

    page = admin.post(reverse("admin:eservices_eservice_change", args=[by_admin.pk]), data)
    response = HttpClient().post(
        f"/api/v1/backoffice/eservices/{by_api.pk}/results",
        {"files": [samples.upload("karte.png", samples.PNG)]},
        headers={"Authorization": f"Bearer {token}"},
    )

    assert page.status_code == 302
    assert response.status_code == 201, response.content
    [item] = response.json()["items"]
    assert (item["eservice_id"], item["direction"], item["name"]) == (
        by_api.pk,
        "result",
        "karte.png",
    )
    document = Document.objects.get(eservice=by_api)
    assert document.uploaded_by_id == account.user_id
    assert told(by_api) == told(by_admin) != []
    entry = LogEntry.objects.get(
        content_type=ContentType.objects.get_for_model(Document), object_id=document.pk
    )
    assert entry.actor_id == account.user_id


def test_a_bad_result_file_is_refused_and_nothing_stored(token, twins):
    response = HttpClient().post(
        f"/api/v1/backoffice/eservices/{twins[0].pk}/results",
        {"files": [samples.upload("a.pdf", samples.PDF), samples.upload("b.pdf", samples.HTML)]},
        headers={"Authorization": f"Bearer {token}"},
    )

    assert response.status_code == 400
    assert response.json()["code"] == "upload_refused"
    assert not Document.objects.exists()


def test_scopes_and_another_token_kind(superuser, owner, owner_client, twins):
    eservice = twins[0]
    orders_only = access_token(make_account(superuser, [BackOfficeScope.ORDERS_WRITE], "A"))
    results_only = access_token(make_account(superuser, [BackOfficeScope.RESULTS_WRITE], "B"))
    clients = make_token(owner_client, owner)
    status_path = f"/api/v1/backoffice/eservices/{eservice.pk}/status"

    status = call("post", results_only, status_path, {"status": "processing"})
    result = HttpClient().post(
        f"/api/v1/backoffice/eservices/{eservice.pk}/results",
        {"files": [samples.upload("a.pdf", samples.PDF)]},
        headers={"Authorization": f"Bearer {orders_only}"},
    )
    with_clients = call("post", clients, status_path, {"status": "processing"})
    unknown = call(
        "post", orders_only, "/api/v1/backoffice/eservices/999999/status", {"status": "processing"}
    )

    assert (status.status_code, status.json()["scope"]) == (403, "orders:write")
    assert result.status_code == 403
    assert with_clients.status_code == 401
    assert unknown.status_code == 404
    assert not Document.objects.exists()
    assert not EServiceStatusChange.objects.exists()


# --- registering an e-service (the admin's „Pievienot e-pakalpojumu”) ------------------------------
def registration(owner, **values):
    return {
        "client": {"personal_code": owner.personal_code},
        "requested_by": {"personal_code": owner.personal_code},
        "service": "kadastra-info-ipasums",
        "object_code": "13000263302",
        **values,
    }


def test_an_e_service_is_registered_once_and_edited_by_its_external_id(
    account, token, owner, owner_client
):
    order = OrderFactory(client=owner_client, number="2026-7600001")
    path = "/api/v1/backoffice/eservices/external/LS-2026-17"
    entries = LogEntry.objects.filter(content_type=ContentType.objects.get_for_model(EService))

    created = call("put", token, path, registration(owner, orders=[order.number]))
    count_after_create = entries.count()
    again = call("put", token, path, registration(owner, orders=[order.number]))
    count_after_again = entries.count()
    edited = call("put", token, path, registration(owner, object_code="13000263303"))

    assert (created.status_code, again.status_code, edited.status_code) == (201, 200, 200)
    eservice = EService.objects.get()
    assert created.json()["id"] == eservice.pk
    assert (eservice.external_id, eservice.client_id, eservice.requested_by_id) == (
        "LS-2026-17",
        owner_client.pk,
        owner.pk,
    )
    assert eservice.object_code == "13000263303"
    assert list(eservice.orders.all()) == []  # the edit named none
    assert count_after_again == count_after_create  # the same call again wrote nothing
    assert [e.actor_id for e in entries.order_by("pk")][-1] == account.user_id
    seen = api_get(make_token(owner_client, owner), f"/api/v1/eservices/{eservice.pk}")
    assert seen.status_code == 200


def test_an_e_service_linked_to_another_clients_order_is_refused_in_the_forms_words(
    token, owner, owner_client, outsider
):
    foreign = OrderFactory(client=own_client(outsider), number="2026-7600002")

    response = call(
        "put",
        token,
        "/api/v1/backoffice/eservices/external/LS-1",
        registration(owner, orders=[foreign.number]),
    )

    assert response.status_code == 400
    assert response.json()["errors"]["orders"] == [
        "Saistīt var tikai šī paša klienta pasūtījumus; cita klienta: 2026-7600002."
    ]
    assert not EService.objects.exists()


def test_another_client_or_a_stranger_as_the_requester_is_refused(
    token, owner, owner_client, outsider
):
    path = "/api/v1/backoffice/eservices/external/LS-2"
    call("put", token, path, registration(owner))
    own_client(outsider)

    moved = call(
        "put",
        token,
        path,
        {**registration(outsider), "requested_by": None},
    )
    stranger = call(
        "put",
        token,
        "/api/v1/backoffice/eservices/external/LS-3",
        registration(owner, requested_by={"personal_code": outsider.personal_code}),
    )

    assert moved.status_code == 409
    assert moved.json()["code"] == "client_differs"
    assert EService.objects.get().client_id == owner_client.pk
    assert stranger.status_code == 400
    assert stranger.json()["code"] == "unknown_person"


def test_registering_needs_orders_write(superuser, owner, owner_client):
    results_only = access_token(make_account(superuser, [BackOfficeScope.RESULTS_WRITE], "R"))
    path = "/api/v1/backoffice/eservices/external/LS-4"

    refused = call("put", results_only, path, registration(owner))
    clients = call("put", make_token(owner_client, owner), path, registration(owner))

    assert refused.status_code == 403
    assert clients.status_code == 401
    assert not EService.objects.exists()
