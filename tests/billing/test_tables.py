"""The invoice rows as the table shows them (billing/tables.py), read back from the page by column."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from billing.tables import TABLE
from tests.factories import InvoiceFactory, OrderFactory, PaymentFactory
from tests.tables import colspan, headers, rows

LIST = reverse("billing:invoice_list")


def invoice_for(client, **kwargs):
    return InvoiceFactory(order=OrderFactory(client=client), **kwargs)


@pytest.fixture
def payments_on(settings):
    settings.PAYMENT_PROVIDER = "demo"
    settings.PAYMENT_CALLBACK_SECRET = "table-test-secret"


@pytest.mark.django_db
def test_a_row_shows_every_column_the_way_the_page_writes_it(
    owner_client, owner, signed_in, settings
):
    settings.PAYMENT_PROVIDER = ""
    today = timezone.localdate()
    invoice = invoice_for(
        owner_client,
        number="R2026-000010",
        issued_on=today - timedelta(days=20),
        due_on=today - timedelta(days=1),
    )
    PaymentFactory(invoice=invoice, amount=Decimal("3.00"))

    [row] = rows(signed_in(owner).get(LIST).content.decode())

    assert row["Rēķina Nr."] == (
        '<a class="govuk-link" href="/mans-konts/rekini/R2026-000010/">R2026-000010</a>'
    )
    assert row["Veids"] == "Priekšapmaksas rēķins"
    assert row["Rēķina datums"] == (today - timedelta(days=20)).strftime("%d.%m.%Y")
    assert row["Apmaksas termiņš"] == (today - timedelta(days=1)).strftime("%d.%m.%Y")
    assert row["Pasūtījuma Nr."] == (
        f'<a class="govuk-link" href="/mans-konts/pasutijumi/{invoice.order.number}/">'
        f"{invoice.order.number}</a>"
    )
    assert row["Kopā"] == "13,45\xa0€"
    assert row["Jāmaksā"] == "10,45\xa0€"
    assert row["Apmaksa"] == '<strong class="govuk-tag govuk-tag--red">Kavēts</strong>'
    assert "Apmaksāt" not in row  # the portal takes no payments here


@pytest.mark.django_db
def test_the_pay_column_is_there_when_something_can_be_paid(
    owner_client, owner, signed_in, payments_on
):
    paid = invoice_for(owner_client, number="R2026-000001")
    PaymentFactory(invoice=paid)
    http = signed_in(owner)

    only_paid = http.get(LIST).content.decode()
    invoice_for(owner_client, number="R2026-000002")
    with_unpaid = http.get(LIST).content.decode()

    assert "Apmaksāt" not in headers(only_paid)
    assert headers(with_unpaid)[0] == "Apmaksāt"
    unpaid_row, paid_row = rows(with_unpaid)
    assert 'name="invoice" type="checkbox" value="R2026-000002"' in unpaid_row["Apmaksāt"]
    assert paid_row["Apmaksāt"] == ""
    assert paid_row["Apmaksa"] == '<strong class="govuk-tag govuk-tag--green">Apmaksāts</strong>'
    assert 'class="govuk-table__cell mk-no-print mk-cell--check mk-cell--blank"' in with_unpaid


@pytest.mark.django_db
def test_header_row_cells_and_colspan_follow_the_declaration(
    owner_client, owner, signed_in, payments_on
):
    invoice_for(owner_client)
    http = signed_in(owner)

    html = http.get(LIST).content.decode()
    empty = http.get(LIST, {"state": "paid"}).content.decode()

    declared = [str(c.label) for c in TABLE.layout(pay=True)]
    assert headers(html) == list(rows(html)[0]) == declared
    assert colspan(empty) == len(TABLE.layout(pay=False)) == 8
    assert "Neviens rēķins neatbilst filtram." in empty


@pytest.mark.django_db
def test_the_list_pages_by_keyset_and_an_old_page_number_shows_the_first_page(
    owner_client, owner, signed_in
):
    today = timezone.localdate()
    for i in range(25):
        invoice_for(owner_client, number=f"R2026-{i:06d}", issued_on=today - timedelta(days=i))
    http = signed_in(owner)

    first = http.get(LIST)
    second = http.get(LIST, {"cursor": first.context["page"].next_cursor})
    old_link = http.get(LIST, {"page": "2", "sort": "due"})

    assert [i.number for i in first.context["invoices"]][:2] == ["R2026-000000", "R2026-000001"]
    assert len(first.context["invoices"]) == 20
    assert [i.number for i in second.context["invoices"]] == [
        f"R2026-{i:06d}" for i in range(20, 25)
    ]
    assert "25 rēķini." in first.content.decode()
    assert old_link.status_code == 200
    assert old_link.context["page"].number == 1
    assert "Lapa nav atrasta; parādīta pirmā lapa." in old_link.content.decode()
    assert 'rel="next"' in first.content.decode()
