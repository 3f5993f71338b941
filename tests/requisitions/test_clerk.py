"""The clerk's side at service level: reminders a week and a day before a deadline (once each,
again for an extended deadline), expiry and automatic termination by the service's setting,
"assign to me", templates, and the staff told of an answer."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.core import mail
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.urls import reverse

from accounts.roles import CLIENT_CONTACT
from notifications.models import Notification, StaffEmail
from notifications.tasks import send_staff_email
from orders.models import OrderPart, Service
from orders.workflow import OrderStatus
from requisitions import services
from requisitions.models import RequestEvent, RequestTemplate
from requisitions.services import ItemSpec
from requisitions.workflow import RequestState
from tests.factories import EServiceFactory, OrderPartFactory, StaffFactory

S = RequestState
pytestmark = pytest.mark.django_db


@pytest.fixture
def clerk():
    return StaffFactory()


@pytest.fixture
def part():
    return OrderPartFactory(
        status=OrderStatus.IN_PROGRESS, planned_completion_date=date(2026, 12, 30)
    )


def reminders(part) -> list[str]:
    return list(
        Notification.objects.filter(client=part.client, kind=Notification.Kind.REQUEST)
        .filter(Q(subject__startswith="Atgādinājums") | Q(subject__startswith="Šodien beidzas"))
        .order_by("created_at", "pk")
        .values_list("subject", flat=True)
    )


def raised(part, clerk, clock, *, on=date(2026, 11, 2), deadline=date(2026, 12, 2)):
    clock.set(on)
    return services.raise_request(
        part, [ItemSpec("Plāns")], "Iesniedziet plānu.", by=clerk, deadline=deadline
    )


# --- Reminders ------------------------------------------------------------------------------------


def test_a_week_and_a_day_before_the_deadline_the_client_is_reminded_once_each(part, clerk, clock):
    request = raised(part, clerk, clock)  # deadline Wednesday 2 December
    sent = []
    for day in range(12):  # 20 November … 1 December, the beat once a day and a re-run each day
        today = date(2026, 11, 20) + timedelta(days=day)
        sent += [services.send_reminders(today), services.send_reminders(today)]
    # One reminder a week before, one the day before.
    assert sum(s["week"] for s in sent) == 1
    assert sum(s["day"] for s in sent) == 1
    assert reminders(part) == [
        "Atgādinājums: līdz atbildes termiņam 7 dienas",
        "Atgādinājums: līdz atbildes termiņam 1 diena",
    ]
    request.refresh_from_db()
    assert (request.reminded_week_for, request.reminded_day_for) == (
        date(2026, 12, 2),
        date(2026, 12, 2),
    )


def test_a_reminder_is_emailed_to_the_clients_people(
    part, clerk, clock, django_capture_on_commit_callbacks
):
    raised(part, clerk, clock)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.send_reminders(date(2026, 11, 25))
    assert [m.subject for m in mail.outbox] == [
        "Mans konts: Atgādinājums: līdz atbildes termiņam 7 dienas"
    ]
    assert f"{settings.SITE_URL}{reverse('orders:detail', args=[part.order.number])}" in (
        mail.outbox[0].body
    )


def test_a_missed_day_still_reminds_once_within_the_window(part, clerk, clock):
    raised(part, clerk, clock)
    assert services.send_reminders(date(2026, 11, 28)) == {"week": 1, "day": 0}  # 4 days left
    assert services.send_reminders(date(2026, 12, 2)) == {"week": 0, "day": 1}  # the last day
    assert reminders(part)[-1] == "Šodien beidzas atbildes termiņš VZD pieprasījumam"


def test_an_answered_request_is_not_reminded(part, clerk, clock):
    clock.set(date(2026, 11, 2))
    request = services.raise_request(
        part,
        [ItemSpec("Tālrunis", "information")],
        "Tālrunis.",
        by=clerk,
        deadline=date(2026, 12, 2),
    )
    person = part.client.person
    services.save_draft(request, by=person, texts={request.items.get().pk: "+37120000000"})
    services.submit_answer(request, by=person)
    assert services.send_reminders(date(2026, 11, 25)) == {"week": 0, "day": 0}


def test_a_part_closed_meanwhile_gets_no_reminder(part, clerk, clock):
    raised(part, clerk, clock)
    OrderPart.objects.filter(pk=part.pk).update(status=OrderStatus.CANCELLED)
    assert services.send_reminders(date(2026, 11, 25)) == {"week": 0, "day": 0}


def test_an_extended_deadline_gets_its_own_reminders(part, clerk, clock):
    request = raised(part, clerk, clock)
    services.send_reminders(date(2026, 11, 25))
    services.send_reminders(date(2026, 12, 1))
    services.expire_due(date(2026, 12, 3))
    clock.set(date(2026, 12, 3))
    services.extend(request, date(2026, 12, 21), by=clerk)  # Monday
    assert services.send_reminders(date(2026, 12, 14)) == {"week": 1, "day": 0}
    assert services.send_reminders(date(2026, 12, 20)) == {"week": 0, "day": 1}
    assert len(reminders(part)) == 4


def test_a_deadline_set_within_the_week_skips_the_week_reminder_the_notice_just_gave(
    part, clerk, clock
):
    request = raised(part, clerk, clock)
    services.expire_due(date(2026, 12, 3))
    clock.set(date(2026, 12, 3))
    services.extend(request, date(2026, 12, 7), by=clerk)  # four days: told in the notice
    assert services.send_reminders(date(2026, 12, 4)) == {"week": 0, "day": 0}
    assert services.send_reminders(date(2026, 12, 6)) == {"week": 0, "day": 1}


def test_a_request_raised_for_tomorrow_gets_no_reminder(part, clerk, clock):
    raised(part, clerk, clock, on=date(2026, 12, 1), deadline=date(2026, 12, 2))
    assert services.send_reminders(date(2026, 12, 1)) == {"week": 0, "day": 0}


def test_asked_again_with_a_new_deadline_is_reminded_for_it(clerk, clock):
    part = OrderPartFactory(status=OrderStatus.IN_PROGRESS)
    clock.set(date(2026, 11, 2))
    request = services.raise_request(
        part,
        [ItemSpec("Tālrunis", "information")],
        "Tālrunis.",
        by=clerk,
        deadline=date(2026, 11, 20),
    )
    person = part.client.person
    services.save_draft(request, by=person, texts={request.items.get().pk: "?"})
    services.submit_answer(request, by=person)
    services.ask_again(request, "Norādiet pilnu numuru.", by=clerk, deadline=date(2026, 12, 2))
    assert services.send_reminders(date(2026, 11, 25)) == {"week": 1, "day": 0}


# --- Expiry and automatic termination -------------------------------------------------------------


def test_expiry_then_termination_n_days_after_the_deadline_by_the_service(part, clerk, clock):
    Service.objects.filter(pk=part.service_id).update(request_auto_terminate_days=5)
    request = raised(part, clerk, clock)
    assert services.expire_due(date(2026, 12, 2)) == 0  # the last day is still the client's
    assert services.expire_due(date(2026, 12, 3)) == 1
    assert services.terminate_overdue(date(2026, 12, 7)) == 0  # deadline + 5 = 7 December
    assert services.terminate_overdue(date(2026, 12, 8)) == 1
    assert services.terminate_overdue(date(2026, 12, 9)) == 0  # a re-run finds nothing
    request.refresh_from_db()
    part.refresh_from_db()
    assert request.state == S.TERMINATED
    assert part.status == OrderStatus.CANCELLED
    event = request.events.get(action=RequestEvent.Action.TERMINATED)
    assert event.by is None
    assert event.note == (
        "Atbilde uz pieprasījumu netika saņemta līdz termiņam 02.12.2026, tāpēc izpilde "
        "pārtraukta automātiski."
    )
    told = Notification.objects.filter(client=part.client).order_by("-created_at", "-pk").first()
    assert told.subject == "Izpilde pārtraukta: pieprasījums netika izpildīts"
    assert "pārtraukta automātiski" in told.body


def test_without_the_setting_an_expired_request_waits_for_the_clerk(part, clerk, clock):
    assert Service.objects.get(pk=part.service_id).request_auto_terminate_days is None
    request = raised(part, clerk, clock)
    services.expire_due(date(2026, 12, 3))
    assert services.terminate_overdue(date(2027, 3, 1)) == 0
    request.refresh_from_db()
    assert request.state == S.EXPIRED


def test_an_extended_request_is_not_terminated_automatically(part, clerk, clock):
    Service.objects.filter(pk=part.service_id).update(request_auto_terminate_days=0)
    request = raised(part, clerk, clock)
    services.expire_due(date(2026, 12, 3))
    clock.set(date(2026, 12, 3))
    services.extend(request, date(2026, 12, 21), by=clerk)
    assert services.terminate_overdue(date(2026, 12, 10)) == 0
    request.refresh_from_db()
    assert request.state == S.OPEN


def test_an_eservice_request_is_cancelled_automatically_too(clerk, clock):
    eservice = EServiceFactory()
    Service.objects.filter(pk=eservice.service_id).update(request_auto_terminate_days=1)
    clock.set(date(2026, 11, 2))
    request = services.raise_request(
        eservice, [ItemSpec("Plāns")], "Plāns.", by=clerk, deadline=date(2026, 12, 2)
    )
    services.expire_due(date(2026, 12, 3))
    assert services.terminate_overdue(date(2026, 12, 4)) == 1
    eservice.refresh_from_db()
    request.refresh_from_db()
    assert (request.state, eservice.status) == (S.TERMINATED, "cancelled")


# --- Assign to me ---------------------------------------------------------------------------------


def test_assign_to_me_is_on_the_record_and_refused_once_settled(part, clerk, clock):
    request = raised(part, clerk, clock)
    other = StaffFactory(first_name="Ilze", last_name="Ozola")
    services.assign(request, to=other, by=other)
    services.assign(request, to=other, by=other)  # again: nothing new
    request.refresh_from_db()
    assert request.assignee == other
    events = request.events.filter(action=RequestEvent.Action.ASSIGNED)
    assert [(e.by, e.note, e.to_state) for e in events] == [(other, "Ilze Ozola", S.OPEN)]
    services.withdraw(request, by=clerk)
    with pytest.raises(ValidationError, match="tas vairs nav jāizskata"):
        services.assign(request, to=clerk, by=clerk)


def test_only_staff_may_be_assigned(part, clerk, clock):
    request = raised(part, clerk, clock)
    with pytest.raises(ValidationError):
        services.assign(request, to=part.client.person, by=clerk)


# --- Templates ------------------------------------------------------------------------------------


def test_a_template_gives_its_text_and_items_and_is_kept_on_the_request(part, clerk, clock):
    template = RequestTemplate.objects.create(
        service=part.service, name="Robežu plāns", text="Iesniedziet zemes robežu plānu."
    )
    template.items.create(position=1, name="Zemes robežu plāns", signed_required=True)
    template.items.create(position=2, name="Kontakttālrunis", kind="information")
    text, items = services.from_template(template)
    clock.set(date(2026, 11, 2))
    request = services.raise_request(part, items, text, by=clerk, template=template)
    assert request.template == template
    assert request.text == "Iesniedziet zemes robežu plānu."
    assert [(i.name, i.kind, i.signed_required) for i in request.items.all()] == [
        ("Zemes robežu plāns", "file", True),
        ("Kontakttālrunis", "information", False),
    ]
    assert list(services.templates_for(part)) == [template]
    other = EServiceFactory(service=Service.objects.exclude(pk=part.service_id).first())
    assert list(services.templates_for(other)) == []


# --- The answer reaches the staff ---------------------------------------------------------------


def _answer(request):
    person = request.client.person
    services.save_draft(request, by=person, message="Lūdzu.", texts={request.items.get().pk: "Jā"})
    services.submit_answer(request, by=person)


def _info_request(clerk, clock):
    clock.set(date(2026, 11, 2))
    return services.raise_request(
        OrderPartFactory(status=OrderStatus.IN_PROGRESS),
        [ItemSpec("Apliecinājums", "information")],
        "Apliecinājums.",
        by=clerk,
    )


def test_an_answer_is_emailed_to_the_assignee_with_the_admin_link(
    clerk, clock, django_capture_on_commit_callbacks
):
    request = _info_request(clerk, clock)
    assignee = StaffFactory(email="ilze@vzd.example.lv")
    services.assign(request, to=assignee, by=assignee)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        _answer(request)
    staff_mail = [m for m in mail.outbox if m.to == ["ilze@vzd.example.lv"]]
    assert [m.subject for m in staff_mail] == [
        f"Mans konts (VZD): Saņemta atbilde uz pieprasījumu Nr. {request.pk}"
    ]
    assert f"/admin/requisitions/request/{request.pk}/change/" in staff_mail[0].body
    assert "Ziņa: Lūdzu." in staff_mail[0].body


def test_without_an_assignee_the_one_who_raised_it_is_told(clerk, clock):
    request = _info_request(clerk, clock)
    _answer(request)
    assert list(StaffEmail.objects.values_list("recipient", flat=True)) == [clerk.pk]


def test_with_nobody_left_the_role_is_told(clock):
    raiser = StaffFactory()
    request = _info_request(raiser, clock)
    raiser.is_active = False
    raiser.save()
    contact = StaffFactory()
    contact.groups.set([Group.objects.get(name=CLIENT_CONTACT)])
    _answer(request)
    assert list(StaffEmail.objects.values_list("recipient", flat=True)) == [contact.pk]


def test_a_staff_email_delivered_twice_is_sent_once(clerk, clock):
    request = _info_request(clerk, clock)
    _answer(request)
    email = StaffEmail.objects.get()
    mail.outbox.clear()
    assert send_staff_email(email.pk) is True
    assert send_staff_email(email.pk) is False
    assert len(mail.outbox) == 1
