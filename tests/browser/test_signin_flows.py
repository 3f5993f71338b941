"""Sign-in, acting for a legal person and the legal-person application, as a person would do them."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import Group
from django.contrib.sessions.models import Session
from playwright.sync_api import expect

from accounts.models import Client, LegalPersonApplication, Membership, User
from accounts.roles import ACCOUNT_REVIEWER
from tests.browser.conftest import demo_sign_in, staff_sign_in
from tests.factories import LegalClientFactory, StaffFactory

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.mark.django_db(transaction=True)
def test_demo_sign_in_switch_to_the_legal_person_and_sign_out(page):
    legal = LegalClientFactory(registration_number="40003517893", name="SIA „Zemes Mērnieki”")
    janis, _ = User.objects.get_or_create_person(
        "03039214561", first_name="Jānis", last_name="Kalniņš"
    )
    Membership.objects.create(client=legal, user=janis, role=Membership.Role.ADMIN)

    demo_sign_in(page, "Jānis Kalniņš")
    expect(page.get_by_label("Darbojos kā")).to_have_value(
        str(Client.objects.get_or_create_for_person(janis).pk)
    )
    page.get_by_label("Darbojos kā").select_option(label="SIA „Zemes Mērnieki”")
    page.get_by_role("button", name="Mainīt").click()

    expect(page.get_by_label("Darbojos kā")).to_have_value(str(legal.pk))
    page.get_by_role("link", name="Lietotāji").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Lietotāji")
    expect(page.locator(".govuk-caption-l")).to_have_text("SIA „Zemes Mērnieki”")
    assert Session.objects.count() == 1

    page.get_by_role("button", name="Iziet").click()

    expect(page.get_by_role("link", name="Pieslēgties", exact=True)).to_be_visible()
    assert Session.objects.filter(session_data__contains="_auth_user_id").count() == 0
    page.goto("/mans-konts/")
    expect(page).to_have_url(re.compile(r"/pieslegties/\?next=/mans-konts/$"))


@pytest.mark.django_db(transaction=True)
def test_new_person_applies_clerk_approves_and_the_person_acts_for_the_legal_person(
    page, browser, live_server
):
    # A new person signs in and applies for a legal person's account.
    demo_sign_in(page, "Ilze Krūmiņa")
    page.get_by_role("link", name="Pieteikumi").click()
    page.get_by_role("button", name="Pieteikt juridiskās personas kontu").click()
    page.get_by_label("Reģistrācijas numurs").fill("5000 312 3455")
    page.get_by_label("Nosaukums").fill("SIA „Krūmiņa Zeme”")
    page.get_by_label("Juridiskā adrese").fill("Lielā iela 1, Jelgava, LV-3001")
    page.get_by_label("Kontaktu e-pasts").fill("birojs@krumina.example.lv")
    page.get_by_label("Tālrunis").fill("+371 63000000")
    page.get_by_label("Valdes loceklis").check()
    page.get_by_label("Pārstāvību apliecinošs dokuments").set_input_files(
        {"name": "valdes-lemums.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    page.get_by_label("Lietotāji (neobligāti)").fill("320517-41234")
    page.get_by_role("button", name="Iesniegt pieteikumu").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("SIA „Krūmiņa Zeme”")
    expect(page.locator(".govuk-tag").first).to_have_text("Izskatīšanā")
    application = LegalPersonApplication.objects.get()

    # A clerk signs in to the admin and approves it.
    clerk = StaffFactory(username="klerks")
    clerk.groups.set([Group.objects.get(name=ACCOUNT_REVIEWER)])
    staff_context = browser.new_context(base_url=live_server.url, locale="lv-LV")
    staff = staff_context.new_page()
    staff.set_default_timeout(10_000)
    try:
        staff.goto("/admin/")
        staff_sign_in(staff, "klerks")
        staff.get_by_role("link", name="Juridisko personu kontu pieteikumi").first.click()
        staff.get_by_role("link", name="SIA „Krūmiņa Zeme”").click()
        staff.get_by_role("button", name="Apstiprināt pieteikumu").click()
        expect(staff.locator(".messagelist")).to_contain_text("Pieteikums apstiprināts")
    finally:
        staff_context.close()

    application.refresh_from_db()
    assert application.status == LegalPersonApplication.Status.APPROVED

    # The person is told, and now acts for the legal person.
    page.goto("/mans-konts/pazinojumi/")
    expect(page.get_by_role("main")).to_contain_text("Pieteikums apstiprināts: SIA „Krūmiņa Zeme”")
    page.get_by_label("Darbojos kā").select_option(label="SIA „Krūmiņa Zeme”")
    page.get_by_role("button", name="Mainīt").click()
    expect(page.get_by_label("Darbojos kā")).to_have_value(str(application.client_id))
    page.get_by_role("link", name="Lietotāji").click()
    expect(page.get_by_role("table")).to_contain_text("320517-41234")
    expect(page.get_by_role("table")).to_contain_text("Krūmiņa")
