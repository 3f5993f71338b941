"""A member of "Klientu saziņa" works the request desk in Chromium: from the start page's line to
the answered list, "Piešķirt man" and "Pieņemt atbildi" from the row, an expired request
terminated with a reason, a new request started from a template; every page and state passes axe
(WCAG 2.2 AA) at 1280 and 360 px, and the pages work without JavaScript."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone
from playwright.sync_api import expect

from accounts.roles import CLIENT_CONTACT
from orders.workflow import OrderStatus
from requisitions import services
from requisitions.models import Request, RequestTemplate
from requisitions.services import ItemSpec
from requisitions.workflow import RequestState
from tests.browser.accessibility import AXE, TAGS
from tests.browser.conftest import staff_sign_in
from tests.browser.test_accessibility import Audit, axe_page  # noqa: F401 — fixture
from tests.factories import OrderPartFactory, StaffFactory

pytestmark = pytest.mark.browser


def answered_request():
    part = OrderPartFactory(status=OrderStatus.IN_PROGRESS)
    request = services.raise_request(
        part, [ItemSpec("Apliecinājums", "information")], "Apliecinājums.", by=None
    )
    person = part.client.person
    services.save_draft(request, by=person, texts={request.items.get().pk: "Apliecinu."})
    services.submit_answer(request, by=person)
    return request


def expired_request():
    request = services.raise_request(
        OrderPartFactory(status=OrderStatus.IN_PROGRESS), [ItemSpec("Plāns")], "Plāns.", by=None
    )
    Request.objects.filter(pk=request.pk).update(deadline=timezone.localdate() - timedelta(days=1))
    services.expire_due()
    return request


def axe_within(page, selector: str) -> list[str]:
    """axe (WCAG 2.2 A/AA) on our own part of a Django admin page at 1280 and 360 px. The rest of
    those pages (the list's action checkboxes, the tabular inline's unlabelled cells) is Django's
    own markup, not audited here."""
    if not page.evaluate("typeof window.axe === 'object'"):
        page.add_script_tag(path=str(AXE))
    problems = []
    for width in (1280, 360):
        page.set_viewport_size({"width": width, "height": 800})
        result = page.evaluate(
            "([sel, options]) => axe.run({include: [[sel]]}, options)",
            [selector, {"runOnly": {"type": "tag", "values": TAGS}, "resultTypes": ["violations"]}],
        )
        problems += [
            f"{width} px: {v['id']}: {node['target']}"
            for v in result["violations"]
            for node in v["nodes"]
        ]
    page.set_viewport_size({"width": 1280, "height": 800})
    return problems


def row(page, request):
    return page.locator("#result_list tr").filter(
        has=page.locator(f"input[name='_selected_action'][value='{request.pk}']")
    )


@pytest.mark.django_db(transaction=True)
def test_a_client_contact_works_the_request_desk(axe_page):  # noqa: F811
    contact = StaffFactory(username="sazina", first_name="Ilze", last_name="Ozola")
    contact.groups.set([Group.objects.get(name=CLIENT_CONTACT)])
    answered = answered_request()
    expired = expired_request()
    template = RequestTemplate.objects.create(
        service=answered.order_part.service,
        name="Robežu plāns",
        text="Iesniedziet zemes robežu plānu.",
    )
    template.items.create(position=1, name="Zemes robežu plāns", signed_required=True)
    page = axe_page
    audit = Audit(page, "client-contact")

    page.goto("/admin/")
    staff_sign_in(page, "sazina")
    page.locator("#desk").wait_for()
    page.locator("tr[data-desk='requests_answered'] a").first.click()
    expect(row(page, answered)).to_be_visible()
    assert axe_within(page, "#result_list .row-actions") == []

    row(page, answered).get_by_role("link", name="Piešķirt man").click()
    audit.check("row action: assign to me")
    page.get_by_role("button", name="Piešķirt man").click()
    expect(page.locator(".messagelist")).to_contain_text("izdarīts")
    assert axe_within(page, ".messagelist") == []

    row(page, answered).get_by_role("link", name="Pieņemt atbildi").click()
    page.get_by_role("button", name="Pieņemt atbildi").click()
    answered.refresh_from_db()
    assert answered.state == RequestState.ACCEPTED
    assert answered.assignee == contact

    page.goto("/admin/")
    page.locator("tr[data-desk='requests_past_deadline'] a").first.click()
    row(page, expired).get_by_role("link", name="Pārtraukt izpildi").click()
    page.get_by_role("button", name="Pārtraukt izpildi").click()  # no reason: refused
    expect(page.locator(".errorlist")).to_be_visible()
    audit.check("row action: terminate without a reason")
    page.get_by_label("Pārtraukšanas iemesls (to redz klients)").fill(
        "Zemes robežu plāns netika iesniegts."
    )
    page.get_by_role("button", name="Pārtraukt izpildi").click()
    expired.refresh_from_db()
    assert expired.state == RequestState.TERMINATED

    page.goto(f"/admin/requisitions/request/add/?order_part={answered.order_part_id}")
    assert axe_within(page, ".request-template-pick") == []
    page.get_by_label("Sākt no veidnes").select_option(label="Robežu plāns")
    page.get_by_role("button", name="Aizpildīt no veidnes").click()
    expect(page.locator("#id_text")).to_have_value("Iesniedziet zemes robežu plānu.")
    expect(page.locator("#id_items-0-name")).to_have_value("Zemes robežu plāns")
    assert axe_within(page, ".request-template-pick") == []

    assert audit.found == {}, audit.report()


@pytest.mark.django_db(transaction=True)
def test_the_row_actions_work_without_javascript(browser, live_server, reference_data):
    contact = StaffFactory(username="sazina2")
    contact.groups.set([Group.objects.get(name=CLIENT_CONTACT)])
    answered = answered_request()
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto("/admin/")
        staff_sign_in(page, "sazina2")
        page.goto("/admin/requisitions/request/?state__exact=answered")
        row(page, answered).get_by_role("link", name="Pieprasīt vēlreiz").click()
        page.get_by_label("Kas vēl nepieciešams").fill("Pievienojiet parakstītu apliecinājumu.")
        page.get_by_role("button", name="Pieprasīt vēlreiz").click()
        expect(page.locator(".messagelist")).to_contain_text("izdarīts")
    finally:
        context.close()
    answered.refresh_from_db()
    assert answered.state == RequestState.ASKED_AGAIN
