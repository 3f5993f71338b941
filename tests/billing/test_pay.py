"""Paying in the portal: choosing invoices, the demo bank, and the result page."""

from decimal import Decimal

import pytest
from django.urls import reverse

from billing.models import CallbackDelivery, Payment, PaymentAttempt
from billing.services import order_payment_state
from tests.factories import (
    InvoiceFactory,
    OrderFactory,
    OrderPartFactory,
    PaymentFactory,
    own_client,
)

PAY = reverse("billing:pay")


@pytest.fixture
def two_unpaid(owner_client):
    order = OrderFactory(client=owner_client)
    OrderPartFactory(order=order)
    first = InvoiceFactory(order=order)
    second = InvoiceFactory(
        order=order,
        kind="final",
        amount_net=Decimal("50.00"),
        vat_amount=Decimal("10.50"),
        total=Decimal("60.50"),
    )
    return first, second


@pytest.mark.django_db
def test_paying_two_invoices_in_one_payment_records_one_payment_each(signed_in, owner, two_unpaid):
    first, second = two_unpaid
    http = signed_in(owner)

    start = http.post(PAY, {"invoice": [first.number, second.number]})
    attempt = PaymentAttempt.objects.get()
    assert start.status_code == 302
    assert start.url == reverse("billing:demo_bank", args=[attempt.reference])
    assert attempt.amount == Decimal("73.95")

    paid = http.post(start.url, {"action": "pay"})

    attempt.refresh_from_db()
    assert paid.url == reverse("billing:payment_result", args=[attempt.reference])
    assert attempt.status == "paid"
    assert sorted(Payment.objects.values_list("invoice__number", "amount", "source")) == sorted(
        [(first.number, Decimal("13.45"), "portal"), (second.number, Decimal("60.50"), "portal")]
    )
    event_id = CallbackDelivery.objects.get().event_id
    assert sorted(Payment.objects.values_list("external_id", flat=True)) == sorted(
        [f"{event_id}:{first.number}", f"{event_id}:{second.number}"]
    )
    assert order_payment_state(first.order).paid_in_full is True
    result = http.get(paid.url)
    assert "Maksājums saņemts" in result.content.decode()


@pytest.mark.django_db
def test_partly_paid_invoice_is_paid_for_what_is_still_owed(signed_in, owner, two_unpaid):
    first, _ = two_unpaid
    PaymentFactory(invoice=first, amount=Decimal("3.45"))

    signed_in(owner).post(PAY, {"invoice": first.number})

    assert PaymentAttempt.objects.get().amount == Decimal("10.00")


@pytest.mark.django_db
def test_cancelling_at_the_demo_bank_pays_nothing(signed_in, owner, two_unpaid):
    http = signed_in(owner)
    start = http.post(PAY, {"invoice": two_unpaid[0].number})

    http.post(start.url, {"action": "cancel"})

    assert PaymentAttempt.objects.get().status == "cancelled"
    assert Payment.objects.count() == 0


@pytest.mark.django_db
def test_the_demo_bank_pays_an_attempt_only_once(signed_in, owner, two_unpaid):
    http = signed_in(owner)
    start = http.post(PAY, {"invoice": two_unpaid[0].number})

    http.post(start.url, {"action": "pay"})
    http.post(start.url, {"action": "pay"})

    assert Payment.objects.count() == 1


@pytest.mark.django_db
def test_an_already_paid_invoice_cannot_be_paid_again(signed_in, owner, two_unpaid):
    PaymentFactory(invoice=two_unpaid[0])

    response = signed_in(owner).post(PAY, {"invoice": two_unpaid[0].number})

    assert response.url == reverse("billing:invoice_list")
    assert PaymentAttempt.objects.count() == 0


@pytest.mark.django_db
def test_another_clients_invoice_cannot_be_paid_here(signed_in, outsider, two_unpaid):
    response = signed_in(outsider).post(PAY, {"invoice": [two_unpaid[0].number]})

    assert response.url == reverse("billing:invoice_list")
    assert PaymentAttempt.objects.count() == 0


@pytest.mark.django_db
def test_mixing_own_and_foreign_invoices_pays_nothing(signed_in, owner, outsider, two_unpaid):
    foreign = InvoiceFactory(order=OrderFactory(client=own_client(outsider)))

    signed_in(owner).post(PAY, {"invoice": [two_unpaid[0].number, foreign.number]})

    assert PaymentAttempt.objects.count() == 0


@pytest.mark.django_db
def test_paying_with_nothing_chosen_says_so(signed_in, owner, two_unpaid):
    response = signed_in(owner).post(PAY, {}, follow=True)

    assert "Atzīmējiet vismaz vienu neapmaksātu rēķinu." in response.content.decode()
    assert PaymentAttempt.objects.count() == 0


@pytest.mark.django_db
def test_pay_refuses_get(signed_in, owner):
    assert signed_in(owner).get(PAY).status_code == 405


@pytest.mark.django_db
def test_pay_without_csrf_token_is_refused(owner, two_unpaid):
    from django.test import Client as HttpClient

    http = HttpClient(enforce_csrf_checks=True)
    http.force_login(owner)

    assert http.post(PAY, {"invoice": two_unpaid[0].number}).status_code == 403


@pytest.mark.django_db
def test_pay_is_for_signed_in_people(client, two_unpaid):
    response = client.post(PAY, {"invoice": two_unpaid[0].number})

    assert response.status_code == 302
    assert PaymentAttempt.objects.count() == 0


@pytest.mark.django_db
def test_demo_bank_is_gone_when_another_provider_is_configured(
    signed_in, owner, two_unpaid, settings
):
    http = signed_in(owner)
    start = http.post(PAY, {"invoice": two_unpaid[0].number})
    settings.PAYMENT_PROVIDER = "hosted"

    assert http.post(start.url, {"action": "pay"}).status_code == 404
    assert Payment.objects.count() == 0


@pytest.mark.django_db
def test_hosted_provider_redirects_to_the_gateway_with_a_signed_request(
    signed_in, owner, two_unpaid, settings
):
    settings.PAYMENT_PROVIDER = "hosted"
    settings.PAYMENT_GATEWAY_URL = "https://maksajumi.example.lv/pay"
    settings.PAYMENT_MERCHANT_ID = "VZD-001"

    response = signed_in(owner).post(PAY, {"invoice": two_unpaid[0].number})

    assert response.status_code == 302
    assert response.url.startswith("https://maksajumi.example.lv/pay?merchant=VZD-001&reference=")
    assert "&signature=" in response.url


@pytest.mark.django_db
def test_without_a_provider_the_client_is_told_to_pay_by_transfer(
    signed_in, owner, two_unpaid, settings
):
    settings.PAYMENT_PROVIDER = ""

    response = signed_in(owner).post(PAY, {"invoice": two_unpaid[0].number}, follow=True)

    assert "Maksāšana portālā pašlaik nav pieejama" in response.content.decode()
    assert PaymentAttempt.objects.count() == 0
