"""What happens to orders: status changes (the one place that makes them) and service ranking."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Case, IntegerField, Value, When
from django.utils import timezone

from manskonts.collation import latvian_key
from manskonts.workflow import check_transition
from orders.models import OrderPart, OrderPartStatusChange, Service
from orders.workflow import TRANSITIONS, OrderStatus

STATUS_LABELS = dict(OrderStatus.choices)


def change_order_part_status(
    part: OrderPart, new_status: str, *, by=None, note: str = ""
) -> OrderPart:
    """Move an order part to a new status, or raise StatusChangeError; records from/to/when/who.

    The row is locked so that two clerks changing it at once cannot both pass the check.
    """
    with transaction.atomic():
        locked = OrderPart.objects.select_for_update().get(pk=part.pk)
        check_transition(TRANSITIONS, STATUS_LABELS, locked.status, new_status)
        now = timezone.now()
        OrderPartStatusChange.objects.create(
            part=locked,
            from_status=locked.status,
            to_status=new_status,
            changed_at=now,
            changed_by=by,
            note=note,
        )
        locked.status = new_status
        locked.status_changed_at = now
        locked.save(update_fields=["status", "status_changed_at"])
        if new_status == OrderStatus.REGISTERED:
            from orders.planning import plan_on_registration

            plan_on_registration(locked, timezone.localdate(now))
        from notifications.services import notify_order_part_status

        notify_order_part_status(locked)
    part.status, part.status_changed_at = locked.status, locked.status_changed_at
    part.planned_completion_date = locked.planned_completion_date
    return part


def rank_services() -> None:
    """Store every service's position in Latvian alphabetical order, for sorting by name."""
    services = sorted(Service.objects.only("pk", "name"), key=lambda s: latvian_key(s.name))
    if not services:
        return
    Service.objects.update(
        name_rank=Case(
            *[When(pk=s.pk, then=Value(i)) for i, s in enumerate(services, start=1)],
            output_field=IntegerField(),
        )
    )
