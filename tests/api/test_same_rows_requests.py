"""/api/v1/requests and the client's pages give the same requests in the same order for the same
client: an order's and an e-service's requests as their pages' blocks list them (newest first),
the ones awaiting the answer as the overview's box "Jums jārīkojas" (by deadline, its count), and
/api/v1/threads as the conversations there are; each list in a fixed number of queries."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from conversations.services import post_message
from orders.workflow import OrderStatus
from requisitions import services
from requisitions.services import ItemSpec
from tests.api.helpers import api_get, make_token
from tests.factories import EServiceFactory, LegalClientFactory, OrderFactory, OrderPartFactory

pytestmark = pytest.mark.django_db

ITEMS = [ItemSpec("Zemes robežu plāns")]


def request_ids(html: str) -> list[int]:
    """The requests a page shows, in its order (each block's section id)."""
    return [int(n) for n in re.findall(r'id="pieprasijums-(\d+)"', html)]


def box_ids(html: str) -> list[int]:
    box = html[html.index('data-testid="action-needed"') :]
    box = box[: box.index("</ul>")]
    return [int(n) for n in re.findall(r"/mans-konts/pieprasijumi/(\d+)/", box)]


def api_ids(token, query: str) -> list[int]:
    ids, cursor = [], ""
    for _ in range(20):
        response = api_get(
            token, f"/api/v1/requests?limit=3&{query}" + (f"&cursor={cursor}" if cursor else "")
        )
        assert response.status_code == 200, response.content
        ids += [r["id"] for r in response.json()["items"]]
        cursor = response.json()["next_cursor"]
        if not cursor:
            return ids
    raise AssertionError("too many pages")


@pytest.fixture
def world(legal, legal_admin, clerk):
    """A legal person's order part and e-service with requests in several states, deadlines in
    another order than raising, and another client's requests beside them."""
    order = OrderFactory(client=legal, number="2026-0005001")
    part = OrderPartFactory(
        order=order, client=legal, part_number=1, status=OrderStatus.IN_PROGRESS
    )
    eservice = EServiceFactory(client=legal)
    today = timezone.localdate()
    raised = []
    for n in range(8):
        target = part if n % 2 else eservice
        raised.append(
            services.raise_request(
                target,
                ITEMS,
                f"Pieprasījums {n}",
                by=clerk,
                deadline=today + timedelta(days=30 - n * 3),
            )
        )
    services.withdraw(raised[0], by=clerk)
    services.withdraw(raised[3], by=clerk)
    other = LegalClientFactory(registration_number="40103987655")
    services.raise_request(EServiceFactory(client=other), ITEMS, "Svešs.", by=clerk)
    return {"order": order, "eservice": eservice}


def test_an_orders_and_an_e_services_requests_are_those_of_their_pages(
    world, legal, legal_admin, signed_in
):
    http = signed_in(legal_admin, legal)
    token = make_token(legal, legal_admin)
    order_page = http.get(reverse("orders:detail", args=[world["order"].number]))
    eservice_page = http.get(reverse("eservices:detail", args=[world["eservice"].pk]))

    assert api_ids(token, "order=2026-0005001") == request_ids(order_page.content.decode())
    assert api_ids(token, f"eservice={world['eservice'].pk}") == request_ids(
        eservice_page.content.decode()
    )
    assert len(api_ids(token, "")) == 8


def test_the_open_requests_by_deadline_are_the_overviews_box(world, legal, legal_admin, signed_in):
    http = signed_in(legal_admin, legal)
    token = make_token(legal, legal_admin)
    html = http.get(reverse("overview")).content.decode()

    body = api_get(token, "/api/v1/requests?open=true&sort=deadline&limit=5").json()

    assert [r["id"] for r in body["items"]] == box_ids(html)
    assert f"VZD gaida Jūsu atbildi uz {body['count']} pieprasījumiem." in html
    assert body["count"] == 6


def test_the_requests_list_costs_the_same_queries_for_1_and_30_rows(owner, owner_client, clerk):
    token = make_token(owner_client, owner)
    eservice = EServiceFactory(client=owner_client)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert api_get(token, "/api/v1/requests?limit=50").status_code == 200
        return len(captured)

    first = services.raise_request(eservice, ITEMS, "Viens.", by=clerk)
    services.save_draft(first, by=owner, message="x")  # a draft each: its prefetch runs in both
    queries()  # the first use records last_used_at (one write a minute)
    one = queries()
    for n in range(29):
        req = services.raise_request(EServiceFactory(client=owner_client), ITEMS, f"{n}", by=clerk)
        services.save_draft(req, by=owner, message="x")
    many = queries()

    assert many == one


def test_the_threads_list_costs_the_same_queries_for_1_and_30_rows(owner, owner_client):
    token = make_token(owner_client, owner)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert api_get(token, "/api/v1/threads?limit=50").status_code == 200
        return len(captured)

    post_message(EServiceFactory(client=owner_client), by=owner, text="x", from_staff=False)
    queries()
    one = queries()
    for _ in range(29):
        post_message(EServiceFactory(client=owner_client), by=owner, text="x", from_staff=False)
    many = queries()

    assert many == one
