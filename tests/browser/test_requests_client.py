"""The client's side of a request of VZD in Chromium, as a client and a clerk would use it:

(a) a clerk raises a request for two documents with a deadline in the admin → the part is
    Apturēts → the client sees "Jums jārīkojas", uploads one, writes a message, leaves, comes back,
    uploads the second and submits → the clerk accepts → Izpildē, the planned date moved and both
    dates on the page;
(b) the deadline passes → "Termiņš beidzies" → the clerk terminates with a reason → Pārtraukts,
    the reason on the client's page and no form;
(c) the client's answer with JavaScript off.

Every new page and state passes axe (WCAG 2.2 AA) at 1280 and 360 px (the Audit of
test_accessibility, which also checks 320 px reflow, target sizes and hidden focus)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import Client, User
from accounts.roles import CLIENT_CONTACT
from orders.models import OrderPart
from orders.planning import on_or_after_working_day
from orders.workflow import OrderStatus
from requisitions import services
from requisitions.models import Request, RequestItem
from requisitions.services import ItemSpec
from requisitions.workflow import RequestState
from tests.browser.conftest import demo_sign_in, staff_sign_in
from tests.browser.test_accessibility import Audit, axe_page  # noqa: F401 — fixture
from tests.factories import EServiceFactory, OrderFactory, OrderPartFactory, StaffFactory

pytestmark = pytest.mark.browser

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
ANNA = "12058512340"


def pdf(name: str) -> dict:
    return {"name": name, "mimeType": "application/pdf", "buffer": PDF}


def anna_part(number: str, planned: date) -> OrderPart:
    anna = Client.objects.get_or_create_for_person(User.objects.get(personal_code=ANNA))
    order = OrderFactory(client=anna, number=number)
    return OrderPartFactory(
        order=order,
        client=anna,
        part_number=1,
        status=OrderStatus.IN_PROGRESS,
        planned_completion_date=planned,
    )


def clerk_page(browser, live_server, username: str):
    clerk = StaffFactory(username=username, first_name="Ilze", email=f"{username}@vzd.example")
    clerk.groups.set([Group.objects.get(name=CLIENT_CONTACT)])
    context = browser.new_context(base_url=live_server.url, locale="lv-LV")
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto("/admin/")
    staff_sign_in(page, username)
    return context, page


def admin_row(page, request):
    return page.locator("#result_list tr").filter(
        has=page.locator(f"input[name='_selected_action'][value='{request.pk}']")
    )


@pytest.mark.django_db(transaction=True)
def test_a_request_answered_in_two_visits_and_accepted(axe_page, browser, live_server):  # noqa: F811
    page = axe_page
    audit = Audit(page, "request-client")
    demo_sign_in(page, "Anna Bērziņa")
    planned = on_or_after_working_day(timezone.localdate() + timedelta(days=30))
    part = anna_part("2026-0005151", planned)
    eservice = EServiceFactory(client=part.client)
    services.raise_request(eservice, [ItemSpec("Pilnvara")], "Iesniedziet pilnvaru.", by=None)

    # The clerk raises the request in the admin: two documents, a deadline.
    clerk_context, clerk = clerk_page(browser, live_server, "sazina")
    deadline = on_or_after_working_day(timezone.localdate() + timedelta(days=14))
    clerk.goto(f"/admin/requisitions/request/add/?order_part={part.pk}")
    clerk.locator("#id_text").fill("Iesniedziet zemes robežu plānu un būvatļauju.")
    clerk.locator("#id_deadline").fill(deadline.strftime("%d.%m.%Y"))
    clerk.locator("#id_items-0-name").fill("Zemes robežu plāns")
    clerk.locator("#id_items-1-name").fill("Būvatļauja")
    clerk.locator("input[name=_save]").click()
    expect(clerk.locator(".messagelist")).to_be_visible()
    request = Request.objects.get(order_part=part)
    assert request.deadline == deadline
    assert list(request.items.values_list("name", "kind")) == [
        ("Zemes robežu plāns", RequestItem.Kind.FILE),
        ("Būvatļauja", RequestItem.Kind.FILE),
    ]
    part.refresh_from_db()
    assert part.status == OrderStatus.SUSPENDED

    # The client sees the box on the overview.
    page.goto("/mans-konts/")
    box = page.get_by_test_id("action-needed")
    expect(box).to_contain_text("Jums jārīkojas")
    expect(box).to_contain_text("VZD gaida Jūsu atbildi uz 2 pieprasījumiem.")
    audit.check("overview: Jums jārīkojas")

    # Both lists tag the rows and filter them.
    page.goto("/mans-konts/pasutijumi/?awaiting=on")
    expect(page.locator("tbody tr")).to_have_count(1)
    expect(page.locator("tbody tr").first).to_contain_text("Gaida jūsu atbildi")
    audit.check("orders list: Gaida manu atbildi")
    page.goto("/mans-konts/e-pakalpojumi/?awaiting=on")
    expect(page.locator("tbody tr").first).to_contain_text("Gaida jūsu atbildi")
    audit.check("e-services list: Gaida manu atbildi")
    page.goto(f"/mans-konts/e-pakalpojumi/{eservice.pk}/")
    expect(page.locator("#pieprasijumi")).to_be_visible()
    audit.check("e-service page with a request")

    # The order page: the request in the part, then the answer page.
    page.goto("/mans-konts/")
    box.get_by_role("link", name="Pasūtījums 2026-0005151/1").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Pasūtījums 2026-0005151, daļa 1: {part.service.name}Atbilde uz pieprasījumu Nr. {request.pk}"
    )
    audit.check("answer page")
    page.get_by_label("Zemes robežu plāns").set_input_files(pdf("robezu-plans.pdf"))
    page.get_by_label("Ziņa VZD").fill("Būvatļauju iesniegšu rīt.")
    page.get_by_role("button", name="Saglabāt melnrakstu").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "Melnraksts saglabāts"
    )
    expect(page.get_by_text("Melnrakstā jau pievienotas:")).to_be_visible()
    audit.check("answer page: draft saved")
    page.get_by_role("button", name="Iesniegt atbildi").click()  # the second is missing
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Būvatļauja — Pievienojiet datni.")
    audit.check("answer page: a point missing")

    # Leaves, comes back through the order page.
    page.goto("/mans-konts/")
    page.goto("/mans-konts/pasutijumi/2026-0005151/")
    section = page.locator(f"#pieprasijums-{request.pk}")
    expect(section).to_contain_text("Jums ir saglabāts atbildes melnraksts")
    expect(page.get_by_test_id("planned-date")).to_contain_text(planned.strftime("%d.%m.%Y"))
    audit.check("order page: request with a draft")
    section.get_by_role("link", name="Turpināt atbildi").click()
    expect(page.get_by_label("Ziņa VZD")).to_have_value("Būvatļauju iesniegšu rīt.")
    page.get_by_label("Būvatļauja").set_input_files(pdf("buvatlauja.pdf"))
    page.get_by_role("button", name="Iesniegt atbildi").click()
    expect(page).to_have_url(
        f"{live_server.url}/mans-konts/pasutijumi/2026-0005151/#pieprasijums-{request.pk}"
    )
    expect(section).to_contain_text("Atbilde ir iesniegta; VZD to izskata.")
    expect(section).to_contain_text("robezu-plans.pdf")
    expect(section).to_contain_text("buvatlauja.pdf")
    audit.check("order page: answer submitted")
    request.refresh_from_db()
    assert request.state == RequestState.ANSWERED

    # A week passes while the part is suspended (moved by the test, not slept) …
    OrderPart.objects.filter(pk=part.pk).update(
        status_changed_at=timezone.now() - timedelta(days=7)
    )
    # … and the clerk accepts the answer from the desk's list.
    clerk.goto("/admin/requisitions/request/?state__exact=answered")
    admin_row(clerk, request).get_by_role("link", name="Pieņemt atbildi").click()
    clerk.get_by_role("button", name="Pieņemt atbildi").click()
    expect(clerk.locator(".messagelist")).to_be_visible()
    clerk_context.close()
    request.refresh_from_db()
    assert request.state == RequestState.ACCEPTED

    # Izpildē again, the planned date moved by the days it was suspended, both shown.
    page.reload()
    part.refresh_from_db()
    assert part.status == OrderStatus.IN_PROGRESS
    assert part.original_planned_completion_date == planned
    assert part.planned_completion_date > planned
    expect(page.locator("#part-1 ~ dl").first).to_contain_text("Izpildē")
    dates = page.get_by_test_id("planned-date")
    expect(dates).to_contain_text(part.planned_completion_date.strftime("%d.%m.%Y"))
    expect(dates).to_contain_text(f"sākotnēji {planned.strftime('%d.%m.%Y')}")
    expect(section).to_contain_text("VZD pieņēma Jūsu atbildi")
    page.get_by_text(f"Pieprasījuma Nr. {request.pk} vēsture").click()
    expect(section.locator(".mk-timeline")).to_contain_text("Atbilde pieņemta")
    audit.check("order page: answer accepted")

    assert audit.found == {}, audit.report()


@pytest.mark.django_db(transaction=True)
def test_an_unanswered_request_expires_and_the_part_is_terminated(axe_page, browser, live_server):  # noqa: F811
    page = axe_page
    audit = Audit(page, "request-expired")
    demo_sign_in(page, "Anna Bērziņa")
    part = anna_part("2026-0005252", timezone.localdate() + timedelta(days=30))
    request = services.raise_request(
        part,
        [
            ItemSpec("Zemes robežu plāns", signed_required=True),
            ItemSpec("Kontakttālrunis", "information"),
        ],
        "Iesniedziet plānu.",
        by=None,
    )
    # The deadline passes (moved by the test) and the beat's expiry runs.
    Request.objects.filter(pk=request.pk).update(deadline=timezone.localdate() - timedelta(days=1))
    assert services.expire_due() == 1

    page.goto("/mans-konts/pasutijumi/2026-0005252/")
    section = page.locator(f"#pieprasijums-{request.pk}")
    expect(section).to_contain_text("Termiņš beidzies")
    expect(section.get_by_test_id("request-refusal")).to_contain_text("Atbildes termiņš beidzās")
    expect(section.get_by_role("link", name="Atbildēt uz pieprasījumu")).to_have_count(0)
    audit.check("order page: request expired")
    page.goto(f"/mans-konts/pieprasijumi/{request.pk}/")
    expect(page.get_by_role("button", name="Iesniegt atbildi")).to_have_count(0)
    audit.check("answer page: request expired")

    clerk_context, clerk = clerk_page(browser, live_server, "sazina3")
    clerk.goto("/admin/requisitions/request/?state__exact=expired")
    admin_row(clerk, request).get_by_role("link", name="Pārtraukt izpildi").click()
    clerk.get_by_label("Pārtraukšanas iemesls (to redz klients)").fill(
        "Zemes robežu plāns netika iesniegts termiņā."
    )
    clerk.get_by_role("button", name="Pārtraukt izpildi").click()
    expect(clerk.locator(".messagelist")).to_be_visible()
    clerk_context.close()

    page.goto("/mans-konts/pasutijumi/2026-0005252/")
    expect(page.locator("#part-1 ~ dl").first).to_contain_text("Pārtraukts")
    expect(section).to_contain_text("Atbilde termiņā netika saņemta, un VZD pārtrauca izpildi.")
    expect(section).to_contain_text("Zemes robežu plāns netika iesniegts termiņā.")
    audit.check("order page: part terminated")
    page.goto(f"/mans-konts/pieprasijumi/{request.pk}/")
    expect(page.get_by_test_id("request-refusal")).to_be_visible()
    audit.check("answer page: part terminated")
    assert audit.found == {}, audit.report()
    part.refresh_from_db()
    assert part.status == OrderStatus.CANCELLED


@pytest.mark.django_db(transaction=True)
def test_the_client_answers_without_javascript(browser, live_server, reference_data):
    context = browser.new_context(
        base_url=live_server.url, locale="lv-LV", java_script_enabled=False
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        demo_sign_in(page, "Anna Bērziņa")
        part = anna_part("2026-0005353", timezone.localdate() + timedelta(days=30))
        request = services.raise_request(
            part,
            [ItemSpec("Zemes robežu plāns"), ItemSpec("Kontakttālrunis", "information")],
            "Iesniedziet plānu un tālruni.",
            by=None,
        )
        page.goto("/mans-konts/pasutijumi/2026-0005353/")
        page.get_by_role("link", name="Atbildēt uz pieprasījumu").click()
        page.get_by_label("Kontakttālrunis").fill("+371 20000000")
        page.get_by_role("button", name="Saglabāt melnrakstu").click()
        expect(page.get_by_label("Kontakttālrunis")).to_have_value("+371 20000000")
        page.get_by_label("Zemes robežu plāns").set_input_files(pdf("plans.pdf"))
        page.get_by_role("button", name="Iesniegt atbildi").click()
        expect(page.locator(f"#pieprasijums-{request.pk}")).to_contain_text("Atbilde ir iesniegta")
    finally:
        context.close()
    request.refresh_from_db()
    assert request.state == RequestState.ANSWERED
    answer = request.answers.get()
    assert answer.items.get(item__name="Kontakttālrunis").text == "+371 20000000"
    assert answer.items.get(item__name="Zemes robežu plāns").documents.count() == 1
