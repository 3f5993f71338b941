"""The order part rows as the table shows them (orders/tables.py), read back from the page."""

import re
from datetime import date

import pytest

from tests.eservices.test_tables import cells
from tests.factories import EServiceFactory, InvoiceFactory, OrderFactory, OrderPartFactory

LIST = "/mans-konts/pasutijumi/"


@pytest.mark.django_db
def test_a_row_shows_every_column_the_way_the_page_writes_it(owner_client, owner, signed_in):
    order = OrderFactory(client=owner_client, number="2026-0000777")
    part = OrderPartFactory(
        order=order,
        part_number=2,
        object_code="13000263302001",
        planned_completion_date=date(2026, 12, 4),
    )
    InvoiceFactory(order=order)
    second, first = EServiceFactory(client=owner_client), EServiceFactory(client=owner_client)
    second.orders.add(order)
    first.orders.add(order)

    html = signed_in(owner).get(LIST).content.decode()

    [row] = cells(html)
    low, high = sorted([first.pk, second.pk])
    assert row[0] == (
        '<a class="govuk-link" href="/mans-konts/pasutijumi/2026-0000777/">2026-0000777</a>'
    )
    assert row[1] == "2"
    assert re.fullmatch(r"\d\d\.\d\d\.\d{4}", row[2])
    assert row[3] == part.service.name
    assert row[4] == "1300 026 3302 001"
    assert row[5] == "04.12.2026"
    assert row[6] == (
        f'<a class="govuk-link" href="/mans-konts/e-pakalpojumi/{low}/">{low}</a>, '
        f'<a class="govuk-link" href="/mans-konts/e-pakalpojumi/{high}/">{high}</a>'
    )
    assert row[9] == "Nav apmaksāts"


@pytest.mark.django_db
def test_a_free_order_without_invoice_has_nothing_to_pay(owner_client, owner, signed_in):
    from orders.models import Service

    free = Service.objects.filter(price=0).first()
    OrderPartFactory(order=OrderFactory(client=owner_client), service=free, object_code="")

    [row] = cells(signed_in(owner).get(LIST).content.decode())

    assert row[4] == row[5] == row[6] == "—"
    assert row[9] == "Bezmaksas"
