"""What invoices and payments mean: how much is paid, and whether an order is paid in full.

`order_payment_state` is the one place that decides "paid in full"; downloads, pages, the admin and
planned dates all ask it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import DecimalField, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from billing.models import Invoice, Payment

ZERO = Decimal("0.00")


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
