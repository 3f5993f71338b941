"""An order moved to another client through the back-office API, as the admin's „Mainīt
klientu” moves it (docs/api.md, "Back office"): orders.services.change_order_client with its
parts, invoices, documents, requests and conversation, the previous client's e-services
unlinked, on the record (OrderClientChange: who, when, from, to, why), audited under the service
account's user. The reason is required, as on the admin's form."""

from datetime import datetime

from django.core.exceptions import ValidationError
from ninja import Router, Schema
from pydantic import Field

from api.auth import audited
from api.backoffice import (
    TAG,
    WRITE_ERRORS,
    ClientRef,
    ServiceAuth,
    client_by_ref,
    invalid_values,
    need_operation,
)
from api.endpoints import ORDER_NUMBER
from api.idempotency import idempotent
from api.listing import json_response
from api.models import BackOfficeScope
from api.problems import Problem, not_found
from billing.models import PaymentAttempt
from orders.models import Order
from orders.services import change_order_client

router = Router(auth=ServiceAuth(), tags=[TAG])


class ClientChangeIn(Schema):
    client: ClientRef = Field(description="The client the order moves to")
    reason: str = Field(
        ..., min_length=1, max_length=255, description="Kept in the client change history"
    )


class ClientChangeOut(Schema):
    order: str
    from_client_id: int
    to_client_id: int
    reason: str
    changed_at: datetime
    moved_parts: int
    moved_invoices: int
    unlinked_eservices: list[int] = Field(description="The previous client's, no longer linked")
    pending_payment_attempts: int = Field(
        description="Started by the previous client and left to finish (the admin's warning)"
    )


@router.post("/backoffice/orders/{number}/client", response={200: ClientChangeOut, **WRITE_ERRORS})
@idempotent
def change_client(request, payload: ClientChangeIn, number: str = ORDER_NUMBER):
    """„Mainīt klientu”: the order and everything that is the client's because of it move to
    `client`, with `reason` in the history. The order's client already is 409 `same_client`."""
    need_operation(request, BackOfficeScope.ORDERS_WRITE)
    order = Order.objects.filter(number=number).first()
    if order is None:
        return not_found(request)
    new_client = client_by_ref(payload.client)
    try:
        with audited(request):
            record = change_order_client(order, new_client, by=request.user, reason=payload.reason)
    except ValidationError as error:
        if getattr(error, "code", None) == "same_client":
            raise Problem(409, "same_client", " ".join(error.messages)) from None
        raise invalid_values(error) from None
    pending = (
        PaymentAttempt.objects.filter(
            status=PaymentAttempt.Status.PENDING, lines__invoice__order=order
        )
        .distinct()
        .count()
    )
    data = {
        "order": order.number,
        "from_client_id": record.from_client_id,
        "to_client_id": record.to_client_id,
        "reason": record.reason,
        "changed_at": record.changed_at,
        "moved_parts": record.moved_parts,
        "moved_invoices": record.moved_invoices,
        "unlinked_eservices": record.unlinked_eservices,
        "pending_payment_attempts": pending,
    }
    return json_response(ClientChangeOut, data)
