"""Each list endpoint and its page give the same rows, in the same order, for the same filters and
sort, page after page: the same FilterSet, sort whitelist and keyset cursor (the page's cursor
works in the API). And a list costs a fixed number of queries, whatever the number of rows."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from eservices.models import EServiceStatus
from orders.models import Service
from orders.workflow import OrderStatus
from tests.api.helpers import api_get, make_token
from tests.factories import (
    DocumentFactory,
    EServiceFactory,
    InvoiceFactory,
    OrderFactory,
    OrderPartFactory,
    PaymentFactory,
)

pytestmark = pytest.mark.django_db


def page_and_api(http, token, page_url, api_url, query, key_of_row, key_of_item):
    """Both lists walked page by page with the page's own cursors; their keys, page by page."""
    pages, items = [], []
    cursor = ""
    for _ in range(10):
        page = http.get(page_url + "?" + query + (f"&cursor={cursor}" if cursor else ""))
        assert page.status_code == 200
        assert not page.context["list"].notices
        rows = page.context["page"].rows
        pages.append([key_of_row(r) for r in rows])
        body = api_get(token, api_url + "?" + query + (f"&cursor={cursor}" if cursor else ""))
        assert body.status_code == 200, body.content
        items.append([key_of_item(i) for i in body.json()["items"]])
        assert body.json()["count"] == page.context["page"].count
        cursor = page.context["page"].next_cursor
        # The same position (signed again, so the signature's time differs).
        assert (body.json()["next_cursor"] or "").split(":")[0] == (cursor or "").split(":")[0]
        if not cursor:
            break
    return pages, items


@pytest.fixture
def eservices(legal, legal_admin, colleague):
    services = list(Service.objects.order_by("code")[:3])
    statuses = [s for s, _label in EServiceStatus.choices]
    now = timezone.now()
    for n in range(45):
        EServiceFactory(
            client=legal,
            requested_by=legal_admin if n % 2 else colleague,
            service=services[n % 3],
            status=statuses[n % len(statuses)],
            created_at=now - timedelta(days=n * 3, hours=n),
            received_at=now - timedelta(days=n) if n % 4 == 0 else None,
            label=f"Lieta {n:02d}" if n % 5 else None,
        )
    return services


@pytest.mark.parametrize(
    "query",
    [
        "sort=-created",
        "sort=created",
        "sort=service",
        "sort=-status",
        "sort=changed",
        "sort=label",
        "sort=-order",
        "sort=id&label=lieta 1",
        "sort=-created&created_from={month_ago}",
        "sort=status&user={admin}",
        "sort=-created&period=this_year",
    ],
)
def test_eservice_list_and_page_give_the_same_rows(eservices, legal, legal_admin, signed_in, query):
    token = make_token(legal, legal_admin)
    http = signed_in(legal_admin, legal)
    query = query.format(
        month_ago=(timezone.localdate() - timedelta(days=30)).isoformat(), admin=legal_admin.pk
    )

    pages, items = page_and_api(
        http,
        token,
        "/mans-konts/e-pakalpojumi/",
        "/api/v1/eservices",
        query,
        lambda r: r.pk,
        lambda i: i["id"],
    )

    assert items == pages
    assert sum(map(len, pages)) > 0


@pytest.fixture
def order_parts(owner_client):
    statuses = [s for s, _label in OrderStatus.choices]
    now = timezone.now()
    for n in range(14):
        order = OrderFactory(client=owner_client, number=f"2026-{n:07d}")
        for part_number in (1, 2, 3):
            OrderPartFactory(
                order=order,
                part_number=part_number,
                status=statuses[(n + part_number) % len(statuses)],
                created_at=now - timedelta(days=n, hours=part_number),
                object_code=f"1300026{n:02d}0{part_number}",
            )


@pytest.mark.parametrize(
    "query",
    [
        "sort=-created",
        "sort=number",
        "sort=-part",
        "sort=status",
        "sort=-created&status=in_progress",
        "sort=number&number=2026-000001",
        "sort=created&object=1300 0260 5",
    ],
)
def test_order_part_list_and_page_give_the_same_rows(
    order_parts, owner, owner_client, signed_in, query
):
    token = make_token(owner_client, owner)
    http = signed_in(owner)

    pages, items = page_and_api(
        http,
        token,
        "/mans-konts/pasutijumi/",
        "/api/v1/order-parts",
        query,
        lambda r: (r.order.number, r.part_number),
        lambda i: (i["order_number"], i["part_number"]),
    )

    assert items == pages
    assert sum(map(len, pages)) > 0


@pytest.fixture
def invoices(owner_client):
    today = timezone.localdate()
    for n in range(30):
        invoice = InvoiceFactory(
            order=OrderFactory(client=owner_client),
            client=owner_client,
            issued_on=today - timedelta(days=n),
            due_on=today + timedelta(days=10 - n),
            amount_net=Decimal("10.00") + n,
            vat_amount=Decimal("2.10"),
            total=Decimal("12.10") + n,
        )
        if n % 3 == 0:
            PaymentFactory(invoice=invoice, amount=invoice.total)


@pytest.mark.parametrize(
    "query",
    ["sort=-date", "sort=due", "sort=-due&state=unpaid", "sort=date&state=paid", "state=overdue"],
)
def test_invoice_list_and_page_give_the_same_rows(invoices, owner, owner_client, signed_in, query):
    token = make_token(owner_client, owner)
    http = signed_in(owner)

    pages, items = page_and_api(
        http,
        token,
        "/mans-konts/rekini/",
        "/api/v1/invoices",
        query,
        lambda r: r.number,
        lambda i: i["number"],
    )

    assert items == pages
    assert sum(map(len, pages)) > 0


@pytest.mark.parametrize(
    "url", ["/api/v1/eservices", "/api/v1/order-parts", "/api/v1/invoices", "/api/v1/documents"]
)
def test_a_list_costs_the_same_queries_for_1_and_40_rows(owner, owner_client, url):
    token = make_token(owner_client, owner)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert api_get(token, url + "?limit=50").status_code == 200
        return len(captured)

    def add(n):
        for _ in range(n):
            order = OrderFactory(client=owner_client)
            part = OrderPartFactory(order=order, part_number=1)
            EServiceFactory(client=owner_client).orders.add(order)
            InvoiceFactory(order=order, client=owner_client)
            DocumentFactory(order_part=part)

    add(1)
    queries()  # the first use records last_used_at (one write a minute)
    one = queries()
    add(39)
    many = queries()

    assert many == one
    assert one <= 8
