"""The conversation on an order and an e-service page in headless Chromium: axe (WCAG 2.2 AA and
best practices), 24 px targets and focus not hidden, at 1280 and 360 px (and no sideways scroll
at 320 px), with no messages, with messages both ways and attachments, with the form's errors;
'Uzdot jautājumu' and its errors; and a message posted with JavaScript switched off."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import Client, User
from conversations import services
from conversations.models import Message, Thread
from manskonts.validation import validate_upload
from tests.browser.conftest import demo_sign_in
from tests.browser.test_accessibility import DESKTOP, Audit
from tests.factories import EServiceFactory, OrderFactory, OrderPartFactory, StaffFactory

ANNA = "12058512340"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def axe_page(browser, live_server, reference_data):
    # axe is injected as an inline script, which our Content-Security-Policy rightly refuses.
    context = browser.new_context(
        base_url=live_server.url, bypass_csp=True, locale="lv-LV", viewport=DESKTOP
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def anna() -> tuple[User, Client]:
    person = User.objects.get(personal_code=ANNA)
    return person, Client.objects.get_or_create_for_person(person)


def pdf_file(tmp_path: Path, name: str = "robezu plans.pdf") -> Path:
    path = tmp_path / name
    path.write_bytes(PDF)
    return path


@pytest.mark.django_db(transaction=True)
def test_the_thread_block_and_its_forms_pass_the_audit(axe_page, tmp_path):
    page = axe_page
    demo_sign_in(page, "Anna Bērziņa")
    _person, client = anna()
    order = OrderFactory(client=client, number="2026-0007001")
    OrderPartFactory(order=order, part_number=1)
    eservice = EServiceFactory(client=client)
    audit = Audit(page, "conversations")
    order_page = f"/mans-konts/pasutijumi/{order.number}/"

    # No messages yet: 'Uzdot jautājumu'.
    audit.visit(order_page)
    assert page.locator("#saruna h2").inner_text() == "Saruna ar VZD"

    # The form's errors: nothing written, then a file that is not what it says.
    form = page.locator("#saruna form")
    form.get_by_role("button", name="Nosūtīt").click()
    page.locator("#saruna .govuk-error-summary").wait_for()
    assert page.locator("#saruna .govuk-error-summary a").all_inner_texts() == [
        "Ziņa — Uzrakstiet ziņu."
    ]
    audit.check(f"{order_page} (message error)")

    # A message with an attachment, then VZD's answer with one.
    page.get_by_label("Ziņa").fill("Vai šis zemes robežu plāns der?")
    page.get_by_label("Pielikumi").set_input_files([pdf_file(tmp_path)])
    page.get_by_role("button", name="Nosūtīt").click()
    page.get_by_text("Ziņa nosūtīta VZD.").wait_for()
    clerk = StaffFactory(first_name="Ilze")
    services.post_message(
        order,
        by=clerk,
        text="Der, paldies. Pievienoju veidlapu.",
        from_staff=True,
        files=[validate_upload(_upload("veidlapa.pdf"))],
    )
    audit.visit(order_page)
    headings = page.locator("#saruna article h3").all_inner_texts()
    assert [h.split("\n")[0].strip() for h in headings] == ["Anna Bērziņa", "VZD — Ilze"]
    assert page.get_by_role("link", name="veidlapa.pdf").count() == 1

    # The e-service page with a thread, and the thread's own page with its errors (400).
    services.post_message(eservice, by=clerk, text="Lūdzam precizēt objektu.", from_staff=True)
    audit.visit(f"/mans-konts/e-pakalpojumi/{eservice.pk}/")
    page.goto(f"/mans-konts/sarunas/e-pakalpojums/{eservice.pk}/")
    page.get_by_label("Ziņa").fill("x" * 5001)
    page.get_by_role("button", name="Nosūtīt").click()
    page.locator(".govuk-error-summary").wait_for()
    audit.check(f"/mans-konts/sarunas/e-pakalpojums/{eservice.pk}/ (too long)")

    # 'Uzdot jautājumu' from the order list, and its errors.
    audit.visit("/mans-konts/sarunas/jautajums/")
    page.get_by_label("Pasūtījuma Nr.").fill("2099-0000000")
    page.get_by_role("button", name="Nosūtīt jautājumu").click()
    page.locator(".govuk-error-summary").wait_for()
    audit.check("/mans-konts/sarunas/jautajums/ (errors)")

    assert audit.found == {}, audit.report()
    assert Message.objects.filter(thread__order=order).count() == 2


def _upload(name: str):
    return SimpleUploadedFile(name, PDF, "application/pdf")


@pytest.mark.django_db(transaction=True)
def test_a_message_is_posted_with_javascript_switched_off(browser, live_server, reference_data):
    context = browser.new_context(
        base_url=live_server.url, java_script_enabled=False, locale="lv-LV"
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        demo_sign_in(page, "Anna Bērziņa")
        _person, client = anna()
        order = OrderFactory(client=client, number="2026-0007002")
        OrderPartFactory(order=order, part_number=1)

        page.goto("/mans-konts/sarunas/jautajums/?pasutijums=2026-0007002")
        page.get_by_label("Ziņa").fill("Kad būs gatavs?")
        page.get_by_role("button", name="Nosūtīt jautājumu").click()

        assert page.url.endswith("/mans-konts/pasutijumi/2026-0007002/#saruna")
        assert page.get_by_text("Kad būs gatavs?").count() == 1
        assert Thread.objects.get().status == Thread.Status.WAITING
    finally:
        context.close()
