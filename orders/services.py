"""What happens to orders: status changes and client changes (the one place that makes each) and
service ranking."""

from __future__ import annotations

import logging

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Case, IntegerField, Value, When
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from billing.models import Invoice
from manskonts.client_move import moving_client
from manskonts.collation import latvian_key
from manskonts.workflow import check_transition
from notifications.models import Notification
from orders.models import Order, OrderClientChange, OrderPart, OrderPartStatusChange, Service
from orders.notices import notify_order_part_status
from orders.planning import plan_on_registration, resume_shift
from orders.signals import order_client_changed
from orders.workflow import FINAL_STATUSES, TRANSITIONS, OrderStatus

log = logging.getLogger("manskonts.orders")

STATUS_LABELS = dict(OrderStatus.choices)


def change_order_part_status(
    part: OrderPart, new_status: str, *, by=None, note: str = ""
) -> OrderPart:
    """Move an order part to a new status, or raise StatusChangeError; records from/to/when/who.

    The row is locked so that two clerks changing it at once cannot both pass the check. A part
    resumed from Apturēts to Izpildē has its planned date moved on by the working days it was
    suspended (the planned date does not run while the client is waited for).
    """
    with transaction.atomic():
        locked = OrderPart.objects.select_for_update().get(pk=part.pk)
        check_transition(TRANSITIONS, STATUS_LABELS, locked.status, new_status)
        now = timezone.now()
        if locked.status == OrderStatus.SUSPENDED and new_status == OrderStatus.IN_PROGRESS:
            resume_shift(
                locked, timezone.localdate(locked.status_changed_at), timezone.localdate(now)
            )
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
        fields = ["status", "status_changed_at"]
        if new_status in FINAL_STATUSES and locked.awaiting_reply:
            locked.awaiting_reply = False  # a closed part takes no answer: it awaits nobody
            fields.append("awaiting_reply")
        locked.save(update_fields=fields)
        if new_status == OrderStatus.REGISTERED:
            plan_on_registration(locked, timezone.localdate(now))
        notify_order_part_status(locked)
    part.status, part.status_changed_at = locked.status, locked.status_changed_at
    part.awaiting_reply = locked.awaiting_reply
    part.planned_completion_date = locked.planned_completion_date
    part.original_planned_completion_date = locked.original_planned_completion_date
    return part


def _order_links(order: Order, invoice_numbers: list[str]) -> list[str]:
    """The portal addresses of an order's pages that notifications may link to."""
    links = [reverse("orders:detail", args=[order.number])]
    links += [reverse("billing:invoice_detail", args=[number]) for number in invoice_numbers]
    return links


def change_order_client(order: Order, new_client, *, by, reason: str) -> OrderClientChange:
    """Move an order to another client with everything that is the client's because of it, in one
    transaction, and record who, when, from, to and why; raise ValidationError if refused.

    - its parts and invoices (each keeps a copy of the order's client for the list indexes) and,
      through the parts, the documents submitted to it and its results;
    - links to e-services of the previous client are removed, not the e-services: an e-service is
      that client's own request with the files they uploaded, so it stays theirs, and no link is
      left that would show either client the other's identifiers (the record lists them);
    - the previous client's notifications about the order keep their text but lose their link;
    - payment attempts stay with whoever started them (the payer's history); their payments and
      overpayments belong to the invoices and so move with them. A pending attempt is left to
      finish (cancelling it could not stop a bank already paying): money the bank confirms later
      is recorded against the invoice, and a new attempt of the new client supersedes it.

    Locks the order row first, then its invoices in id order, then the parts (the order in which
    a payment touches them), so a concurrent payment or part change waits instead of deadlocking.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Norādiet klienta maiņas iemeslu."), code="reason")
    with transaction.atomic():
        locked = Order.objects.select_for_update().get(pk=order.pk)
        previous_id = locked.client_id
        if previous_id == new_client.pk:
            raise ValidationError(_("Pasūtījums jau pieder šim klientam."), code="same_client")
        # Invoices locked in id order, as billing.services.record_payments locks them.
        invoice_numbers = list(
            Invoice.objects.select_for_update()
            .filter(order=locked)
            .order_by("pk")
            .values_list("number", flat=True)
        )
        with moving_client():
            moved_invoices = Invoice.objects.filter(order=locked).update(client=new_client)
            moved_parts = OrderPart.objects.filter(order=locked).update(client=new_client)
        foreign = list(locked.eservices.exclude(client=new_client).order_by("pk"))
        if foreign:
            locked.eservices.remove(*foreign)  # m2m_changed keeps their sort keys
        Notification.objects.filter(
            client_id=previous_id, link__in=_order_links(locked, invoice_numbers)
        ).update(link="")
        with moving_client():
            Order.objects.filter(pk=locked.pk).update(client=new_client)
        order_client_changed.send(
            sender=Order, order=locked, previous_client_id=previous_id, new_client=new_client
        )
        record = OrderClientChange.objects.create(
            order=locked,
            from_client_id=previous_id,
            to_client=new_client,
            changed_by=by,
            reason=reason[:255],
            moved_parts=moved_parts,
            moved_invoices=moved_invoices,
            unlinked_eservices=[e.pk for e in foreign],
        )
    order.client = new_client
    log.info(
        "order client changed order=%s from=%s to=%s parts=%s invoices=%s unlinked=%s by=%s",
        order.number,
        previous_id,
        new_client.pk,
        moved_parts,
        moved_invoices,
        record.unlinked_eservices,
        getattr(by, "pk", None),
    )
    return record


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


# The fields of an order part the case system (or a clerk's form) sets; the status only changes
# through change_order_part_status.
PART_FIELDS = ("service", "object_code", "delivery_method", "planned_completion_date")


def upsert_order(number: str, *, client, channel: str, parts: list[dict]) -> tuple[Order, bool]:
    """Create the order `number` with `parts` ({"part_number": …, and PART_FIELDS}), or bring an
    existing one to these values: the same call again changes nothing. A part not named is left
    as it is; an order of another client is refused (ValidationError, code "client_differs"), as
    only change_order_client moves an order. Fields are validated as the admin's forms validate
    them (full_clean); nothing is saved unless everything is valid. (order, created).

    Two first calls for a new number at the same moment: the second's insert waits for the
    first's and hits the unique number; it is then run once more, and finds the first's order
    (the same client: its values, not created; another client: client_differs)."""
    try:
        return _upsert_order(number, client=client, channel=channel, parts=parts)
    except IntegrityError:
        return _upsert_order(number, client=client, channel=channel, parts=parts)


def _upsert_order(number: str, *, client, channel: str, parts: list[dict]) -> tuple[Order, bool]:
    with transaction.atomic():
        order = Order.objects.select_for_update().filter(number=number).first()
        created = order is None
        if created:
            order = Order(number=number, client=client, channel=channel)
        elif order.client_id != client.pk:
            raise ValidationError(
                _(
                    "Pasūtījums %(number)s pieder citam klientam; klientu maina tikai ar "
                    "„Mainīt klientu”, norādot iemeslu."
                )
                % {"number": number},
                code="client_differs",
            )
        channel_changed = order.channel != channel
        order.channel = channel
        order.full_clean(exclude=["client"], validate_unique=created)
        if created:
            order.save()
        elif channel_changed:
            order.save(update_fields=["channel"])
        for data in parts:
            upsert_order_part(order, data)
    return order, created


def upsert_order_part(order: Order, data: dict) -> tuple[OrderPart, bool]:
    """Create the part `data["part_number"]` of `order` or bring it to `data` (see upsert_order);
    saved only when something differs, so a repeated call writes no audit entry."""
    with transaction.atomic():
        # The order's row is locked first, so two first calls for one new part number wait for
        # each other and the second finds the first's part (no unique-constraint error).
        Order.objects.select_for_update().filter(pk=order.pk).first()
        part = (
            OrderPart.objects.select_for_update()
            .filter(order=order, part_number=data["part_number"])
            .first()
        )
        created = part is None
        if created:
            part = OrderPart(
                order=order, client_id=order.client_id, part_number=data["part_number"]
            )
        changed = [name for name in PART_FIELDS if name in data and _differs(part, name, data)]
        for name in changed:
            setattr(part, name, data[name])
        part.full_clean(exclude=["order", "client"], validate_unique=False)
        if created:
            part.save()
        elif changed:
            part.save(update_fields=changed)
    return part, created


def _differs(part: OrderPart, name: str, data: dict) -> bool:
    if name == "service":
        return part.service_id != getattr(data[name], "pk", None)
    return getattr(part, name) != data[name]
