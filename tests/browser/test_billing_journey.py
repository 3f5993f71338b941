"""A client opens an invoice, pays it at the demo bank, and downloads the result it unlocked."""

import re

import pytest

from accounts.models import Client, User
from billing.models import Payment
from orders.models import OrderPart
from tests.browser.conftest import demo_sign_in
from tests.factories import DocumentFactory, InvoiceFactory, OrderFactory, OrderPartFactory


@pytest.mark.django_db(transaction=True)
def test_pay_an_invoice_at_the_demo_bank_and_download_the_result(page, settings):
    settings.PAYMENT_PROVIDER = "demo"
    settings.PAYMENT_CALLBACK_SECRET = "browser-test-secret"
    demo_sign_in(page, "Anna Bērziņa")
    anna = Client.objects.get_or_create_for_person(User.objects.get(personal_code="12058512340"))
    order = OrderFactory(client=anna, number="2026-0004242")
    part = OrderPartFactory(order=order, delivery_method=OrderPart.Delivery.VZD_ACCOUNT)
    invoice = InvoiceFactory(order=order, number="R2026-004242")
    DocumentFactory(order_part=part, original_name="Kadastra_izziņa.pdf")

    page.goto("/mans-konts/rekini/")
    page.get_by_role("link", name="R2026-004242").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Rēķins R2026-004242"
    page.get_by_role("button", name=re.compile("^Apmaksāt 13,45")).click()

    assert page.get_by_role("heading", level=1).inner_text() == (
        "Demo banka: maksājuma apstiprināšana"
    )
    page.get_by_role("button", name="Maksāt").click()

    assert page.get_by_role("heading", level=1).inner_text() == "Maksājums saņemts"
    assert Payment.objects.get().invoice == invoice
    page.get_by_role("link", name="Rēķins R2026-004242").click()
    assert page.locator("#owed").inner_text() == "0,00\xa0€"
    assert page.get_by_text("Apmaksāts", exact=True).count() == 1

    page.get_by_role("link", name="2026-0004242").first.click()
    with page.expect_download() as download:
        page.get_by_role("link", name="Kadastra_izziņa.pdf").click()
    assert download.value.suggested_filename == "Kadastra_izziņa.pdf"
