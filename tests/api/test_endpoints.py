"""The client read endpoints: the same rows as the pages, the access matrix, and downloads under
the pages' paid-in-full rule."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.memberships import change_role, remove_user
from accounts.models import Membership
from api.models import ApiToken, Scope
from tests.api.helpers import api_get, make_token
from tests.factories import (
    DocumentFactory,
    EServiceFactory,
    InvoiceFactory,
    LegalClientFactory,
    MembershipFactory,
    OrderFactory,
    OrderPartFactory,
    PaymentFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(owner, owner_client, legal, legal_admin):
    """The owner's and the legal person's orders, e-services, invoices and files."""
    objects = {}
    for key, client in (("own", owner_client), ("legal", legal)):
        order = OrderFactory(client=client)
        part = OrderPartFactory(order=order, part_number=1)
        eservice = EServiceFactory(
            client=client, requested_by=legal_admin if key == "legal" else owner
        )
        eservice.orders.add(order)
        invoice = InvoiceFactory(order=order, client=client)
        document = DocumentFactory(order_part=part, direction="result")
        objects[key] = {
            "order": order,
            "part": part,
            "eservice": eservice,
            "invoice": invoice,
            "document": document,
        }
    return objects


def detail_urls(objects) -> dict[str, str]:
    return {
        "eservice": f"/api/v1/eservices/{objects['eservice'].pk}",
        "order": f"/api/v1/orders/{objects['order'].number}",
        "invoice": f"/api/v1/invoices/{objects['invoice'].number}",
        "document": f"/api/v1/documents/{objects['document'].pk}",
        "content": f"/api/v1/documents/{objects['document'].pk}/content",
    }


LISTS = ["/api/v1/eservices", "/api/v1/order-parts", "/api/v1/invoices", "/api/v1/documents"]


@pytest.mark.parametrize("what", ["eservice", "order", "invoice", "document", "content"])
def test_access_matrix_of_the_api(world, owner, owner_client, legal, legal_admin, colleague, what):
    own = make_token(owner_client, owner)
    legal_token = make_token(legal, legal_admin)
    other_legal = LegalClientFactory(registration_number="40103987655")
    other_admin = MembershipFactory(client=other_legal, role="admin").user
    other = make_token(other_legal, other_admin)
    read_less = make_token(owner_client, owner, scopes=[Scope.MESSAGES_WRITE])
    expired = make_token(owner_client, owner)
    revoked = make_token(owner_client, owner)
    ApiToken.objects.filter(prefix=expired.split("_")[1]).update(
        created_at=timezone.now() - timedelta(days=2), expires_at=timezone.now() - timedelta(days=1)
    )
    ApiToken.objects.filter(prefix=revoked.split("_")[1]).update(revoked_at=timezone.now())
    own_url = detail_urls(world["own"])[what]
    legal_url = detail_urls(world["legal"])[what]
    # The result of an unpaid order: found, but refused by the paid-in-full rule.
    found = 403 if what == "content" else 200

    cells = {
        "own token, own object": api_get(own, own_url).status_code,
        "own token, legal person's object": api_get(own, legal_url).status_code,
        "legal token, legal object": api_get(legal_token, legal_url).status_code,
        "legal token, owner's object": api_get(legal_token, own_url).status_code,
        "another legal person's token": api_get(other, legal_url).status_code,
        "no read scope": api_get(read_less, own_url).status_code,
        "expired": api_get(expired, own_url).status_code,
        "revoked": api_get(revoked, own_url).status_code,
        "none": api_get(None, own_url).status_code,
    }

    assert cells == {
        "own token, own object": found,
        "own token, legal person's object": 404,
        "legal token, legal object": found,
        "legal token, owner's object": 404,
        "another legal person's token": 404,
        "no read scope": 403,
        "expired": 401,
        "revoked": 401,
        "none": 401,
    }


@pytest.mark.parametrize("url", LISTS)
def test_lists_hold_only_the_tokens_clients_rows(world, owner, owner_client, url):
    token = make_token(owner_client, owner)

    body = api_get(token, url).json()

    assert body["count"] == 1
    assert len(body["items"]) == 1


def test_a_legal_persons_user_removed_loses_the_token_at_once(world, legal, legal_admin):
    second = MembershipFactory(client=legal, role="admin").user
    token = make_token(legal, second)
    assert api_get(token, "/api/v1/order-parts").status_code == 200

    remove_user(Membership.objects.get(client=legal, user=second), by=legal_admin)
    response = api_get(token, "/api/v1/order-parts")

    assert response.status_code == 401
    assert response.json()["code"] == "token_revoked"


def test_an_administrator_made_a_plain_user_loses_the_token_at_once(world, legal, legal_admin):
    second = MembershipFactory(client=legal, role="admin").user
    token = make_token(legal, second)

    change_role(Membership.objects.get(client=legal, user=second), "user", by=legal_admin)

    assert api_get(token, "/api/v1/order-parts").status_code == 401


def test_unpaid_result_download_is_403_unpaid_invoice_naming_it_with_the_pages_sentence(
    world, owner, owner_client, signed_in
):
    token = make_token(owner_client, owner)
    document, invoice = world["own"]["document"], world["own"]["invoice"]

    response = api_get(token, f"/api/v1/documents/{document.pk}/content")
    english = api_get(
        token, f"/api/v1/documents/{document.pk}/content", headers={"Accept-Language": "en"}
    )
    page = signed_in(owner).get(f"/mans-konts/datnes/{document.pk}/")

    assert response.status_code == 403
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["code"] == "unpaid_invoice"
    assert body["invoices"] == [invoice.number]
    assert body["detail"] == (
        "Rezultātu varēs lejupielādēt, kad pasūtījums būs apmaksāts pilnā apmērā. "
        f"Apmaksājiet rēķinu {invoice.number}."
    )
    assert page.status_code == 403
    assert body["detail"].split(" Apmaksājiet")[0] in page.content.decode()
    assert english.json()["detail"].startswith(
        "You can download the result once the order is paid in full."
    )
    assert english.json()["code"] == "unpaid_invoice"


def test_paid_result_downloads_the_file(world, owner, owner_client):
    token = make_token(owner_client, owner)
    invoice = world["own"]["invoice"]
    PaymentFactory(invoice=invoice, amount=invoice.total)
    document = world["own"]["document"]

    response = api_get(token, f"/api/v1/documents/{document.pk}/content")

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4\n%%EOF\n"
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Cache-Control"] == "private, no-store"
    assert "izdruka.pdf" in response["Content-Disposition"]


def test_order_detail_has_parts_status_history_planned_dates_and_payment(
    world, owner, owner_client
):
    token = make_token(owner_client, owner)
    part = world["own"]["part"]
    part.planned_completion_date = timezone.localdate() + timedelta(days=5)
    part.save()

    body = api_get(token, f"/api/v1/orders/{world['own']['order'].number}").json()

    assert body["number"] == world["own"]["order"].number
    assert [p["part_number"] for p in body["parts"]] == [1]
    assert body["parts"][0]["planned_completion_date"] == part.planned_completion_date.isoformat()
    assert body["parts"][0]["results_downloadable"] is False
    assert body["payment"]["paid_in_full"] is False
    assert body["payment"]["unpaid_invoices"] == [world["own"]["invoice"].number]
    assert body["invoices"] == [world["own"]["invoice"].number]
    assert body["eservice_ids"] == [world["own"]["eservice"].pk]
    assert isinstance(body["parts"][0]["status_history"], list)
