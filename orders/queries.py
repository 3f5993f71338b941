"""What the orders table reads in one go: the rows with their order, service and related
e-services, and the payment state of every order on the page."""

from __future__ import annotations

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import Exists, OuterRef, QuerySet

from billing.models import Invoice
from billing.services import OrderPaymentState, PaymentState, invoice_state, with_paid_amount
from eservices.models import EService
from orders.models import OrderPart

ZERO_STATES = (PaymentState.PAID, PaymentState.NOTHING_DUE)


def order_rows(client) -> QuerySet:
    """The client's order parts with order and service joined, the ids of the order's related
    e-services as an array (`eservice_ids`) and whether any part of the order has a price
    (`order_priced`): one query for any number of rows."""
    related = EService.objects.filter(orders=OuterRef("order_id")).order_by("id").values("id")
    priced = OrderPart.objects.filter(order_id=OuterRef("order_id")).exclude(service__price=0)
    return (
        OrderPart.objects.for_client(client)
        .select_related("order", "service")
        .annotate(eservice_ids=ArraySubquery(related), order_priced=Exists(priced))
    )


def payment_states(parts) -> dict[int, OrderPaymentState]:
    """The payment state of each order of these order_rows(), as billing.services.
    order_payment_state decides it for one order, with one more query for a whole page: the
    invoices with their paid amounts."""
    ids = {part.order_id for part in parts}
    if not ids:
        return {}
    invoices: dict[int, list] = {pk: [] for pk in ids}
    for invoice in with_paid_amount(Invoice.objects.filter(order_id__in=ids)).order_by(
        "issued_on", "id"
    ):
        invoices[invoice.order_id].append(invoice)
    priced = {part.order_id for part in parts if part.order_priced}
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
