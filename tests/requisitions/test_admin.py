"""Requests in the admin: a clerk raises one with its checklist inline (the service's default
deadline filled in), settles it with the list's actions (through the services), and the desk
counts answered requests and those past their deadline."""

from __future__ import annotations

from datetime import date

import lxml.html
import pytest
from django.urls import reverse

from orders.workflow import OrderStatus
from requisitions import services
from requisitions.models import Request
from requisitions.services import ItemSpec
from requisitions.workflow import RequestState
from tests.admin_pages import form_data
from tests.factories import OrderPartFactory, StaffFactory

pytestmark = pytest.mark.django_db

ADD = reverse("admin:requisitions_request_add")
LIST = reverse("admin:requisitions_request_changelist")


@pytest.fixture
def superuser(client):
    user = StaffFactory(is_superuser=True)
    client.force_login(user)
    return user


@pytest.fixture
def part():
    return OrderPartFactory(
        status=OrderStatus.IN_PROGRESS, planned_completion_date=date(2026, 12, 30)
    )


def test_the_add_page_fills_the_services_default_deadline(client, superuser, part, clock):
    clock.set(date(2026, 11, 25))
    page = client.get(f"{ADD}?order_part={part.pk}")
    assert page.status_code == 200
    field = lxml.html.fromstring(page.content.decode()).get_element_by_id("id_deadline")
    assert field.get("value") == "28.12.2026"  # 30 days → Christmas → Monday


def test_a_clerk_raises_a_request_with_two_items_and_the_part_is_suspended(
    client, superuser, part, clock
):
    clock.set(date(2026, 11, 25))
    page = client.get(ADD)
    data = form_data(
        page,
        Request,
        order_part=str(part.pk),
        text="Iesniedziet zemes robežu plānu un apliecinājumu.",
        deadline="",
        suspend="on",
        **{
            "items-0-name": "Zemes robežu plāns",
            "items-0-kind": "file",
            "items-0-signed_required": "on",
            "items-1-name": "Apliecinājums",
            "items-1-kind": "information",
        },
    )
    response = client.post(ADD, data)
    assert response.status_code == 302, response.context and response.context.get("errors")
    request = Request.objects.get()
    assert (request.state, request.deadline, request.raised_by) == (
        RequestState.OPEN,
        date(2026, 12, 28),
        superuser,
    )
    assert [(i.name, i.kind, i.signed_required) for i in request.items.all()] == [
        ("Zemes robežu plāns", "file", True),
        ("Apliecinājums", "information", False),
    ]
    part.refresh_from_db()
    assert part.status == OrderStatus.SUSPENDED
    # The request's page shows its history.
    change = client.get(reverse("admin:requisitions_request_change", args=[request.pk]))
    assert change.status_code == 200
    assert "Pieprasīts" in change.content.decode()


def test_the_add_page_refuses_a_finished_part_and_no_items(client, superuser):
    done = OrderPartFactory(status=OrderStatus.COMPLETED)
    page = client.get(ADD)
    response = client.post(
        ADD,
        form_data(
            page,
            Request,
            order_part=str(done.pk),
            text="Plāns.",
            **{"items-0-name": "Plāns", "items-0-kind": "file"},
        ),
    )
    assert response.status_code == 200
    assert "pieprasījumu tai vairs nevar izveidot" in response.content.decode()
    response = client.post(
        ADD, form_data(page, Request, order_part=str(OrderPartFactory().pk), text="Plāns.")
    )
    assert response.status_code == 200
    assert not Request.objects.exists()


def _answered(part, clerk):
    request = services.raise_request(
        part, [ItemSpec("Apliecinājums", "information")], "Apliecinājums.", by=clerk
    )
    person = part.client.person
    services.save_draft(request, by=person, texts={request.items.get().pk: "Apliecinu."})
    services.submit_answer(request, by=person)
    return request


def test_a_clerk_accepts_an_answer_from_the_list(client, superuser, part, clock):
    clock.set(date(2026, 11, 13))
    request = _answered(part, superuser)
    clock.set(date(2026, 11, 19))
    confirm = client.post(
        LIST, {"action": "accept_answer", "_selected_action": [request.pk], "index": "0"}
    )
    response = client.post(
        LIST,
        {"action": "accept_answer", "_selected_action": [request.pk], "index": "0", "apply": "1"},
    )
    assert confirm.status_code == 200  # "Pieņemt atbildi" asks to confirm first
    assert response.status_code == 302
    request.refresh_from_db()
    part.refresh_from_db()
    assert request.state == RequestState.ACCEPTED
    assert part.status == OrderStatus.IN_PROGRESS
    assert part.planned_completion_date == date(2027, 1, 6)


def test_ask_again_asks_what_is_needed_first(client, superuser, part):
    request = _answered(part, superuser)
    post = {"action": "ask_again", "_selected_action": [request.pk], "index": "0"}
    page = client.post(LIST, post)
    assert page.status_code == 200
    assert "Kas vēl nepieciešams" in page.content.decode()
    response = client.post(LIST, {**post, "apply": "1", "text": "Vajag parakstu.", "deadline": ""})
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.state == RequestState.ASKED_AGAIN
    assert request.events.last().note == "Vajag parakstu."


def test_extend_and_terminate_from_the_list(client, superuser, part, clock):
    clock.set(date(2026, 12, 1))
    first = services.raise_request(
        part, [ItemSpec("Plāns")], "Plāns.", by=superuser, deadline=date(2026, 12, 3)
    )
    services.expire_due(date(2026, 12, 4))
    clock.set(date(2026, 12, 7))
    client.force_login(superuser)  # a week later: a new sign-in (the idle session ended)
    response = client.post(
        LIST,
        {
            "action": "extend_deadline",
            "_selected_action": [first.pk],
            "index": "0",
            "apply": "1",
            "deadline": "19.12.2026",
        },
    )
    assert response.status_code == 302
    first.refresh_from_db()
    assert (first.state, first.deadline) == (RequestState.OPEN, date(2026, 12, 21))
    services.expire_due(date(2026, 12, 22))
    response = client.post(
        LIST,
        {
            "action": "terminate_part",
            "_selected_action": [first.pk],
            "index": "0",
            "apply": "1",
            "reason": "Plāns netika iesniegts.",
        },
    )
    assert response.status_code == 302
    part.refresh_from_db()
    assert part.status == OrderStatus.CANCELLED


def test_an_action_refused_by_the_workflow_says_so_and_changes_nothing(client, superuser, part):
    request = services.raise_request(part, [ItemSpec("Plāns")], "Plāns.", by=superuser)
    response = client.post(
        LIST,
        {"action": "accept_answer", "_selected_action": [request.pk], "index": "0", "apply": "1"},
        follow=True,
    )
    assert "nevar mainīt uz „Pieņemts”" in response.content.decode()
    request.refresh_from_db()
    assert request.state == RequestState.OPEN


def test_the_desk_counts_answered_and_expired_requests(client, superuser, part, clock):
    clock.set(date(2026, 12, 1))
    _answered(part, superuser)
    services.raise_request(
        OrderPartFactory(status=OrderStatus.IN_PROGRESS),
        [ItemSpec("Plāns")],
        "Plāns.",
        by=superuser,
        deadline=date(2026, 12, 3),
    )
    services.expire_due(date(2026, 12, 4))
    page = lxml.html.fromstring(client.get(reverse("admin:index")).content.decode())
    lines = {
        row.get("data-desk"): row.xpath("td/a")[0] for row in page.xpath("//div[@id='desk']//tr")
    }
    for key in ("requests_answered", "requests_past_deadline"):
        assert lines[key].text.strip() == "1"
        listed = client.get(lines[key].get("href"))
        assert listed.context["cl"].result_count == 1
