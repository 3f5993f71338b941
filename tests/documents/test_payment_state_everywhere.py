"""One payment state: the order list row, the order page, a single download, the ZIP and
billing's own answer agree for paid, partly paid, unpaid, not yet invoiced and free orders."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from billing.services import PaymentState, order_payment_state, payment_states
from documents.access import download_decision, results_for_download
from documents.models import Document
from orders.models import Service
from tests.documents.conftest import make_document
from tests.factories import InvoiceFactory, OrderFactory, OrderPartFactory, PaymentFactory
from tests.tables import TAGS
from tests.tables import rows as table_rows

pytestmark = pytest.mark.django_db
LIST = "/mans-konts/pasutijumi/"
KINDS = ["prepayment", "final"]


def order_with_result(client, number, *, service=None, paid=()):
    """An order of one part with a result; an invoice of 13,45 EUR for each amount in `paid`
    (None: nothing paid yet)."""
    order = OrderFactory(client=client, number=number)
    part = OrderPartFactory(order=order, **({"service": service} if service else {}))
    for i, amount in enumerate(paid):
        invoice = InvoiceFactory(order=order, number=f"R{number}-{i}", kind=KINDS[i])
        if amount:
            PaymentFactory(invoice=invoice, amount=amount)
    make_document(order_part=part, direction=Document.Direction.RESULT)
    return order


def summary(state):
    return (state.state, state.total, state.paid, [i.number for i in state.unpaid_invoices])


def test_every_entry_point_gives_the_same_payment_state(owner, owner_client, signed_in):
    orders = {
        PaymentState.PAID: order_with_result(
            owner_client, "2026-0000001", paid=[Decimal("13.45"), Decimal("13.45")]
        ),
        PaymentState.PARTLY_PAID: order_with_result(
            owner_client, "2026-0000002", paid=[Decimal("13.45"), Decimal("5.00")]
        ),
        PaymentState.UNPAID: order_with_result(owner_client, "2026-0000003", paid=[None]),
        PaymentState.NO_INVOICE: order_with_result(owner_client, "2026-0000004"),
        PaymentState.NOTHING_DUE: order_with_result(
            owner_client, "2026-0000005", service=Service.objects.get(code="pieteikums")
        ),
    }
    http = signed_in(owner)
    listed = {
        TAGS.sub("", row["Pasūtījuma Nr."]): TAGS.sub("", row["Apmaksa"]).strip()
        for row in table_rows(http.get(LIST).content.decode())
    }
    page_of_states = payment_states(order.pk for order in orders.values())

    for expected, order in orders.items():
        one = order_payment_state(order)
        page = http.get(reverse("orders:detail", args=[order.number])).context
        [document] = Document.objects.filter(order_part__order=order)
        zipped, _reasons = results_for_download(order)

        assert one.state == expected
        assert listed[order.number] == one.label, expected
        assert summary(page["payment"]) == summary(one), expected
        assert summary(page_of_states[order.pk]) == summary(one), expected
        assert page["downloads"][0][1].allowed is one.paid_in_full, expected
        assert download_decision(document).allowed is one.paid_in_full, expected
        assert (document in zipped) is one.paid_in_full, expected


def test_order_page_asks_the_payment_state_once_whatever_the_parts(owner, owner_client, signed_in):
    http = signed_in(owner)

    def queries(parts: int, number: str) -> int:
        order = order_with_result(owner_client, number, paid=[None])
        for _ in range(parts - 1):
            make_document(
                order_part=OrderPartFactory(order=order), direction=Document.Direction.RESULT
            )
        with CaptureQueriesContext(connection) as captured:
            assert http.get(reverse("orders:detail", args=[number])).status_code == 200
        return len(captured)

    assert queries(1, "2026-0000011") == queries(6, "2026-0000016")
