"""What invoices and payments mean: how much is paid, and whether an order is paid in full.

`payment_states` is the one place that decides "paid in full", for one order (`order_payment_state`)
or a page of them; the order list, the order page, downloads, the ZIP and planned dates all ask it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import connection, transaction
from django.db.models import BooleanField, DecimalField, F, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from billing.models import Invoice, Overpayment, Payment
from billing.notices import (
    notify_invoice_due_soon,
    notify_invoice_issued,
    notify_overpayment_received,
    notify_payment_received,
)
from billing.signals import order_paid_in_full

ZERO = Decimal("0.00")
log = logging.getLogger("manskonts.billing")


class PaymentState:
    PAID = "paid"
    PARTLY_PAID = "partly_paid"
    UNPAID = "unpaid"
    NO_INVOICE = "no_invoice"
    NOTHING_DUE = "nothing_due"

    LABELS = {
        PAID: _("Apmaksāts"),
        PARTLY_PAID: _("Daļēji apmaksāts"),
        UNPAID: _("Nav apmaksāts"),
        NO_INVOICE: _("Rēķins vēl nav izrakstīts"),
        NOTHING_DUE: _("Bezmaksas"),
    }


def with_paid_amount(invoices):
    """Annotate invoices with `paid_amount`, the sum of their payments (one subquery, no N+1)."""
    paid = (
        Payment.objects.filter(invoice=OuterRef("pk"))
        .values("invoice")
        .annotate(s=Sum("amount"))
        .values("s")
    )
    money = DecimalField(max_digits=12, decimal_places=2)
    return invoices.annotate(
        paid_amount=Coalesce(Subquery(paid, output_field=money), Value(ZERO), output_field=money)
    )


def invoice_state(total: Decimal, paid: Decimal) -> str:
    if paid >= total:
        return PaymentState.PAID
    if paid > 0:
        return PaymentState.PARTLY_PAID
    return PaymentState.UNPAID


@dataclass
class OrderPaymentState:
    state: str
    total: Decimal = ZERO
    paid: Decimal = ZERO
    unpaid_invoices: list[Invoice] = field(default_factory=list)

    @property
    def paid_in_full(self) -> bool:
        return self.state in (PaymentState.PAID, PaymentState.NOTHING_DUE)

    @property
    def label(self) -> str:
        return str(PaymentState.LABELS[self.state])


def _priced_parts():
    """Order parts whose service has a price. Billing sits below orders and imports none of its
    modules: the models come from Invoice.order and that model's `parts`."""
    order_model = Invoice._meta.get_field("order").related_model
    return order_model._meta.get_field("parts").related_model.objects.exclude(service__price=0)


def priced_order(order_ref: str = "order_id") -> Coalesce:
    """Whether the order `order_ref` names has a part with a price (to annotate rows with, so that
    `payment_states` needs no query of its own for it).

    A scalar subquery (the first priced part's true, else false), not EXISTS: PostgreSQL may run
    an EXISTS in the select list as one hashed pass over every order part, planned for all the
    client's rows although a page keeps 21 (126 ms at 100,000 parts, growing with the table); a
    scalar subquery is looked up by the order's index for each row shown."""
    first = _priced_parts().filter(order_id=OuterRef(order_ref)).values(priced=Value(True))[:1]
    return Coalesce(Subquery(first, output_field=BooleanField()), Value(False))


def payment_states(order_ids, *, priced=None) -> dict[int, OrderPaymentState]:
    """The payment state of each of these orders (ids): paid in full when every invoice of the
    order is paid to its total (portal or treasury).

    An order with no invoice is paid only when all its services are free (price 0); otherwise the
    invoice is still to come and the results wait for it. One query for the invoices of all the
    orders; one more for which orders have a priced part, unless every order has an invoice or the
    caller read them already (`priced`: the ids of those among the orders, see `priced_order`).
    """
    ids = set(order_ids)
    if not ids:
        return {}
    found: dict[int, list[Invoice]] = {pk: [] for pk in ids}
    for invoice in with_paid_amount(Invoice.objects.filter(order_id__in=ids)).order_by(
        "issued_on", "id"
    ):
        found[invoice.order_id].append(invoice)
    uninvoiced = [pk for pk, invoices in found.items() if not invoices]
    if uninvoiced and priced is None:
        priced = set(
            _priced_parts().filter(order_id__in=uninvoiced).values_list("order_id", flat=True)
        )
    return {pk: _state(invoices, pk in (priced or ())) for pk, invoices in found.items()}


def _state(invoices: list[Invoice], priced: bool) -> OrderPaymentState:
    if not invoices:
        return OrderPaymentState(PaymentState.NO_INVOICE if priced else PaymentState.NOTHING_DUE)
    total = sum((i.total for i in invoices), ZERO)
    paid = sum((min(i.paid_amount, i.total) for i in invoices), ZERO)
    unpaid = [i for i in invoices if i.paid_amount < i.total]
    if not unpaid:
        return OrderPaymentState(PaymentState.PAID, total, paid)
    state = PaymentState.PARTLY_PAID if paid > 0 else PaymentState.UNPAID
    return OrderPaymentState(state, total, paid, unpaid)


def order_payment_state(order) -> OrderPaymentState:
    """One order's `payment_states`."""
    return payment_states([order.pk])[order.pk]


def order_is_paid_in_full(order) -> bool:
    return order_payment_state(order).paid_in_full


def amount_owed(invoice) -> Decimal:
    """What is still owed on an invoice annotated by `with_paid_amount` (never negative)."""
    return invoice.owed


def owed_invoices(client):
    """The client's invoices with something still to pay, annotated with `paid_amount`."""
    return with_paid_amount(Invoice.objects.for_client(client)).filter(paid_amount__lt=F("total"))


@dataclass
class Receipt:
    """What one external event brought to one invoice: the part it owed, and any money beyond."""

    invoice: Invoice
    payment: Payment | None = None
    overpayment: Overpayment | None = None


# Lock order, so that money arriving by every way at once queues up and never deadlocks: first the
# one row a transaction works on (the attempt, the statement, the unmatched entry), then all the
# invoices it touches in one go in id order, then advisory locks on event keys (sorted).


def lock_key(key: str) -> None:
    """Hold a transaction-level PostgreSQL advisory lock named by `key` until commit/rollback."""
    lock_keys([key])


def lock_keys(keys) -> None:
    """Advisory locks on several keys at once, taken in sorted order (one query)."""
    ordered = sorted(set(keys))
    if not ordered:
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(hashtextextended(k, 0))"
            " FROM unnest(%s::text[]) AS k ORDER BY k",
            [ordered],
        )


def already_recorded(external_id: str) -> bool:
    return (
        Payment.objects.filter(external_id=external_id).exists()
        or Overpayment.objects.filter(external_id=external_id).exists()
    )


def record_payment(
    invoice: Invoice, amount: Decimal, *, external_id: str, **details
) -> Receipt | None:
    """Record money received for one invoice, once per external event; None if already recorded.

    See `record_payments`, which this calls with one item.
    """
    return record_payments([(invoice, amount, external_id)], **details)[0]


def record_payments(
    items: list[tuple[Invoice, Decimal, str]],
    *,
    source: str,
    paid_on: date | None = None,
    reference: str = "",
    recorded_by=None,
    attempt=None,
) -> list[Receipt | None]:
    """Record money received for one or more invoices (invoice, amount, external id) at once.

    Every way money arrives (portal callback, a clerk, a bank statement) comes through here, so
    an invoice is never paid beyond its total: the invoices are locked (in id order, so events for
    overlapping invoices queue up instead of deadlocking) and what each still owes is read under
    the lock. The part owed becomes a Payment; anything beyond it an Overpayment to refund. The
    money is never dropped and each external event is recorded once (None for a repeat), also
    when repeats arrive at the same moment. The order's planned dates follow as soon as it is paid
    in full.
    """
    if any(amount <= 0 for _invoice, amount, _id in items):
        raise ValueError("A payment amount must be positive.")
    paid_on = paid_on or timezone.localdate()
    receipts: list[Receipt | None] = []
    with transaction.atomic():
        ids = sorted({invoice.pk for invoice, _a, _id in items})
        locked = {
            invoice.pk: invoice
            for invoice in Invoice.objects.select_for_update(of=("self",))
            .filter(pk__in=ids)
            .select_related("order")
            .order_by("pk")
        }
        lock_keys(f"payment-event:{external_id}" for _i, _a, external_id in items)
        paid = dict(
            Payment.objects.filter(invoice_id__in=ids)
            .values("invoice")
            .annotate(s=Sum("amount"))
            .values_list("invoice", "s")
        )
        for item, amount, external_id in items:
            if already_recorded(external_id):
                log.info("payment already recorded external_id=%s", external_id)
                receipts.append(None)
                continue
            invoice = locked[item.pk]
            owed = max(invoice.total - paid.get(invoice.pk, ZERO), ZERO)
            receipt = Receipt(invoice)
            common = {
                "invoice": invoice,
                "currency": invoice.currency,
                "source": source,
                "reference": reference[:140],
                "external_id": external_id,
                "recorded_by": recorded_by,
                "attempt": attempt,
            }
            if owed > 0:
                receipt.payment = Payment.objects.create(
                    amount=min(amount, owed), paid_on=paid_on, **common
                )
                paid[invoice.pk] = paid.get(invoice.pk, ZERO) + receipt.payment.amount
            if amount > owed:
                receipt.overpayment = Overpayment.objects.create(
                    amount=amount - owed, received_on=paid_on, **common
                )
            log.info(
                "payment recorded invoice=%s paid=%s overpaid=%s source=%s external_id=%s",
                invoice.number,
                receipt.payment.amount if receipt.payment else ZERO,
                receipt.overpayment.amount if receipt.overpayment else ZERO,
                source,
                external_id,
            )
            receipts.append(receipt)
        for receipt in receipts:
            if receipt is not None:
                _tell(receipt, paid_on)
    return receipts


def _tell(receipt: Receipt, paid_on: date) -> None:
    if receipt.payment is not None:
        after_payment(receipt.invoice.order, paid_on)
        invoices = Invoice.objects.filter(pk=receipt.payment.invoice_id)
        invoice = with_paid_amount(invoices.select_related("order", "client")).get()
        notify_payment_received(receipt.payment, invoice, amount_owed(invoice))
    if receipt.overpayment is not None:
        notify_overpayment_received(receipt.overpayment)


def after_payment(order, paid_on: date) -> None:
    """When the order has just become paid in full, its parts get their planned dates: orders
    receives the signal (billing/signals.py) in this same transaction."""
    if order_payment_state(order).paid_in_full:
        order_paid_in_full.send(sender=type(order), order=order, paid_on=paid_on)


def refund_overpayment(overpayment: Overpayment, *, reference: str, refunded_on: date, by) -> bool:
    """Staff paid an overpayment back: recorded once, with who, when and the refund's number.

    False when it was already refunded (a second click, or a colleague at the same moment).
    """
    with transaction.atomic():
        locked = Overpayment.objects.select_for_update().get(pk=overpayment.pk)
        if locked.status != Overpayment.Status.TO_REFUND:
            return False
        locked.status = Overpayment.Status.REFUNDED
        locked.refund_reference = reference.strip()[:140]
        locked.refunded_on = refunded_on
        locked.refunded_by = by
        locked.refunded_at = timezone.now()
        locked.save(
            update_fields=[
                "status",
                "refund_reference",
                "refunded_on",
                "refunded_by",
                "refunded_at",
            ]
        )
    log.info("overpayment refunded id=%s reference=%s", locked.pk, locked.refund_reference)
    return True


# --- Due dates (the beat: billing/tasks.py) -------------------------------------------------------


def unpaid_prepayments(invoices):
    """Prepayment invoices not yet paid to their total."""
    return with_paid_amount(invoices.filter(kind=Invoice.Kind.PREPAYMENT)).filter(
        paid_amount__lt=F("total")
    )


def past_due_prepayments(invoices, today: date | None = None):
    """Unpaid prepayment invoices whose due date has passed (the desk's line)."""
    return unpaid_prepayments(invoices).filter(due_on__lt=today or timezone.localdate())


def remind_invoices_due(today: date | None = None) -> int:
    """Remind the client of each unpaid prepayment invoice due within INVOICE_DUE_REMINDER_DAYS,
    once per due date (a due date moved later is reminded of again). Returns how many."""
    today = today or timezone.localdate()
    window = today + timedelta(days=settings.INVOICE_DUE_REMINDER_DAYS)
    count = 0
    with transaction.atomic():
        due = (
            unpaid_prepayments(
                Invoice.objects.select_for_update(skip_locked=True, of=("self",)).select_related(
                    "order", "client"
                )
            )
            .filter(due_on__gte=today, due_on__lte=window)
            .exclude(due_reminded_for=F("due_on"))
            .order_by("due_on", "pk")
        )
        for invoice in due:
            invoice.due_reminded_for = invoice.due_on
            invoice.save(update_fields=["due_reminded_for"])
            notify_invoice_due_soon(invoice, owed=invoice.total - invoice.paid_amount, today=today)
            count += 1
    return count


def issue_invoice(invoice: Invoice, *, by) -> Invoice:
    """VZD issues a new invoice: saved with who issued it, and the client told once it is. The
    admin's add form and the back-office API both call this."""
    with transaction.atomic():
        invoice.issued_by = by
        invoice.save()
        notify_invoice_issued(invoice)
    return invoice
