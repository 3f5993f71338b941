from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from billing.models import Payment
from billing.services import record_payment
from tests.factories import InvoiceFactory, PaymentFactory


@pytest.mark.django_db
def test_record_payment_records_an_external_event_once():
    invoice = InvoiceFactory()

    first = record_payment(invoice, Decimal("13.45"), source="portal", external_id="evt-9")
    second = record_payment(invoice, Decimal("13.45"), source="portal", external_id="evt-9")

    assert (first.external_id, second) == ("evt-9", None)
    assert Payment.objects.count() == 1


@pytest.mark.django_db
def test_the_database_refuses_a_second_payment_with_the_same_external_id():
    payment = PaymentFactory()

    with pytest.raises(IntegrityError), transaction.atomic():
        PaymentFactory(invoice=payment.invoice, external_id=payment.external_id)


@pytest.mark.django_db
def test_record_payment_does_not_hide_other_integrity_errors():
    invoice = InvoiceFactory()

    with pytest.raises(IntegrityError):
        record_payment(invoice, Decimal("-1.00"), source="portal", external_id="evt-neg")
