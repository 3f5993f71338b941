"""What the orders table reads in one go: the rows with their order, service and related
e-services, and the payment state of every order on the page."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from billing.models import Invoice
from billing.services import OrderPaymentState, PaymentState, invoice_state, with_paid_amount
from eservices.models import EService
from orders.models import OrderPart

ZERO_STATES = (PaymentState.PAID, PaymentState.NOTHING_DUE)


def order_rows(client) -> QuerySet:
    return (
        OrderPart.objects.for_client(client)
        .select_related("order", "service")
        .prefetch_related(
            Prefetch(
                "order__eservices",
                queryset=EService.objects.only("id").order_by("id"),
                to_attr="related_eservices",
            )
        )
    )


def payment_states(orders) -> dict[int, OrderPaymentState]:
    """The payment state of each order, as billing.services.order_payment_state decides it for one
    order, in two queries for a whole page: invoices with paid amounts, and which orders have
    services that are not free."""
    ids = {order.pk for order in orders}
    if not ids:
        return {}
    invoices: dict[int, list] = {pk: [] for pk in ids}
    for invoice in with_paid_amount(Invoice.objects.filter(order_id__in=ids)).order_by(
        "issued_on", "id"
    ):
        invoices[invoice.order_id].append(invoice)
    priced = set(
        OrderPart.objects.filter(order_id__in=ids)
        .exclude(service__price=0)
        .order_by()
        .values_list("order_id", flat=True)
        .distinct()
    )
    states = {}
    for pk in ids:
        found = invoices[pk]
        if not found:
            state = PaymentState.NOTHING_DUE if pk not in priced else PaymentState.NO_INVOICE
            states[pk] = OrderPaymentState(state)
            continue
        total = sum(i.total for i in found)
        paid = sum(min(i.paid_amount, i.total) for i in found)
        unpaid = [i for i in found if invoice_state(i.total, i.paid_amount) != PaymentState.PAID]
        if not unpaid:
            states[pk] = OrderPaymentState(PaymentState.PAID, total, paid)
        else:
            state = PaymentState.PARTLY_PAID if paid > 0 else PaymentState.UNPAID
            states[pk] = OrderPaymentState(state, total, paid, unpaid)
    return states
