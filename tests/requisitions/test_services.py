"""Requests at service level: raising (with the part suspended in the same transaction), the
client's draft and answer, every transition allowed and refused, the planned date moved by the
working days a part was suspended, expiry, termination and client scoping."""

from __future__ import annotations

from datetime import date, timedelta
from itertools import product

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.urls import reverse

from documents.models import Document
from eservices.models import EServiceStatus
from manskonts.validation import validate_upload
from manskonts.workflow import StatusChangeError, check_transition
from notifications.models import Notification
from orders.models import OrderPart, OrderPartStatusChange
from orders.services import change_order_part_status
from orders.workflow import OrderStatus
from requisitions import notices, services
from requisitions.models import Request, RequestEvent, RequestItem
from requisitions.services import ItemSpec
from requisitions.workflow import LABELS, TRANSITIONS, RequestState
from tests.factories import EServiceFactory, OrderPartFactory, StaffFactory, UserFactory, own_client

S = RequestState
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PLAN = [ItemSpec("Zemes robežu plāns"), ItemSpec("Kontakttālrunis", RequestItem.Kind.INFORMATION)]

pytestmark = pytest.mark.django_db


@pytest.fixture
def clerk():
    return StaffFactory()


@pytest.fixture
def part():
    return OrderPartFactory(
        status=OrderStatus.IN_PROGRESS, planned_completion_date=date(2026, 12, 30)
    )


def pdf(name="plans.pdf"):
    return validate_upload(SimpleUploadedFile(name, PDF, content_type="application/pdf"))


def answer_everything(request, by):
    file_item, info_item = request.items.order_by("position")
    services.save_draft(
        request,
        by=by,
        message="Pielikumā plāns.",
        texts={info_item.pk: "+371 20000000"},
        files={file_item.pk: [pdf()]},
    )


def in_state(request, state) -> Request:
    Request.objects.filter(pk=request.pk).update(state=state)
    request.refresh_from_db()
    return request


# --- The graph ------------------------------------------------------------------------------------


@pytest.mark.parametrize("old,new", list(product(S.values, S.values)))
def test_every_transition_is_allowed_or_refused_as_the_graph_says(old, new):
    expected = {
        (S.OPEN, S.ANSWERED),
        (S.OPEN, S.EXPIRED),
        (S.OPEN, S.WITHDRAWN),
        (S.ANSWERED, S.ACCEPTED),
        (S.ANSWERED, S.ASKED_AGAIN),
        (S.ASKED_AGAIN, S.ANSWERED),
        (S.ASKED_AGAIN, S.EXPIRED),
        (S.EXPIRED, S.TERMINATED),
        (S.EXPIRED, S.OPEN),
    }
    if (old, new) in expected:
        check_transition(TRANSITIONS, LABELS, old, new)
    else:
        with pytest.raises(StatusChangeError):
            check_transition(TRANSITIONS, LABELS, old, new)


def _act(name, request, clerk, client_user):
    if name == "submit":
        return services.submit_answer(request, by=client_user)
    if name == "accept":
        return services.accept(request, by=clerk)
    if name == "ask_again":
        return services.ask_again(request, "Plāns bez paraksta.", by=clerk)
    if name == "extend":
        return services.extend(request, date.today() + timedelta(days=20), by=clerk)
    if name == "terminate":
        return services.terminate(request, "Dokumenti netika iesniegti.", by=clerk)
    if name == "withdraw":
        return services.withdraw(request, by=clerk)
    raise AssertionError(name)


# Which service each state allows, and the state it leads to.
ALLOWED = {
    (S.OPEN, "submit"): S.ANSWERED,
    (S.OPEN, "withdraw"): S.WITHDRAWN,
    (S.ANSWERED, "accept"): S.ACCEPTED,
    (S.ANSWERED, "ask_again"): S.ASKED_AGAIN,
    (S.ASKED_AGAIN, "submit"): S.ANSWERED,
    (S.EXPIRED, "extend"): S.OPEN,
    (S.EXPIRED, "terminate"): S.TERMINATED,
}
ACTS = ("submit", "accept", "ask_again", "extend", "terminate", "withdraw")


@pytest.mark.parametrize("state,act", list(product(S.values, ACTS)))
def test_every_service_moves_only_from_the_states_it_may(state, act, part, clerk):
    request = services.raise_request(part, PLAN, "Iesniedziet plānu.", by=clerk)
    client_user = part.client.person
    answer_everything(request, client_user)
    request = in_state(request, state)
    events = RequestEvent.objects.filter(request=request).count()
    if (state, act) in ALLOWED:
        _act(act, request, clerk, client_user)
        request.refresh_from_db()
        assert request.state == ALLOWED[(state, act)]
        last = request.events.last()
        assert (last.from_state, last.to_state) == (state, ALLOWED[(state, act)])
        assert last.by == (client_user if act == "submit" else clerk)
    else:
        with pytest.raises(ValidationError):
            _act(act, request, clerk, client_user)
        request.refresh_from_db()
        assert request.state == state
        assert RequestEvent.objects.filter(request=request).count() == events


@pytest.mark.parametrize("state", S.values)
def test_expiry_takes_only_requests_awaiting_the_client(state, part, clerk, clock):
    clock.set(date(2026, 12, 1))
    request = services.raise_request(
        part, PLAN, "Iesniedziet plānu.", by=clerk, deadline=date(2026, 12, 10)
    )
    request = in_state(request, state)
    clock.set(date(2026, 12, 11))
    assert services.expire_due() == (1 if state in (S.OPEN, S.ASKED_AGAIN) else 0)
    request.refresh_from_db()
    assert request.state == (S.EXPIRED if state in (S.OPEN, S.ASKED_AGAIN) else state)


def test_expiry_waits_until_the_deadline_has_passed(part, clerk, clock):
    clock.set(date(2026, 12, 1))
    request = services.raise_request(
        part, PLAN, "Iesniedziet plānu.", by=clerk, deadline=date(2026, 12, 10)
    )
    clock.set(date(2026, 12, 10))
    assert services.expire_due() == 0  # the deadline day itself is still in time
    assert services.expire_due(date(2026, 12, 11)) == 1
    request.refresh_from_db()
    assert request.state == S.EXPIRED
    assert request.events.last().by is None
    assert Notification.objects.filter(
        client=part.client, subject="Pieprasījuma termiņš ir beidzies"
    ).exists()


# --- Raising --------------------------------------------------------------------------------------


def test_raise_suspends_the_part_and_tells_the_client(part, clerk, clock):
    clock.set(date(2026, 11, 25))
    request = services.raise_request(part, PLAN, "Iesniedziet zemes robežu plānu.", by=clerk)
    part.refresh_from_db()
    assert part.status == OrderStatus.SUSPENDED
    change = OrderPartStatusChange.objects.filter(part=part).last()
    assert (change.from_status, change.to_status, change.changed_by) == (
        OrderStatus.IN_PROGRESS,
        OrderStatus.SUSPENDED,
        clerk,
    )
    assert change.note == f"Pieprasījums Nr. {request.pk}"
    assert request.state == S.OPEN
    assert request.suspended_part
    assert request.client == part.client
    assert request.deadline == date(2026, 12, 28)  # 30 days → Christmas → Monday
    assert [i.name for i in request.items.all()] == ["Zemes robežu plāns", "Kontakttālrunis"]
    event = request.events.get()
    assert (event.action, event.to_state, event.by) == ("raised", S.OPEN, clerk)
    notice = Notification.objects.get(client=part.client, kind=Notification.Kind.REQUEST)
    assert notice.subject == "VZD pieprasa informāciju: atbildiet līdz 28.12.2026"
    assert "Līdz atbildei pasūtījuma izpilde ir apturēta." in notice.body
    assert notice.link == reverse("orders:detail", args=[part.order.number])


def test_a_failure_after_the_suspension_rolls_both_back(part, clerk, monkeypatch):
    def broken(request):
        raise RuntimeError("notice failed")

    monkeypatch.setattr(notices, "notify_raised", broken)
    with pytest.raises(RuntimeError):
        services.raise_request(part, PLAN, "Iesniedziet plānu.", by=clerk)
    part.refresh_from_db()
    assert part.status == OrderStatus.IN_PROGRESS
    assert not OrderPartStatusChange.objects.filter(part=part).exists()
    assert not Request.objects.exists()
    assert not RequestItem.objects.exists()


def test_raise_without_suspending_leaves_the_part_running(part, clerk):
    request = services.raise_request(part, PLAN, "Iesniedziet plānu.", by=clerk, suspend=False)
    part.refresh_from_db()
    assert part.status == OrderStatus.IN_PROGRESS
    assert not request.suspended_part


def test_raise_on_an_eservice_suspends_nothing(clerk):
    eservice = EServiceFactory(status=EServiceStatus.PROCESSING)
    request = services.raise_request(eservice, PLAN, "Iesniedziet plānu.", by=clerk)
    assert request.client == eservice.client
    assert not request.suspended_part
    notice = Notification.objects.get(client=eservice.client, kind=Notification.Kind.REQUEST)
    assert f"e-pakalpojumam {eservice.pk}" in notice.body


@pytest.mark.parametrize("status", [OrderStatus.COMPLETED, OrderStatus.CANCELLED])
def test_no_request_on_a_finished_part(status, clerk):
    part = OrderPartFactory(status=status)
    with pytest.raises(ValidationError, match="pieprasījumu tai vairs nevar izveidot"):
        services.raise_request(part, PLAN, "Iesniedziet plānu.", by=clerk)
    assert not Request.objects.exists()


def test_raise_needs_text_items_and_a_future_deadline(part, clerk, clock):
    clock.set(date(2026, 12, 1))
    with pytest.raises(ValidationError, match="Aprakstiet"):
        services.raise_request(part, PLAN, "  ", by=clerk)
    with pytest.raises(ValidationError, match="vismaz vienu"):
        services.raise_request(part, [ItemSpec(" ")], "Plāns.", by=clerk)
    with pytest.raises(ValidationError, match="nākotnē"):
        services.raise_request(part, PLAN, "Plāns.", by=clerk, deadline=date(2026, 11, 30))
    # A given deadline on a Saturday moves to Monday.
    request = services.raise_request(part, PLAN, "Plāns.", by=clerk, deadline=date(2026, 12, 12))
    assert request.deadline == date(2026, 12, 14)


def test_a_request_is_on_exactly_one_part_or_eservice(part, clerk):
    eservice = EServiceFactory(client=part.client)
    for target in ({"order_part": part, "eservice": eservice}, {}):
        with pytest.raises(IntegrityError), transaction.atomic():
            Request.objects.create(
                client=part.client, text="x", deadline=date(2026, 12, 30), **target
            )


# --- The answer -----------------------------------------------------------------------------------


def test_the_draft_is_kept_across_visits_and_submitted_once_complete(part, clerk):
    request = services.raise_request(part, PLAN, "Iesniedziet plānu.", by=clerk)
    person = part.client.person
    file_item, info_item = request.items.order_by("position")
    services.save_draft(request, by=person, files={file_item.pk: [pdf()]})
    with pytest.raises(ValidationError, match="trūkst: Kontakttālrunis"):
        services.submit_answer(request, by=person)
    services.save_draft(request, by=person, message="Lūdzu.", texts={info_item.pk: "+371 2"})
    answer = services.submit_answer(request, by=person)
    request.refresh_from_db()
    assert request.state == S.ANSWERED
    assert (answer.message, answer.submitted_by) == ("Lūdzu.", person)
    document = answer.items.get(item=file_item).documents.get()
    assert (document.direction, document.order_part, document.uploaded_by) == (
        Document.Direction.SUBMITTED,
        part,
        person,
    )
    # Asked again: a new draft, the first answer kept.
    services.ask_again(request, "Plānam vajag parakstu.", by=clerk)
    answer_everything(request, person)
    services.submit_answer(request, by=person)
    assert request.answers.count() == 2
    assert request.answers.filter(submitted_at__isnull=True).count() == 0


def test_nothing_drafted_is_nothing_to_submit(part, clerk):
    request = services.raise_request(part, PLAN, "Iesniedziet plānu.", by=clerk)
    with pytest.raises(ValidationError, match="nekas nav ierakstīts"):
        services.submit_answer(request, by=part.client.person)


def test_a_terminated_part_refuses_an_answer_and_says_why(part, clerk):
    request = services.raise_request(part, PLAN, "Iesniedziet plānu.", by=clerk)
    answer_everything(request, part.client.person)
    # A clerk terminated the part directly while the request was open.
    change_order_part_status(part, OrderStatus.CANCELLED, by=clerk)
    with pytest.raises(ValidationError) as refused:
        services.submit_answer(request, by=part.client.person)
    assert refused.value.messages == [
        "Pasūtījuma daļas izpilde ir pārtraukta, tāpēc atbildi uz pieprasījumu vairs nevar "
        "iesniegt."
    ]
    with pytest.raises(ValidationError, match="izpilde ir pārtraukta"):
        services.save_draft(request, by=part.client.person, message="Vēl viens")
    request.refresh_from_db()
    assert request.state == S.OPEN


# --- Settling and the planned date ----------------------------------------------------------------


def test_accept_resumes_the_part_and_moves_its_date_by_the_working_days_suspended(
    part, clerk, clock
):
    clock.set(date(2026, 11, 13))  # Friday
    request = services.raise_request(part, PLAN, "Iesniedziet plānu.", by=clerk)
    answer_everything(request, part.client.person)
    services.submit_answer(request, by=part.client.person)
    clock.set(date(2026, 11, 19))  # Thursday: Fri, Mon, Tue lost; Wed 18th a holiday
    services.accept(request, by=clerk)
    part.refresh_from_db()
    assert part.status == OrderStatus.IN_PROGRESS
    assert part.original_planned_completion_date == date(2026, 12, 30)
    # 30 Dec + 3 working days: 31 Dec is a holiday, 1 Jan too → 4, 5, 6 January 2027.
    assert part.planned_completion_date == date(2027, 1, 6)
    assert request.state == S.ACCEPTED
    notice = Notification.objects.filter(client=part.client).order_by("pk").last()
    assert notice.subject == "VZD pieņēma Jūsu atbildi"
    assert notice.body.endswith("Pasūtījuma izpilde ir atsākta.")


def test_resumed_the_same_day_the_date_does_not_move(part, clerk, clock):
    clock.set(date(2026, 12, 2))
    request = services.raise_request(part, PLAN, "Iesniedziet plānu.", by=clerk)
    answer_everything(request, part.client.person)
    services.submit_answer(request, by=part.client.person)
    services.accept(request, by=clerk)
    part.refresh_from_db()
    assert part.status == OrderStatus.IN_PROGRESS
    assert part.planned_completion_date == date(2026, 12, 30)
    assert part.original_planned_completion_date is None


def test_a_second_suspension_keeps_the_first_original_date(part, clerk, clock):
    clock.set(date(2026, 12, 1))  # Tuesday
    first = services.raise_request(part, PLAN, "Plāns.", by=clerk)
    clock.set(date(2026, 12, 2))
    services.withdraw(first, by=clerk)
    part.refresh_from_db()
    assert part.planned_completion_date == date(2027, 1, 4)  # 30 Dec + 1 (31st, 1st holidays)
    clock.set(date(2026, 12, 3))
    second = services.raise_request(part, PLAN, "Plāns.", by=clerk)
    clock.set(date(2026, 12, 4))
    services.withdraw(second, by=clerk)
    part.refresh_from_db()
    assert part.planned_completion_date == date(2027, 1, 5)
    assert part.original_planned_completion_date == date(2026, 12, 30)


def test_a_part_suspended_by_two_requests_resumes_when_the_last_is_settled(part, clerk):
    first = services.raise_request(part, PLAN, "Plāns.", by=clerk)
    second = services.raise_request(part, PLAN, "Vēl kaut kas.", by=clerk)
    assert (first.suspended_part, second.suspended_part) == (True, False)
    services.withdraw(first, by=clerk)
    part.refresh_from_db()
    second.refresh_from_db()
    assert part.status == OrderStatus.SUSPENDED
    assert second.suspended_part
    services.withdraw(second, by=clerk)
    part.refresh_from_db()
    assert part.status == OrderStatus.IN_PROGRESS


def test_extend_reopens_an_expired_request_with_a_working_day_deadline(part, clerk, clock):
    clock.set(date(2026, 12, 1))
    request = services.raise_request(part, PLAN, "Plāns.", by=clerk, deadline=date(2026, 12, 3))
    services.expire_due(date(2026, 12, 4))
    clock.set(date(2026, 12, 7))
    with pytest.raises(ValidationError, match="nākotnē"):
        services.extend(request, date(2026, 12, 7), by=clerk)
    services.extend(request, date(2026, 12, 19), by=clerk)  # a Saturday
    request.refresh_from_db()
    assert (request.state, request.deadline) == (S.OPEN, date(2026, 12, 21))
    event = request.events.last()
    assert (event.action, event.deadline, event.by) == ("extended", date(2026, 12, 21), clerk)
    part.refresh_from_db()
    assert part.status == OrderStatus.SUSPENDED  # still waiting for the client


def test_terminate_ends_the_part_with_the_reason(part, clerk, clock):
    clock.set(date(2026, 12, 1))
    request = services.raise_request(part, PLAN, "Plāns.", by=clerk, deadline=date(2026, 12, 3))
    services.expire_due(date(2026, 12, 4))
    with pytest.raises(ValidationError, match="iemeslu"):
        services.terminate(request, " ", by=clerk)
    services.terminate(request, "Robežu plāns netika iesniegts termiņā.", by=clerk)
    part.refresh_from_db()
    assert part.status == OrderStatus.CANCELLED
    change = OrderPartStatusChange.objects.filter(part=part).last()
    assert change.note == "Robežu plāns netika iesniegts termiņā."
    notice = Notification.objects.filter(client=part.client, kind="request").order_by("pk").last()
    assert notice.body.endswith("Iemesls: Robežu plāns netika iesniegts termiņā.")
    with pytest.raises(ValidationError, match="izpilde ir pārtraukta"):
        services.submit_answer(request, by=part.client.person)


def test_terminate_on_an_eservice_cancels_it(clerk):
    eservice = EServiceFactory(status=EServiceStatus.PROCESSING)
    request = services.raise_request(eservice, PLAN, "Plāns.", by=clerk)
    in_state(request, S.EXPIRED)
    services.terminate(request, "Nav iesniegts.", by=clerk)
    eservice.refresh_from_db()
    assert eservice.status == EServiceStatus.CANCELLED


def test_the_full_history_is_on_the_record(part, clerk):
    request = services.raise_request(part, PLAN, "Plāns.", by=clerk)
    person = part.client.person
    answer_everything(request, person)
    services.submit_answer(request, by=person)
    services.ask_again(request, "Vēl paraksts.", by=clerk)
    answer_everything(request, person)
    services.submit_answer(request, by=person)
    services.accept(request, by=clerk)
    assert [(e.action, e.by) for e in request.events.all()] == [
        ("raised", clerk),
        ("answered", person),
        ("asked_again", clerk),
        ("answered", person),
        ("accepted", clerk),
    ]
    assert request.events.get(action="asked_again").note == "Vēl paraksts."


# --- Scoping --------------------------------------------------------------------------------------


def test_another_clients_request_is_not_in_the_client_scoped_queryset(part, clerk):
    mine = services.raise_request(part, PLAN, "Plāns.", by=clerk)
    other_client = own_client(UserFactory())
    theirs = services.raise_request(
        OrderPartFactory(order__client=other_client, status=OrderStatus.IN_PROGRESS),
        PLAN,
        "Plāns.",
        by=clerk,
    )
    assert list(Request.objects.for_client(part.client)) == [mine]
    assert list(Request.objects.for_client(other_client)) == [theirs]
    assert not Request.objects.for_client(part.client).filter(pk=theirs.pk).exists()


def test_the_client_is_the_parts_client(part, clerk):
    request = services.raise_request(part, PLAN, "Plāns.", by=clerk)
    assert request.client_id == OrderPart.objects.get(pk=part.pk).client_id
