"""The desk for requests, as a member of "Klientu saziņa" uses it: the answered and expired lists
oldest first, filtered by service group, state and assignee; each row's actions one link away
(assign to me, accept, ask again, extend, terminate); a request started from a template."""

from __future__ import annotations

from datetime import date
from urllib.parse import quote

import lxml.html
import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.roles import CLERK, CLIENT_CONTACT, ROLES
from orders.models import Service, ServiceGroup
from orders.workflow import OrderStatus
from requisitions import services
from requisitions.admin import ACTION_SPECS
from requisitions.models import Request, RequestTemplate
from requisitions.services import ItemSpec
from requisitions.workflow import RequestState
from tests.admin_pages import form_data
from tests.factories import OrderPartFactory, StaffFactory

S = RequestState
pytestmark = pytest.mark.django_db
LIST = reverse("admin:requisitions_request_changelist")
ADD = reverse("admin:requisitions_request_add")


def act(request, name: str) -> str:
    return reverse("admin:requisitions_request_act", args=[request.pk, name])


@pytest.fixture
def contact(client):
    user = StaffFactory(first_name="Ilze", last_name="Ozola")
    user.groups.set([Group.objects.get(name=CLIENT_CONTACT)])
    client.force_login(user)
    return user


def answered(clock, day, service=None):
    clock.set(day)
    part = OrderPartFactory(
        status=OrderStatus.IN_PROGRESS, **({"service": service} if service else {})
    )
    request = services.raise_request(
        part, [ItemSpec("Apliecinājums", "information")], "Apliecinājums.", by=None
    )
    person = part.client.person
    services.save_draft(request, by=person, texts={request.items.get().pk: "Apliecinu."})
    services.submit_answer(request, by=person)
    return request


def rows(response) -> list[int]:
    return [obj.pk for obj in response.context["cl"].result_list]


def row_links(response, request) -> dict[str, str]:
    page = lxml.html.fromstring(response.content.decode())
    checkbox = page.xpath(f"//input[@name='_selected_action'][@value='{request.pk}']")[0]
    row = checkbox.getparent().getparent()
    return {a.text: a.get("href") for a in row.xpath(".//ul[@class='row-actions']//a")}


def test_the_answered_queue_is_oldest_first_whatever_was_raised_first(client, contact, clock):
    newer = answered(clock, date(2026, 11, 2))
    older = answered(clock, date(2026, 11, 3))
    clock.set(date(2026, 11, 4))
    # `newer` was raised first but answered again later: the queue orders by waiting time.
    Request.objects.filter(pk=newer.pk).update(
        state_changed_at=older.state_changed_at.replace(hour=23)
    )
    response = client.get(LIST, {"state__exact": S.ANSWERED})
    assert rows(response) == [older.pk, newer.pk]


def test_the_list_filters_by_service_group_and_assignee(client, contact, clock):
    cadastre = Service.objects.get(code="kadastra-info-ipasums")
    other_service = Service.objects.exclude(group=cadastre.group).order_by("pk").first()
    mine = answered(clock, date(2026, 11, 2))
    theirs = answered(clock, date(2026, 11, 3), service=other_service)
    unassigned = answered(clock, date(2026, 11, 4))
    services.assign(mine, to=contact, by=contact)
    colleague = StaffFactory()
    services.assign(theirs, to=colleague, by=colleague)

    assert rows(client.get(LIST, {"grupa": cadastre.group_id})) == [unassigned.pk, mine.pk]
    assert rows(client.get(LIST, {"grupa": other_service.group_id})) == [theirs.pk]
    assert rows(client.get(LIST, {"atbildigais": "man"})) == [mine.pk]
    assert rows(client.get(LIST, {"atbildigais": "nav"})) == [unassigned.pk]
    assert rows(client.get(LIST, {"atbildigais": str(colleague.pk)})) == [theirs.pk]
    groups = client.get(LIST).context["cl"].filter_specs[1]
    assert {choice["display"] for choice in groups.choices(client.get(LIST).context["cl"])} >= {
        g.name for g in ServiceGroup.objects.all()
    }


def test_assign_to_me_from_the_row_and_back_to_the_same_filtered_list(client, contact, clock):
    request = answered(clock, date(2026, 11, 2))
    listed = client.get(LIST, {"state__exact": S.ANSWERED})
    links = row_links(listed, request)
    assert list(links) == ["Piešķirt man", "Pieņemt atbildi", "Pieprasīt vēlreiz"]

    page = client.get(links["Piešķirt man"])
    assert page.status_code == 200
    response = client.post(links["Piešķirt man"], {})
    assert response.status_code == 302
    assert response.url == f"{LIST}?state__exact=answered"
    request.refresh_from_db()
    assert request.assignee == contact
    # Now theirs: the row no longer offers it.
    again = client.get(LIST, {"state__exact": S.ANSWERED})
    assert list(row_links(again, request)) == ["Pieņemt atbildi", "Pieprasīt vēlreiz"]


def test_accept_from_the_row_resumes_the_part(client, contact, clock):
    request = answered(clock, date(2026, 11, 2))
    clock.set(date(2026, 11, 4))
    response = client.post(act(request, "accept_answer"), {})
    assert response.status_code == 302
    request.refresh_from_db()
    request.order_part.refresh_from_db()
    assert (request.state, request.order_part.status) == (S.ACCEPTED, OrderStatus.IN_PROGRESS)


def test_ask_again_from_the_row_needs_its_text(client, contact, clock):
    request = answered(clock, date(2026, 11, 2))
    refused = client.post(act(request, "ask_again"), {"text": ""})
    assert refused.status_code == 200
    assert refused.context["form"].errors["text"]
    request.refresh_from_db()
    assert request.state == S.ANSWERED
    client.post(act(request, "ask_again"), {"text": "Pievienojiet parakstu."})
    request.refresh_from_db()
    assert request.state == S.ASKED_AGAIN


def test_an_expired_request_is_extended_or_terminated_from_its_row(client, contact, clock):
    clock.set(date(2026, 11, 2))
    one, two = (
        services.raise_request(
            OrderPartFactory(status=OrderStatus.IN_PROGRESS),
            [ItemSpec("Plāns")],
            "Plāns.",
            by=None,
            deadline=date(2026, 11, 20),
        )
        for _ in range(2)
    )
    services.expire_due(date(2026, 11, 23))
    clock.set(date(2026, 11, 23))
    listed = client.get(LIST, {"state__exact": S.EXPIRED})
    assert list(row_links(listed, one)) == [
        "Piešķirt man",
        "Pagarināt termiņu",
        "Pārtraukt izpildi",
    ]
    client.post(act(one, "extend_deadline"), {"deadline": "07.12.2026"})
    client.post(act(two, "terminate_part"), {"reason": "Robežu plāns netika iesniegts."})
    one.refresh_from_db()
    two.refresh_from_db()
    two.order_part.refresh_from_db()
    assert (one.state, one.deadline) == (S.OPEN, date(2026, 12, 7))
    assert (two.state, two.order_part.status) == (S.TERMINATED, OrderStatus.CANCELLED)


def test_a_refused_row_action_says_why_and_changes_nothing(client, contact, clock):
    request = answered(clock, date(2026, 11, 2))
    response = client.post(act(request, "extend_deadline"), {"deadline": "07.12.2026"}, follow=True)
    assert "nevar mainīt uz „Gaida klienta atbildi”" in response.content.decode()
    request.refresh_from_db()
    assert request.state == S.ANSWERED


def test_the_row_action_never_returns_to_another_site(client, contact, clock):
    request = answered(clock, date(2026, 11, 2))
    response = client.post(
        act(request, "assign_to_me") + "?next=" + quote("https://evil.example/"), {}
    )
    assert response.url == LIST


def test_a_role_without_requests_gets_403_and_an_unknown_action_404(client, contact, clock):
    request = answered(clock, date(2026, 11, 2))
    assert client.get(act(request, "delete_everything")).status_code == 404
    assert (
        client.get(
            reverse("admin:requisitions_request_act", args=[999999, "assign_to_me"])
        ).status_code
        == 404
    )
    clerk = StaffFactory()
    clerk.groups.set([Group.objects.get(name=CLERK)])
    client.force_login(clerk)
    assert client.get(act(request, "assign_to_me")).status_code == 403
    assert client.post(act(request, "assign_to_me"), {}).status_code == 403
    request.refresh_from_db()
    assert request.assignee is None


def test_a_request_started_from_a_template_has_its_text_and_items(client, contact, clock):
    clock.set(date(2026, 11, 25))
    part = OrderPartFactory(status=OrderStatus.IN_PROGRESS)
    template = RequestTemplate.objects.create(
        service=part.service, name="Robežu plāns", text="Iesniedziet zemes robežu plānu."
    )
    template.items.create(position=1, name="Zemes robežu plāns", signed_required=True)
    template.items.create(position=2, name="Kontakttālrunis", kind="information")
    chooser = client.get(ADD, {"order_part": part.pk})
    assert [t.pk for t in chooser.context["request_templates"]] == [template.pk]

    page = client.get(ADD, {"order_part": part.pk, "template": template.pk})
    html = lxml.html.fromstring(page.content.decode())
    assert html.get_element_by_id("id_text").text_content().strip() == template.text
    assert html.get_element_by_id("id_items-0-name").get("value") == "Zemes robežu plāns"
    assert html.get_element_by_id("id_items-1-name").get("value") == "Kontakttālrunis"

    data = form_data(page, Request, order_part=str(part.pk), deadline="")
    response = client.post(f"{ADD}?order_part={part.pk}&template={template.pk}", data)
    assert response.status_code == 302, response.context and response.context["errors"]
    request = Request.objects.get()
    assert (request.template, request.text) == (template, template.text)
    assert [(i.name, i.kind, i.signed_required) for i in request.items.all()] == [
        ("Zemes robežu plāns", "file", True),
        ("Kontakttālrunis", "information", False),
    ]


def test_a_requests_page_saved_unchanged_is_not_a_server_error(client, clock):
    """Found by the role matrix: saving a request's (read-only) page answered 500."""
    superuser = StaffFactory(is_superuser=True)
    client.force_login(superuser)
    request = answered(clock, date(2026, 11, 2))
    url = reverse("admin:requisitions_request_change", args=[request.pk])
    response = client.post(url, form_data(client.get(url), Request))
    assert response.status_code == 302


def test_the_request_list_runs_the_same_queries_for_one_row_or_many(client, contact, clock):
    def queries() -> int:
        client.get(LIST, {"state__exact": S.ANSWERED})  # warm the caches (session, content types)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(LIST, {"state__exact": S.ANSWERED})
        assert response.status_code == 200
        return len(captured)

    services.assign(answered(clock, date(2026, 11, 2)), to=contact, by=contact)
    one = queries()
    for day in range(3, 9):
        services.assign(answered(clock, date(2026, 11, day)), to=contact, by=contact)
    assert queries() == one


def test_the_requests_own_page_offers_its_actions(client, contact, clock):
    """The staff email of an answer links to the request's page: its actions are one link away."""
    request = answered(clock, date(2026, 11, 2))
    url = reverse("admin:requisitions_request_change", args=[request.pk])
    page = lxml.html.fromstring(client.get(url).content.decode())
    links = {a.text: a.get("href") for a in page.xpath("//ul[@class='object-tools']//a")}
    assert {"Piešķirt man", "Pieņemt atbildi", "Pieprasīt vēlreiz"} <= set(links)
    response = client.post(links["Pieņemt atbildi"], {})
    assert response.url == url
    request.refresh_from_db()
    assert request.state == S.ACCEPTED
    settled = lxml.html.fromstring(client.get(url).content.decode())
    assert [a.text for a in settled.xpath("//ul[@class='object-tools']//a")] == ["Vēsture"]


@pytest.mark.parametrize("role", sorted(ROLES))
@pytest.mark.parametrize("name", sorted(ACTION_SPECS))
def test_a_row_action_page_is_for_client_contact_alone(client, clock, role, name):
    """Each row action's page, GET and POST, for each role: 200 (a POST acts) for "Klientu
    saziņa", 403 and nothing changed for every other; signed out, the sign-in page."""
    request = answered(clock, date(2026, 11, 2))
    before = Request.objects.filter(pk=request.pk).values().get()
    url = act(request, name)
    signed_out = client.get(url)
    assert signed_out.status_code == 302
    assert signed_out.url.startswith(reverse("admin:login"))
    user = StaffFactory()
    user.groups.set([Group.objects.get(name=role)])
    client.force_login(user)
    get, post = client.get(url), client.post(url, {})
    if role == CLIENT_CONTACT:
        assert (get.status_code, post.status_code in (200, 302)) == (200, True)
    else:
        assert (get.status_code, post.status_code) == (403, 403)
        assert Request.objects.filter(pk=request.pk).values().get() == before
