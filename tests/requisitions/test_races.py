"""Two clerks settling the same answered request at once: the row lock lets one through and the
other is refused by the workflow; the part is resumed once and the record has one decision."""

from __future__ import annotations

import threading
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from notifications.models import Notification
from orders.models import OrderPartStatusChange, Service
from orders.workflow import OrderStatus
from requisitions import services
from requisitions.models import RequestEvent
from requisitions.services import ItemSpec
from requisitions.workflow import RequestState
from tests.factories import OrderPartFactory, StaffFactory


@pytest.mark.django_db(transaction=True)
def test_accept_and_ask_again_at_once_only_one_wins(reference_data):
    clerk_a, clerk_b = StaffFactory(), StaffFactory()
    for round_number in range(8):
        part = OrderPartFactory(
            status=OrderStatus.IN_PROGRESS, planned_completion_date=date(2026, 12, 30)
        )
        request = services.raise_request(
            part, [ItemSpec("Apliecinājums", "information")], "Apliecinājums.", by=clerk_a
        )
        person = part.client.person
        services.save_draft(request, by=person, texts={request.items.get().pk: "Apliecinu."})
        services.submit_answer(request, by=person)
        barrier = threading.Barrier(2)
        outcomes: list[str] = []

        def run(act, barrier=barrier, outcomes=outcomes, request=request):
            try:
                barrier.wait(timeout=10)
                act(request)
                outcomes.append("done")
            except ValidationError:
                outcomes.append("refused")
            except Exception as error:
                outcomes.append(repr(error))
            finally:
                connection.close()

        threads = [
            threading.Thread(target=run, args=(lambda r: services.accept(r, by=clerk_a),)),
            threading.Thread(
                target=run, args=(lambda r: services.ask_again(r, "Vēl.", by=clerk_b),)
            ),
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)

        assert sorted(outcomes) == ["done", "refused"], f"round {round_number}"
        request.refresh_from_db()
        decisions = RequestEvent.objects.filter(
            request=request, from_state=RequestState.ANSWERED
        ).count()
        assert decisions == 1, f"round {round_number}"
        resumed = OrderPartStatusChange.objects.filter(
            part=part, to_status=OrderStatus.IN_PROGRESS
        ).count()
        assert resumed == (1 if request.state == RequestState.ACCEPTED else 0)


def _at_once(*calls) -> list:
    """Run the calls in threads released together; what each returned (or raised)."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(i, call):
        try:
            barrier.wait(timeout=10)
            results[i] = call()
        except Exception as error:
            results[i] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


@pytest.mark.django_db(transaction=True)
def test_two_beats_reminding_at_once_remind_each_request_once(reference_data):
    requests = [
        services.raise_request(
            OrderPartFactory(status=OrderStatus.IN_PROGRESS),
            [ItemSpec("Plāns")],
            "Plāns.",
            by=None,
            deadline=date(2027, 1, 29),
        )
        for _ in range(12)
    ]
    week_before = date(2027, 1, 22)
    results = _at_once(
        lambda: services.send_reminders(week_before), lambda: services.send_reminders(week_before)
    )
    assert sum(r["week"] for r in results) == len(requests), results
    reminded = Notification.objects.filter(subject__startswith="Atgādinājums").count()
    assert reminded == len(requests)


@pytest.mark.django_db(transaction=True)
def test_a_clerk_extending_while_the_beat_terminates_one_wins(reference_data):
    clerk = StaffFactory()
    for round_number in range(6):
        part = OrderPartFactory(status=OrderStatus.IN_PROGRESS)
        Service.objects.filter(pk=part.service_id).update(request_auto_terminate_days=0)
        request = services.raise_request(
            part, [ItemSpec("Plāns")], "Plāns.", by=None, deadline=date(2027, 1, 29)
        )
        services.expire_due(date(2027, 2, 1))
        extend, terminated = _at_once(
            lambda request=request: services.extend(request, date(2099, 3, 2), by=clerk),
            lambda: services.terminate_overdue(date(2027, 2, 2)),
        )
        request.refresh_from_db()
        part.refresh_from_db()
        if terminated == 1:
            assert isinstance(extend, ValidationError), f"round {round_number}"
            assert (request.state, part.status) == (RequestState.TERMINATED, "cancelled")
        else:
            assert terminated == 0 and not isinstance(extend, Exception), f"round {round_number}"
            assert (request.state, part.status) == (RequestState.OPEN, OrderStatus.SUSPENDED)


@pytest.mark.django_db(transaction=True)
def test_a_client_answering_while_a_clerk_withdraws_another_request_of_the_part(reference_data):
    """Both go through, neither deadlocked, and the part's 'Gaida manu atbildi' flag agrees with
    the requests at the end. Found in review: the flag's part lock was taken when the request
    moved, before the withdrawal locked the part's other requests, so the two waited on each
    other and PostgreSQL aborted one."""
    from orders.models import OrderPart

    clerk = StaffFactory()
    for round_number in range(8):
        part = OrderPartFactory(status=OrderStatus.IN_PROGRESS)
        first = services.raise_request(part, [ItemSpec("Plāns")], "Plāns.", by=clerk)
        second = services.raise_request(
            part, [ItemSpec("Tālrunis", "information")], "Tālrunis.", by=clerk
        )
        person = part.client.person
        services.save_draft(second, by=person, texts={second.items.get().pk: "+371 2"})

        results = _at_once(
            lambda first=first: services.withdraw(first, by=clerk),
            lambda second=second, person=person: services.submit_answer(second, by=person),
        )

        assert not [r for r in results if isinstance(r, Exception)], (round_number, results)
        assert OrderPart.objects.get(pk=part.pk).awaiting_reply is False, round_number
