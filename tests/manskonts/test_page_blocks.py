"""The core's page blocks: a higher app's block shows on the overview, the order page (the order
and each part) and the e-service page, only for the objects it loads, with one read per page."""

from __future__ import annotations

import pytest
from django.db import connection
from django.template import Template
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from manskonts import page_blocks
from manskonts.page_blocks import PageBlock
from orders.models import OrderPart
from tests.factories import EServiceFactory, OrderFactory, OrderPartFactory


@pytest.fixture
def blocks():
    loads = []

    def load_parts(request, parts):
        loads.append(len(parts))
        # one query for all parts, whatever their number
        numbers = dict(
            OrderPart.objects.filter(pk__in=[p.pk for p in parts]).values_list("pk", "part_number")
        )
        return {pk: {"n": n} for pk, n in numbers.items() if n != 2}

    registered = [
        PageBlock(
            "t-overview",
            "overview",
            Template("<p>OVERVIEW {{ client_name }}</p>"),
            lambda request, clients: {clients[0].pk: {"client_name": clients[0].name}},
        ),
        PageBlock(
            "t-order",
            "order_detail",
            Template("<p>ORDER {{ number }}</p>"),
            lambda request, orders: {o.pk: {"number": o.number} for o in orders},
        ),
        PageBlock(
            "t-part",
            "order_part",
            Template("<p>PART {{ n }} of {{ order.number }}</p>"),
            load_parts,
        ),
        PageBlock(
            "t-eservice",
            "eservice_detail",
            Template("<p>ESERVICE {{ id }}</p>"),
            lambda request, eservices: {e.pk: {"id": e.pk} for e in eservices},
        ),
    ]
    for block in registered:
        page_blocks.register(block)
    yield loads
    for block in registered:
        page_blocks.unregister(block.key)


def test_an_unknown_slot_is_refused():
    with pytest.raises(ValueError):
        page_blocks.register(PageBlock("x", "nowhere", "x.html", lambda r, o: {}))


@pytest.mark.django_db
def test_blocks_show_on_their_pages(blocks, owner, owner_client, signed_in):
    http = signed_in(owner)
    order = OrderFactory(client=owner_client, number="2026-0000101")
    for n in (1, 2, 3):
        OrderPartFactory(order=order, client=owner_client, part_number=n)
    eservice = EServiceFactory(client=owner_client)

    overview = http.get(reverse("overview")).content.decode()
    detail = http.get(reverse("orders:detail", args=[order.number])).content.decode()
    es_page = http.get(reverse("eservices:detail", args=[eservice.pk])).content.decode()

    assert f"OVERVIEW {owner_client.name}" in overview
    assert "ORDER 2026-0000101" in detail
    assert "PART 1 of 2026-0000101" in detail and "PART 3 of 2026-0000101" in detail
    assert "PART 2" not in detail  # left out by its load: nothing shown
    assert blocks == [3]  # the parts' block loaded once, for all three
    assert f"ESERVICE {eservice.pk}" in es_page


def count(http, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert http.get(url).status_code == 200
    return len(queries)


@pytest.mark.django_db
def test_the_order_page_reads_a_block_once_however_many_parts(
    blocks, owner, owner_client, signed_in
):
    http = signed_in(owner)
    one = OrderFactory(client=owner_client)
    OrderPartFactory(order=one, client=owner_client, part_number=1)
    many = OrderFactory(client=owner_client)
    for n in range(1, 8):
        OrderPartFactory(order=many, client=owner_client, part_number=n)

    assert count(http, reverse("orders:detail", args=[one.number])) == count(
        http, reverse("orders:detail", args=[many.number])
    )
