from itertools import product

import pytest

from manskonts.workflow import StatusChangeError
from orders.models import OrderPartStatusChange
from orders.services import change_order_part_status
from orders.workflow import FINAL_STATUSES, TRANSITIONS, OrderStatus
from tests.factories import OrderPartFactory

LEGAL = [(a, b) for a, nexts in TRANSITIONS.items() for b in nexts]
ILLEGAL = [(a, b) for a, b in product(OrderStatus.values, repeat=2) if b not in TRANSITIONS[a]]


def test_final_statuses_are_completed_and_cancelled():
    assert {OrderStatus.COMPLETED, OrderStatus.CANCELLED} == FINAL_STATUSES


@pytest.mark.django_db
@pytest.mark.parametrize(("old", "new"), LEGAL)
def test_legal_transition_changes_status_and_records_who_when(old, new, clerk):
    part = OrderPartFactory(status=old)

    change_order_part_status(part, new, by=clerk, note="pārbaude")

    part.refresh_from_db()
    assert part.status == new
    change = OrderPartStatusChange.objects.get(part=part)
    assert (change.from_status, change.to_status, change.changed_by, change.note) == (
        old,
        new,
        clerk,
        "pārbaude",
    )
    assert change.changed_at == part.status_changed_at


@pytest.mark.django_db
@pytest.mark.parametrize(("old", "new"), ILLEGAL)
def test_illegal_transition_is_refused_with_a_message_and_nothing_changes(old, new, clerk):
    part = OrderPartFactory(status=old)
    before = part.status_changed_at

    with pytest.raises(StatusChangeError) as refused:
        change_order_part_status(part, new, by=clerk)

    part.refresh_from_db()
    assert (part.status, part.status_changed_at) == (old, before)
    assert not OrderPartStatusChange.objects.filter(part=part).exists()
    assert refused.value.messages[0].startswith(("Statusu", "Statuss jau ir"))


@pytest.mark.django_db
def test_refusal_from_a_final_status_says_it_is_final(clerk):
    part = OrderPartFactory(status=OrderStatus.COMPLETED)

    with pytest.raises(StatusChangeError) as refused:
        change_order_part_status(part, OrderStatus.IN_PROGRESS, by=clerk)

    assert refused.value.messages == [
        "Statusu „Pabeigts” nevar mainīt uz „Izpildē”. Tas ir gala statuss, to vairs nevar mainīt."
    ]


@pytest.mark.django_db
def test_unknown_status_is_refused(clerk):
    part = OrderPartFactory()

    with pytest.raises(StatusChangeError):
        change_order_part_status(part, "lost", by=clerk)


def test_every_status_has_a_client_description():
    assert all(OrderStatus.description(status) for status in OrderStatus.values)
