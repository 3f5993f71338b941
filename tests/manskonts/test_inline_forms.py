"""The small forms outside a page's main form go through the one field renderer too (issue 13
point 4): the header's acting-for select and language switch, each user's role on the users page,
the invoices' pay boxes and the demo sign-in buttons — labels, ids, aria-describedby and error
markup as every field's, every id on the page once."""

from __future__ import annotations

from collections import Counter

import pytest
from django.template.loader import render_to_string
from lxml import html as lxml_html

from accounts.forms import ActingForForm, RoleForm
from accounts.models import Client, Membership
from billing.forms import PayForm
from tests.factories import InvoiceFactory, LegalClientFactory, OrderFactory


def repeated_ids(page: str) -> dict[str, int]:
    ids = Counter(lxml_html.fromstring(page).xpath("//@id"))
    return {name: n for name, n in ids.items() if n > 1}


@pytest.mark.django_db
def test_the_acting_for_select_is_a_renderer_field_group(signed_in, colleague, legal):
    page = signed_in(colleague).get("/mans-konts/?a=1").content.decode()
    own = Client.objects.get_or_create_for_person(colleague)

    header = lxml_html.fromstring(page).xpath('//form[@class="mk-acting-for"]')[0]
    group = header.xpath('.//div[@class="govuk-form-group"]')[0]
    label = group.xpath(".//label")[0]
    select = group.xpath(".//select")[0]
    assert (label.get("for"), label.get("class"), label.text) == (
        "acting-for",
        "govuk-label",
        "Darbojos kā",
    )
    assert (select.get("id"), select.get("name"), select.get("class")) == (
        "acting-for",
        "client",
        "govuk-select",
    )
    assert [(o.get("value"), o.text, o.get("selected")) for o in select.xpath(".//option")] == [
        (str(legal.pk), legal.name, None),
        (str(own.pk), "Savā vārdā", "selected"),
    ]
    assert select.get("aria-describedby") is None  # no hint, no error
    nxt = header.xpath('.//input[@name="next"]')[0]
    assert (nxt.get("type"), nxt.get("id"), nxt.get("value")) == (
        "hidden",
        "acting-for-next",
        "/mans-konts/?a=1",
    )
    assert repeated_ids(page) == {}


@pytest.mark.django_db
def test_a_bad_acting_for_choice_shows_the_error_the_way_every_field_does(colleague, legal):
    own = Client.objects.get_or_create_for_person(colleague)
    form = ActingForForm({"client": "x"}, user=colleague, choices=[own, legal])

    rendered = str(form)

    assert not form.is_valid()
    assert '<p id="acting-for-client-error" class="govuk-error-message">' in rendered
    assert 'aria-describedby="acting-for-client-error"' in rendered
    assert "govuk-select--error" in rendered


@pytest.mark.django_db
def test_switching_still_refuses_what_is_not_ones_own(signed_in, colleague, legal):
    stranger = LegalClientFactory(registration_number="50003123455")
    http = signed_in(colleague)

    assert http.post("/mans-konts/parstaviba/", {"client": "abc"}).status_code == 404
    assert http.post("/mans-konts/parstaviba/", {"client": stranger.pk}).status_code == 404
    moved = http.post("/mans-konts/parstaviba/", {"client": legal.pk, "next": "/mans-konts/"})
    assert (moved.status_code, moved["Location"]) == (302, "/mans-konts/")


def test_the_language_switch_posts_language_and_next_as_before(client):
    page = client.get("/?x=1").content.decode()

    form = lxml_html.fromstring(page).xpath('//form[@action="/i18n/valoda/"]')[0]
    fields = {i.get("name"): (i.get("type"), i.get("value")) for i in form.xpath(".//input")}
    assert fields["language"] == ("hidden", "en")
    assert fields["next"] == ("hidden", "/?x=1")
    assert form.xpath(".//button")[0].text_content().strip() == "English"
    assert repeated_ids(page) == {}


@pytest.mark.django_db
def test_each_users_role_is_a_renderer_select_with_its_own_label(
    signed_in, legal, legal_admin, colleague
):
    page = signed_in(legal_admin, acting_for=legal).get("/mans-konts/lietotaji/").content.decode()
    member = Membership.objects.get(client=legal, user=colleague)

    tree = lxml_html.fromstring(page)
    select = tree.get_element_by_id(f"role-{member.pk}")
    label = tree.xpath(f'//label[@for="role-{member.pk}"]')[0]
    assert label.get("class") == "govuk-label govuk-visually-hidden"
    assert label.text == f"Loma personai {colleague.personal_code_display}"
    assert select.get("name") == "role"
    assert select.getparent().get("class") == "govuk-form-group"
    assert [o.get("value") for o in select.xpath(".//option[@selected]")] == [member.role]
    assert select.get("required") is None  # every option is a role
    assert repeated_ids(page) == {}


@pytest.mark.django_db
def test_a_role_error_is_written_as_every_fields(colleague, legal):
    member = Membership.objects.get(client=legal, user=colleague)

    form = RoleForm({"role": "owner"}, membership=member)
    rendered = str(form)

    assert not form.is_valid()
    assert f'<p id="role-{member.pk}-role-error" class="govuk-error-message">' in rendered
    assert f'aria-describedby="role-{member.pk}-role-error"' in rendered


@pytest.fixture
def payments_on(settings):
    settings.PAYMENT_PROVIDER = "demo"
    settings.PAYMENT_CALLBACK_SECRET = "inline-forms-secret"


@pytest.mark.django_db
def test_the_pay_boxes_are_the_renderers_checkbox_items(
    signed_in, owner, owner_client, payments_on
):
    for number in ("R2026-000101", "R2026-000102"):
        InvoiceFactory(order=OrderFactory(client=owner_client), number=number)

    page = signed_in(owner).get("/mans-konts/rekini/").content.decode()
    items = PayForm(payable_numbers=["R2026-000102", "R2026-000101"])["invoice"].items_by_value

    for number in ("R2026-000101", "R2026-000102"):
        assert items[number] in page
    tree = lxml_html.fromstring(page)
    boxes = tree.xpath('//input[@name="invoice"]')
    assert sorted(b.get("value") for b in boxes) == ["R2026-000101", "R2026-000102"]
    for box in boxes:
        label = tree.xpath(f'//label[@for="{box.get("id")}"]')[0]
        assert label.text_content() == f"Apmaksāt rēķinu {box.get('value')}"
    assert repeated_ids(page) == {}


def test_a_checkbox_group_writes_the_same_items_a_table_places_apart():
    form = PayForm(payable_numbers=["R1", "R2"])

    group = render_to_string("forms/govuk/checkboxes.html", form["invoice"].get_context())

    assert list(form["invoice"].items_by_value) == ["R1", "R2"]
    for item in form["invoice"].items_by_value.values():
        assert item in group


def test_the_demo_sign_in_buttons_are_forms_with_their_own_ids(client, settings):
    settings.DEMO_IDP_ENABLED = True

    page = client.get("/pieslegties/?next=/mans-konts/rekini/").content.decode()

    tree = lxml_html.fromstring(page)
    forms = [f for f in tree.xpath("//form") if f.get("action") == "/pieslegties/demo/"]
    assert forms
    first = {i.get("name"): (i.get("id"), i.get("value")) for i in forms[0].xpath(".//input")}
    assert first["person"] == ("demo-0-person", "12058512340")
    assert first["next"] == ("demo-0-next", "/mans-konts/rekini/")
    assert repeated_ids(page) == {}


@pytest.mark.django_db
def test_a_demo_sign_in_goes_on_and_refuses_an_unknown_person(client, settings):
    settings.DEMO_IDP_ENABLED = True

    unknown = client.post("/pieslegties/demo/", {"person": "01010112345"})
    signed = client.post("/pieslegties/demo/", {"person": "12058512340", "next": "/mans-konts/"})

    assert unknown.status_code == 404
    assert (signed.status_code, signed["Location"]) == (302, "/mans-konts/")


@pytest.mark.django_db
def test_the_invoice_pages_pay_button_posts_its_invoice_through_the_renderer(
    signed_in, owner, owner_client, payments_on
):
    invoice = InvoiceFactory(order=OrderFactory(client=owner_client), number="R2026-000103")

    page = signed_in(owner).get(f"/mans-konts/rekini/{invoice.number}/").content.decode()

    form = lxml_html.fromstring(page).xpath('//form[@action="/mans-konts/rekini/apmaksat/"]')[0]
    [hidden] = form.xpath(".//input[@name='invoice']")
    assert (hidden.get("type"), hidden.get("id"), hidden.get("value")) == (
        "hidden",
        "pay-invoice",
        "R2026-000103",
    )
    assert repeated_ids(page) == {}
