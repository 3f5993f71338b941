from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from billing.models import Overpayment, Payment
from billing.services import record_payment
from tests.factories import InvoiceFactory, PaymentFactory


@pytest.mark.django_db
def test_record_payment_records_an_external_event_once():
    invoice = InvoiceFactory()

    first = record_payment(invoice, Decimal("13.45"), source="portal", external_id="evt-9")
    second = record_payment(invoice, Decimal("13.45"), source="portal", external_id="evt-9")

    assert (first.payment.external_id, first.overpayment, second) == ("evt-9", None, None)
    assert Payment.objects.count() == 1


@pytest.mark.django_db
def test_the_database_refuses_a_second_payment_with_the_same_external_id():
    payment = PaymentFactory()

    with pytest.raises(IntegrityError), transaction.atomic():
        PaymentFactory(invoice=payment.invoice, external_id=payment.external_id)


@pytest.mark.django_db
def test_record_payment_refuses_an_amount_that_is_not_positive():
    invoice = InvoiceFactory()

    with pytest.raises(ValueError):
        record_payment(invoice, Decimal("-1.00"), source="portal", external_id="evt-neg")
    assert Payment.objects.count() == 0


@pytest.mark.django_db
def test_record_payment_splits_money_beyond_the_total_into_an_overpayment():
    invoice = InvoiceFactory()
    record_payment(invoice, Decimal("10.00"), source="treasury", external_id="t-1")

    receipt = record_payment(invoice, Decimal("10.00"), source="treasury", external_id="t-2")

    assert (receipt.payment.amount, receipt.overpayment.amount) == (
        Decimal("3.45"),
        Decimal("6.55"),
    )
    assert receipt.payment.external_id == receipt.overpayment.external_id == "t-2"
    assert sum(Payment.objects.values_list("amount", flat=True)) == invoice.total
    assert Overpayment.objects.get().status == "to_refund"
