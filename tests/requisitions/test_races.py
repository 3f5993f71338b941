"""Two clerks settling the same answered request at once: the row lock lets one through and the
other is refused by the workflow; the part is resumed once and the record has one decision."""

from __future__ import annotations

import threading
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from orders.models import OrderPartStatusChange
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
