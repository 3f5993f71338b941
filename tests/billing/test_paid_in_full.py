from decimal import Decimal

import pytest

from billing.services import PaymentState, order_payment_state
from orders.models import Service
from tests.factories import InvoiceFactory, OrderPartFactory, PaymentFactory


@pytest.mark.django_db
def test_order_without_invoice_for_a_paid_service_is_not_paid():
    part = OrderPartFactory()

    state = order_payment_state(part.order)

    assert (state.state, state.paid_in_full) == (PaymentState.NO_INVOICE, False)


@pytest.mark.django_db
def test_order_of_free_services_has_nothing_to_pay():
    part = OrderPartFactory(service=Service.objects.get(code="pieteikums"))

    assert order_payment_state(part.order).paid_in_full is True


@pytest.mark.django_db
def test_unpaid_partly_paid_and_paid_invoices():
    invoice = InvoiceFactory()
    order = invoice.order
    OrderPartFactory(order=order)

    assert order_payment_state(order).state == PaymentState.UNPAID

    PaymentFactory(invoice=invoice, amount=Decimal("5.00"))
    state = order_payment_state(order)
    assert (state.state, state.paid, state.unpaid_invoices) == (
        PaymentState.PARTLY_PAID,
        Decimal("5.00"),
        [invoice],
    )

    PaymentFactory(invoice=invoice, amount=Decimal("8.45"), source="treasury")
    assert order_payment_state(order).paid_in_full is True


@pytest.mark.django_db
def test_every_invoice_of_the_order_must_be_paid():
    prepayment = InvoiceFactory()
    final = InvoiceFactory(order=prepayment.order, kind="final")
    PaymentFactory(invoice=prepayment)

    state = order_payment_state(prepayment.order)

    assert state.state == PaymentState.PARTLY_PAID
    assert state.unpaid_invoices == [final]
