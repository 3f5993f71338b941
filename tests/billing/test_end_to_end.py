"""The issue's "done when": a prepayment paid in the portal, a final invoice paid by a transfer the
clerk imports from a statement; the order ends paid in full with the right planned date."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from billing.camt import import_statement
from billing.models import Invoice
from billing.services import order_payment_state
from orders.models import Service
from orders.planning import planned_completion_date
from tests.factories import InvoiceFactory, OrderFactory, OrderPartFactory

STATEMENT = b"""<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt>
<GrpHdr><MsgId>M1</MsgId></GrpHdr><Stmt><Id>S1</Id>
<Ntry><NtryRef>E2E-1</NtryRef><Amt Ccy="EUR">60.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts>
<BookgDt><Dt>2026-08-03</Dt></BookgDt><NtryDtls><TxDtls><RmtInf><Ustrd>Gala rekins R2026-777002</Ustrd>
</RmtInf></TxDtls></NtryDtls></Ntry></Stmt></BkToCstmrStmt></Document>"""


@pytest.mark.django_db
def test_prepayment_in_the_portal_then_final_invoice_from_a_statement(
    signed_in, owner, owner_client
):
    survey = Service.objects.filter(
        term_kind="working", term_days=25, prepayment_percent=50
    ).first()
    order = OrderFactory(client=owner_client)
    part = OrderPartFactory(order=order, service=survey)
    prepayment = InvoiceFactory(
        order=order,
        number="R2026-777001",
        amount_net=Decimal("49.59"),
        vat_amount=Decimal("10.41"),
        total=Decimal("60.00"),
    )
    http = signed_in(owner)

    start = http.post(reverse("billing:pay"), {"invoice": prepayment.number})
    http.post(start.url, {"action": "pay"})

    paid_on = timezone.localdate()
    part.refresh_from_db()
    assert order_payment_state(order).paid_in_full is True
    assert part.planned_completion_date == planned_completion_date(paid_on, [("working", 25)])

    final = Invoice.objects.create(
        number="R2026-777002",
        order=order,
        kind="final",
        issued_on=date(2026, 7, 20),
        due_on=date(2026, 8, 3),
        amount_net=Decimal("49.59"),
        vat_amount=Decimal("10.41"),
        total=Decimal("60.00"),
    )
    assert order_payment_state(order).unpaid_invoices == [final]

    result = import_statement(STATEMENT, "izraksts.xml")

    assert result.matched == 1
    assert order_payment_state(order).paid_in_full is True
    part.refresh_from_db()
    # the promise made when the prepayment arrived stands
    assert part.planned_completion_date == planned_completion_date(paid_on, [("working", 25)])
