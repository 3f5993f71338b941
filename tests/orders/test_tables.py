"""The order part rows as the table shows them (orders/tables.py), read back from the page."""

import re
from datetime import date

import pytest

from tests.factories import EServiceFactory, InvoiceFactory, OrderFactory, OrderPartFactory
from tests.tables import rows

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

    [row] = rows(html)
    low, high = sorted([first.pk, second.pk])
    assert row["Pasūtījuma Nr."] == (
        '<a class="govuk-link" href="/mans-konts/pasutijumi/2026-0000777/">2026-0000777</a>'
    )
    assert row["Pasūtījuma daļas numurs"] == "2"
    assert re.fullmatch(r"\d\d\.\d\d\.\d{4}", row["Izveidošanas datums"])
    assert row["Pasūtījuma nosaukums"] == part.service.name
    assert row["Objekts"] == "1300 026 3302 001"
    assert row["Plānotais izpildes termiņš"] == "04.12.2026"
    assert row["Saistītie pakalpojumi"] == (
        f'<a class="govuk-link" href="/mans-konts/e-pakalpojumi/{low}/">{low}</a>, '
        f'<a class="govuk-link" href="/mans-konts/e-pakalpojumi/{high}/">{high}</a>'
    )
    assert row["Apmaksa"] == "Nav apmaksāts"


@pytest.mark.django_db
def test_a_free_order_without_invoice_has_nothing_to_pay(owner_client, owner, signed_in):
    from orders.models import Service

    free = Service.objects.filter(price=0).first()
    OrderPartFactory(order=OrderFactory(client=owner_client), service=free, object_code="")

    [row] = rows(signed_in(owner).get(LIST).content.decode())

    assert (
        row["Objekts"] == row["Plānotais izpildes termiņš"] == row["Saistītie pakalpojumi"] == "—"
    )
    assert row["Apmaksa"] == "Bezmaksas"


@pytest.mark.django_db
def test_header_row_cells_and_colspan_follow_the_declaration(owner_client, owner, signed_in):
    from orders.tables import TABLE
    from tests.tables import colspan, headers

    OrderPartFactory(order=OrderFactory(client=owner_client))
    http = signed_in(owner)

    html = http.get(LIST).content.decode()
    empty = http.get(LIST, {"status": "cancelled"}).content.decode()

    declared = [str(c.label) for c in TABLE.layout()]
    assert headers(html) == list(rows(html)[0]) == declared
    assert colspan(empty) == len(declared) == 10
