"""The same callback delivered twice at the same moment, on two connections to real PostgreSQL."""

import threading

import pytest
from django.db import connection
from django.test import Client as HttpClient

from billing.models import CallbackDelivery, Payment, PaymentAttempt
from billing.portal_payments import start_attempt
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
