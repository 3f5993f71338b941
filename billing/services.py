"""What invoices and payments mean: how much is paid, and whether an order is paid in full.

`order_payment_state` is the one place that decides "paid in full"; downloads, pages, the admin and
planned dates all ask it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import DecimalField, F, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from billing.models import Invoice, Payment

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


def order_payment_state(order) -> OrderPaymentState:
    """Paid in full when every invoice of the order is paid to its total (portal or treasury).

    An order with no invoice is paid only when all its services are free (price 0); otherwise the
    invoice is still to come and the results wait for it.
    """
    invoices = list(
        with_paid_amount(Invoice.objects.filter(order=order)).order_by("issued_on", "id")
    )
    if not invoices:
        if not order.parts.exclude(service__price=0).exists():
            return OrderPaymentState(PaymentState.NOTHING_DUE)
        return OrderPaymentState(PaymentState.NO_INVOICE)
    total = sum((i.total for i in invoices), ZERO)
    paid = sum((min(i.paid_amount, i.total) for i in invoices), ZERO)
    unpaid = [i for i in invoices if i.paid_amount < i.total]
    if not unpaid:
        return OrderPaymentState(PaymentState.PAID, total, paid)
    state = PaymentState.PARTLY_PAID if paid > 0 else PaymentState.UNPAID
    return OrderPaymentState(state, total, paid, unpaid)


def order_is_paid_in_full(order) -> bool:
    return order_payment_state(order).paid_in_full


def amount_owed(invoice) -> Decimal:
    """What is still owed on an invoice annotated by `with_paid_amount` (never negative)."""
    return max(invoice.total - invoice.paid_amount, ZERO)


def owed_invoices(client):
    """The client's invoices with something still to pay, annotated with `paid_amount`."""
    return with_paid_amount(Invoice.objects.for_client(client)).filter(paid_amount__lt=F("total"))


def record_payment(
    invoice: Invoice,
    amount: Decimal,
    *,
    source: str,
    external_id: str,
    paid_on: date | None = None,
    reference: str = "",
    recorded_by=None,
    attempt=None,
) -> Payment | None:
    """Record money received for an invoice, once per external event; None if already recorded.

    Every way money arrives (portal callback, a clerk, a bank statement) comes through here, so
    the order's planned dates follow as soon as it is paid in full.
    """
    paid_on = paid_on or timezone.localdate()
    try:
        with transaction.atomic():
            payment = Payment.objects.create(
                invoice=invoice,
                amount=amount,
                currency=invoice.currency,
                paid_on=paid_on,
                source=source,
                reference=reference[:140],
                external_id=external_id,
                recorded_by=recorded_by,
                attempt=attempt,
            )
    except IntegrityError:
        if Payment.objects.filter(external_id=external_id).exists():
            log.info("payment already recorded external_id=%s", external_id)
            return None
        raise
    log.info(
        "payment recorded invoice=%s amount=%s source=%s external_id=%s",
        invoice.number,
        amount,
        source,
        external_id,
    )
    after_payment(invoice.order, paid_on)
    from notifications.services import notify_payment_received

    notify_payment_received(payment)
    return payment


def after_payment(order, paid_on: date) -> None:
    """When the order has just become paid in full, its parts get their planned dates."""
    from orders.planning import schedule_parts

    if order_payment_state(order).paid_in_full:
        schedule_parts(order.parts.select_related("service"), paid_on)


def notify_issued(invoice: Invoice) -> None:
    """Tell the client's people that an invoice was issued (portal notification and email)."""
    from notifications.services import notify_invoice_issued

    notify_invoice_issued(invoice)
