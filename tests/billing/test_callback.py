"""The provider's callback (docs/security-tests.md "Payments"): signed, fresh, exact, recorded, idempotent."""

import time
from decimal import Decimal

import pytest
from django.test import Client as HttpClient

from billing.models import CallbackDelivery, Overpayment, Payment, PaymentAttempt
from billing.portal_payments import start_attempt
from tests.billing.helpers import SECRET, deliver, event_body, signed_headers
from tests.factories import InvoiceFactory, OrderFactory, OrderPartFactory

Outcome = CallbackDelivery.Outcome


@pytest.fixture
def secret(settings):
    settings.PAYMENT_CALLBACK_SECRET = SECRET
    return SECRET


@pytest.fixture
def attempt(owner, owner_client, secret):
    order = OrderFactory(client=owner_client)
    OrderPartFactory(order=order)
    invoice = InvoiceFactory(order=order)
    return start_attempt(owner_client, owner, [invoice.number], "demo")


def _state(attempt):
    attempt.refresh_from_db()
    return (
        attempt.status,
        Payment.objects.count(),
        list(CallbackDelivery.objects.values_list("outcome", "status_code")),
    )


@pytest.mark.django_db
def test_callback_with_a_good_signature_records_the_payment(attempt):
    body = event_body(attempt)

    response = deliver(HttpClient(), body, signed_headers(body))

    assert response.status_code == 200
    assert _state(attempt) == ("paid", 1, [(Outcome.ACCEPTED, 200)])
    payment = Payment.objects.get()
    assert (payment.amount, payment.source, payment.external_id, payment.attempt) == (
        Decimal("13.45"),
        "portal",
        f"evt-1:{attempt.lines.get().invoice.number}",
        attempt,
    )


@pytest.mark.django_db
def test_callback_with_a_bad_signature_is_refused(attempt):
    body = event_body(attempt)

    response = deliver(HttpClient(), body, signed_headers(body, secret="someone-elses-secret"))

    assert response.status_code == 403
    assert _state(attempt) == ("pending", 0, [(Outcome.BAD_SIGNATURE, 403)])


@pytest.mark.django_db
def test_callback_with_a_tampered_body_is_refused(attempt):
    headers = signed_headers(event_body(attempt, amount="0.01"))
    tampered = event_body(attempt)

    response = deliver(HttpClient(), tampered, headers)

    assert response.status_code == 403
    assert _state(attempt) == ("pending", 0, [(Outcome.BAD_SIGNATURE, 403)])


@pytest.mark.django_db
def test_callback_with_a_replaced_timestamp_is_refused(attempt):
    body = event_body(attempt)
    headers = signed_headers(body, timestamp=int(time.time()) - 5)
    headers["X-Payment-Timestamp"] = str(int(time.time()))

    response = deliver(HttpClient(), body, headers)

    assert response.status_code == 403
    assert _state(attempt) == ("pending", 0, [(Outcome.BAD_SIGNATURE, 403)])


@pytest.mark.django_db
def test_callback_without_a_signature_is_refused(attempt):
    body = event_body(attempt)
    headers = signed_headers(body)
    del headers["X-Payment-Signature"]

    response = deliver(HttpClient(), body, headers)

    assert response.status_code == 400
    assert _state(attempt) == ("pending", 0, [(Outcome.MISSING_SIGNATURE, 400)])


@pytest.mark.django_db
def test_callback_fails_closed_when_no_secret_is_configured(attempt, settings):
    body = event_body(attempt)
    headers = signed_headers(body, secret="")
    settings.PAYMENT_CALLBACK_SECRET = ""

    response = deliver(HttpClient(), body, headers)

    assert response.status_code == 403
    assert _state(attempt) == ("pending", 0, [(Outcome.NO_SECRET, 403)])


@pytest.mark.django_db
def test_callback_older_than_ten_minutes_is_refused(attempt):
    body = event_body(attempt)

    response = deliver(HttpClient(), body, signed_headers(body, timestamp=int(time.time()) - 601))

    assert response.status_code == 400
    assert _state(attempt) == ("pending", 0, [(Outcome.STALE, 400)])


@pytest.mark.django_db
def test_callback_nine_minutes_old_is_still_accepted(attempt):
    body = event_body(attempt)

    response = deliver(HttpClient(), body, signed_headers(body, timestamp=int(time.time()) - 540))

    assert response.status_code == 200
    assert _state(attempt) == ("paid", 1, [(Outcome.ACCEPTED, 200)])


@pytest.mark.django_db
def test_callback_with_the_wrong_amount_pays_nothing(attempt):
    body = event_body(attempt, amount="13.44")

    response = deliver(HttpClient(), body, signed_headers(body))

    assert response.status_code == 400
    assert _state(attempt) == ("pending", 0, [(Outcome.WRONG_AMOUNT, 400)])


@pytest.mark.django_db
def test_callback_with_the_wrong_currency_pays_nothing(attempt):
    body = event_body(attempt, currency="USD")

    response = deliver(HttpClient(), body, signed_headers(body))

    assert response.status_code == 400
    assert _state(attempt) == ("pending", 0, [(Outcome.WRONG_CURRENCY, 400)])


@pytest.mark.django_db
def test_the_same_event_twice_in_sequence_records_one_payment(attempt):
    body = event_body(attempt)
    http = HttpClient()

    first = deliver(http, body, signed_headers(body))
    second = deliver(http, body, signed_headers(body))

    assert (first.status_code, second.status_code) == (200, 200)
    assert _state(attempt) == (
        "paid",
        1,
        [(Outcome.DUPLICATE, 200), (Outcome.ACCEPTED, 200)],
    )


@pytest.mark.django_db
def test_a_second_different_event_for_a_paid_attempt_is_an_overpayment_not_a_payment(attempt):
    first = event_body(attempt, event_id="evt-1")
    second = event_body(attempt, event_id="evt-2")
    deliver(HttpClient(), first, signed_headers(first))

    response = deliver(HttpClient(), second, signed_headers(second))

    assert response.status_code == 200
    assert _state(attempt)[:2] == ("paid", 1)
    assert list(Overpayment.objects.values_list("external_id", "amount")) == [
        (f"evt-2:{attempt.lines.get().invoice.number}", Decimal("13.45"))
    ]


@pytest.mark.django_db
def test_a_cancelled_event_for_a_paid_attempt_is_a_conflict(attempt):
    paid = event_body(attempt, event_id="evt-1")
    cancelled = event_body(attempt, event_id="evt-2", status="cancelled")
    deliver(HttpClient(), paid, signed_headers(paid))

    response = deliver(HttpClient(), cancelled, signed_headers(cancelled))

    assert response.status_code == 409
    assert _state(attempt)[:2] == ("paid", 1)


@pytest.mark.django_db
def test_cancelled_event_cancels_the_attempt_without_payment(attempt):
    body = event_body(attempt, status="cancelled")

    response = deliver(HttpClient(), body, signed_headers(body))

    assert response.status_code == 200
    assert _state(attempt) == ("cancelled", 0, [(Outcome.CANCELLED, 200)])


@pytest.mark.django_db
@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"not json",
        b"[]",
        b'{"event_id": "x"}',
        b'{"event_id": "x", "reference": "nope",'
        b' "status": "paid", "amount": "1", "currency": "EUR"}',
    ],
)
def test_signed_but_malformed_body_is_refused(attempt, body):
    response = deliver(HttpClient(), body, signed_headers(body))

    assert response.status_code == 400
    assert _state(attempt) == ("pending", 0, [(Outcome.MALFORMED, 400)])


@pytest.mark.django_db
def test_signed_event_for_an_unknown_attempt_is_refused(attempt):
    unknown = PaymentAttempt(reference="00000000-0000-4000-8000-000000000000", amount=1)
    body = event_body(unknown, amount="13.45", currency="EUR")

    response = deliver(HttpClient(), body, signed_headers(body))

    assert response.status_code == 404
    assert _state(attempt) == ("pending", 0, [(Outcome.UNKNOWN_ATTEMPT, 404)])


@pytest.mark.django_db
def test_callback_refuses_get(attempt):
    assert HttpClient().get("/mans-konts/rekini/maksajums/atbilde/").status_code == 405


@pytest.mark.django_db
def test_callback_needs_no_csrf_token(attempt):
    body = event_body(attempt)

    response = deliver(HttpClient(enforce_csrf_checks=True), body, signed_headers(body))

    assert response.status_code == 200
