"""What the orders table reads in one go: the rows with their order, service and related
e-services, and what billing.services.payment_states needs besides the invoices."""

from __future__ import annotations

from functools import cache

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import OuterRef, QuerySet

from billing.services import payment_states, priced_order
from orders.models import Order, OrderPart


def order_rows(client) -> QuerySet:
    """The client's order parts with order and service joined, the ids of the order's related
    e-services as an array (`eservice_ids`) and whether any part of the order has a price
    (`order_priced`): one query for any number of rows."""
    return _order_rows().for_client(client)


@cache
def _order_rows() -> QuerySet:
    # Built once, as eservices.queries.history_rows: each list request chains on a copy.
    # The link rows of the e-services' M2M (declared on EService; orders does not import it).
    links = Order.eservices.through.objects
    related = links.filter(order_id=OuterRef("order_id")).order_by("eservice_id")
    related = related.values("eservice_id")
    return OrderPart.objects.select_related("order", "service").annotate(
        eservice_ids=ArraySubquery(related), order_priced=priced_order("order_id")
    )


def row_payment_states(parts) -> dict:
    """billing.services.payment_states of the orders of these order_rows(): one query for a page."""
    return payment_states(
        {part.order_id for part in parts},
        priced={part.order_id for part in parts if part.order_priced},
    )
