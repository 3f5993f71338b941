"""Payments (docs/security-tests.md): a delivery that dies half-way leaves nothing behind, and the provider's
re-delivery of the same event then pays each invoice exactly once; odd bodies are refused and
recorded, never a 500."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client as HttpClient

from billing.models import CallbackDelivery, Payment, PaymentAttempt
from billing.portal_payments import start_attempt
from tests.billing.helpers import SECRET, deliver, event_body, signed_headers
from tests.factories import InvoiceFactory, OrderFactory, OrderPartFactory

pytestmark = pytest.mark.django_db

Outcome = CallbackDelivery.Outcome


@pytest.fixture
def two_invoice_attempt(owner, owner_client, settings):
    settings.PAYMENT_CALLBACK_SECRET = SECRET
    order = OrderFactory(client=owner_client)
    OrderPartFactory(order=order)
    first = InvoiceFactory(order=order)
    second = InvoiceFactory(
        order=order,
        amount_net=Decimal("50.00"),
        vat_amount=Decimal("10.50"),
        total=Decimal("60.50"),
    )
    return start_attempt(owner_client, owner, [first.number, second.number], "demo"), second


def fail_inserting_payment_for(invoice_number: str) -> None:
    """A database failure on the second invoice's payment row: the process dies half-way."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            CREATE FUNCTION pg_temp.die_half_way() RETURNS trigger AS $$
            BEGIN
                IF NEW.external_id LIKE %s THEN
                    RAISE EXCEPTION 'killed half-way';
                END IF;
                RETURN NEW;
            END $$ LANGUAGE plpgsql
            """,
            [f"%:{invoice_number}"],
        )
        cursor.execute(
            "CREATE TRIGGER die_half_way BEFORE INSERT ON billing_payment "
            "FOR EACH ROW EXECUTE FUNCTION pg_temp.die_half_way()"
        )


def test_a_delivery_killed_half_way_leaves_nothing_and_the_redelivery_pays_once(
    two_invoice_attempt,
):
    attempt, second = two_invoice_attempt
    body = event_body(attempt)
    http = HttpClient(raise_request_exception=False)
    fail_inserting_payment_for(second.number)
    crashed = deliver(http, body, signed_headers(body))
    assert crashed.status_code == 500
    assert Payment.objects.count() == 0  # the first invoice's payment rolled back with it
    assert PaymentAttempt.objects.get(pk=attempt.pk).status == PaymentAttempt.Status.PENDING
    with connection.cursor() as cursor:
        cursor.execute("DROP TRIGGER die_half_way ON billing_payment")

    again = deliver(http, body, signed_headers(body))
    once_more = deliver(http, body, signed_headers(body))

    attempt.refresh_from_db()
    assert (again.status_code, once_more.status_code) == (200, 200)
    assert attempt.status == PaymentAttempt.Status.PAID
    assert sorted(Payment.objects.values_list("invoice__number", "amount")) == sorted(
        (line.invoice.number, line.amount) for line in attempt.lines.all()
    )
    assert list(CallbackDelivery.objects.order_by("id").values_list("outcome", flat=True)) == [
        Outcome.ACCEPTED,
        Outcome.DUPLICATE,
    ]


@pytest.mark.parametrize(
    "body",
    [
        b"\x00",
        b'{"event_id": "a\\u0000b"}',
        '{"event_id": "Ķ\x00"}'.encode(),
        b"\xff\xfe not utf-8",
        b"x" * 60_000,  # over 64 kB: refused unread (tests/security/test_upload_limits.py)
    ],
)
def test_odd_callback_bodies_are_refused_and_recorded_never_a_500(two_invoice_attempt, body):
    response = deliver(HttpClient(), body, signed_headers(body, secret="someone-elses"))

    assert response.status_code == 403
    assert Payment.objects.count() == 0
    assert list(CallbackDelivery.objects.values_list("outcome", flat=True)) == [
        Outcome.BAD_SIGNATURE
    ]


def test_a_signed_body_with_a_nul_byte_is_refused_and_recorded(two_invoice_attempt):
    attempt, _second = two_invoice_attempt
    body = event_body(attempt, event_id="evt\x00-1")

    response = deliver(HttpClient(), body, signed_headers(body))

    assert response.status_code == 400
    assert Payment.objects.count() == 0
    assert list(CallbackDelivery.objects.values_list("outcome", "status_code")) == [
        (Outcome.MALFORMED, 400)
    ]
    assert PaymentAttempt.objects.get(pk=attempt.pk).status == PaymentAttempt.Status.PENDING
