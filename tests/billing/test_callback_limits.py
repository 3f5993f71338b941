"""Unauthenticated write amplification on the payment callback (issue 11, point 9): a stored body
is capped at 2,000 characters, and unsigned or badly signed deliveries are rate-limited per address
(counted in the database, so it holds without Redis): past the limit, 429 and nothing written."""

import threading

import pytest
from django.db import connection
from django.test import Client as HttpClient

from billing.models import CallbackDelivery, Payment
from billing.portal_payments import start_attempt
from tests.billing.helpers import CALLBACK_URL, SECRET, event_body, signed_headers
from tests.factories import InvoiceFactory, OrderFactory, OrderPartFactory, UserFactory, own_client

ATTACKER = "203.0.113.66"


@pytest.fixture
def secret(settings):
    settings.PAYMENT_CALLBACK_SECRET = SECRET
    settings.PAYMENT_CALLBACK_UNVERIFIED_LIMIT = 20
    # No Redis, no cache at all: the limit is counted in the database.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}


def garbage(http, size=20_000, address=ATTACKER, headers=None):
    return http.post(
        CALLBACK_URL,
        data=b"x" * size,
        content_type="application/json",
        headers=headers or {},
        REMOTE_ADDR=address,
    )


@pytest.mark.django_db
def test_a_20_kb_garbage_post_stores_at_most_2000_characters_and_says_truncated(secret):
    response = garbage(HttpClient())

    delivery = CallbackDelivery.objects.get()
    assert response.status_code == 400
    assert (len(delivery.body), delivery.body_size, delivery.body_truncated) == (2000, 20000, True)
    assert delivery.remote_addr == ATTACKER


@pytest.mark.django_db
def test_a_small_signed_delivery_is_stored_whole(secret):
    user = UserFactory()
    client = own_client(user)
    order = OrderFactory(client=client)
    OrderPartFactory(order=order)
    attempt = start_attempt(client, user, [InvoiceFactory(order=order).number], "demo")
    body = event_body(attempt)

    HttpClient().post(
        CALLBACK_URL, data=body, content_type="application/json", headers=signed_headers(body)
    )

    delivery = CallbackDelivery.objects.get()
    assert (delivery.body, delivery.body_truncated, delivery.outcome) == (
        body.decode(),
        False,
        "accepted",
    )


@pytest.mark.django_db
def test_unsigned_posts_past_the_limit_get_429_and_write_nothing(secret):
    http = HttpClient()
    bad_signature = {"X-Payment-Signature": "sha256=00", "X-Payment-Timestamp": "1"}

    first = [garbage(http, size=100).status_code for _ in range(10)]
    then = [garbage(http, size=100, headers=bad_signature).status_code for _ in range(10)]
    past = [garbage(http).status_code for _ in range(15)]

    assert first == [400] * 10 and then == [403] * 10
    assert past == [429] * 15
    assert CallbackDelivery.objects.filter(remote_addr=ATTACKER).count() == 20
    assert garbage(http).headers["Retry-After"] == "600"
    # Another address is not affected.
    assert garbage(http, address="198.51.100.7").status_code == 400
    assert CallbackDelivery.objects.count() == 21


@pytest.mark.django_db
def test_a_good_signature_from_a_limited_address_still_pays(secret):
    user = UserFactory()
    client = own_client(user)
    order = OrderFactory(client=client)
    OrderPartFactory(order=order)
    attempt = start_attempt(client, user, [InvoiceFactory(order=order).number], "demo")
    http = HttpClient()
    for _ in range(25):
        garbage(http, size=10)
    body = event_body(attempt)

    response = http.post(
        CALLBACK_URL,
        data=body,
        content_type="application/json",
        headers=signed_headers(body),
        REMOTE_ADDR=ATTACKER,
    )

    assert response.status_code == 200
    assert Payment.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_burst_of_40_parallel_garbage_posts_stores_exactly_the_limit(secret):
    barrier = threading.Barrier(40)
    statuses: list[int] = []

    def post_once():
        try:
            http = HttpClient()
            barrier.wait(timeout=20)
            statuses.append(garbage(http, size=1000).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=post_once) for _ in range(40)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(statuses) == [400] * 20 + [429] * 20
    assert CallbackDelivery.objects.count() == 20
