"""The same callback delivered twice at the same moment, on two connections to real PostgreSQL."""

import threading

import pytest
from django.db import connection
from django.test import Client as HttpClient

from billing.models import CallbackDelivery, Invoice, Overpayment, Payment, PaymentAttempt
from billing.portal_payments import start_attempt
from billing.services import with_paid_amount
from tests.billing.helpers import SECRET, deliver, event_body, signed_headers
from tests.factories import InvoiceFactory, OrderFactory, OrderPartFactory, UserFactory, own_client


@pytest.mark.django_db(transaction=True)
def test_the_same_event_twice_concurrently_records_one_payment(reference_data, settings):
    settings.PAYMENT_CALLBACK_SECRET = SECRET
    user = UserFactory()
    client = own_client(user)
    order = OrderFactory(client=client)
    OrderPartFactory(order=order)
    first = InvoiceFactory(order=order)
    second = InvoiceFactory(order=order, kind="final")
    attempt = start_attempt(client, user, [first.number, second.number], "demo")
    body = event_body(attempt, event_id="evt-concurrent")
    barrier = threading.Barrier(2)
    statuses: list[int] = []

    def deliver_once():
        try:
            http = HttpClient()
            barrier.wait(timeout=10)
            statuses.append(deliver(http, body, signed_headers(body)).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=deliver_once) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(statuses) == [200, 200]
    assert sorted(CallbackDelivery.objects.values_list("outcome", flat=True)) == sorted(
        [CallbackDelivery.Outcome.ACCEPTED, CallbackDelivery.Outcome.DUPLICATE]
    )
    assert sorted(Payment.objects.values_list("external_id", flat=True)) == sorted(
        [f"evt-concurrent:{first.number}", f"evt-concurrent:{second.number}"]
    )
    assert PaymentAttempt.objects.get().status == PaymentAttempt.Status.PAID


def deliver_at_once(bodies: list[bytes]) -> list[int]:
    """Deliver each signed body on its own connection, all released at the same moment."""
    barrier = threading.Barrier(len(bodies))
    statuses: list[int] = []

    def deliver_once(body):
        try:
            http = HttpClient()
            barrier.wait(timeout=10)
            statuses.append(deliver(http, body, signed_headers(body)).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=deliver_once, args=(body,)) for body in bodies]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return statuses


@pytest.mark.django_db(transaction=True)
def test_two_attempts_for_one_invoice_paid_at_the_same_moment_pay_it_once(reference_data, settings):
    """Two tabs, both paid at the bank, both callbacks at once: one payment, one overpayment."""
    settings.PAYMENT_CALLBACK_SECRET = SECRET
    user = UserFactory()
    client = own_client(user)
    rounds = 5
    invoices = []
    for round_ in range(rounds):
        order = OrderFactory(client=client)
        OrderPartFactory(order=order)
        invoice = InvoiceFactory(order=order)
        tabs = [start_attempt(client, user, [invoice.number], "demo") for _ in range(2)]
        bodies = [event_body(tab, event_id=f"evt-{round_}-{i}") for i, tab in enumerate(tabs)]

        assert deliver_at_once(bodies) == [200, 200]
        invoices.append(invoice)

    for invoice in invoices:
        annotated = with_paid_amount(Invoice.objects.filter(pk=invoice.pk)).get()
        assert annotated.paid_amount == invoice.total
        assert Payment.objects.filter(invoice=invoice).count() == 1
        overpaid = Overpayment.objects.filter(invoice=invoice).values_list("amount", flat=True)
        assert list(overpaid) == [invoice.total]
    outcomes = sorted(CallbackDelivery.objects.values_list("outcome", flat=True))
    assert outcomes == sorted(["accepted", "overpaid"] * rounds)
