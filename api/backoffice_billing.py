"""Invoices and treasury payments through the back-office API (docs/api.md, "Back office"): an
invoice issued as the admin's add form issues it (billing.services.issue_invoice, never edited
once issued), money that reached the treasury recorded as a clerk records it
(billing.services.record_payment, once per invoice and reference). Audited under the service
account's user; the client told as from the admin."""

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from ninja import Router, Schema
from pydantic import Field

from api.auth import audited
from api.backoffice import TAG, WRITE_ERRORS, ServiceAuth, invalid_values, need_operation
from api.endpoints import INVOICE_NUMBER
from api.idempotency import idempotent
from api.listing import json_response
from api.models import BackOfficeScope
from api.problems import Problem, not_found
from billing.forms import treasury_external_id
from billing.models import Invoice, Payment
from billing.services import issue_invoice, record_payment
from orders.models import Order

router = Router(auth=ServiceAuth(), tags=[TAG])


# --- invoices and payments --------------------------------------------------------------------------
class InvoiceIn(Schema):
    order: str = Field(..., min_length=1, max_length=20, pattern=r"^[0-9A-Za-z-]+$")
    kind: str = Field(Invoice.Kind.PREPAYMENT, json_schema_extra={"enum": Invoice.Kind.values})
    issued_on: date | None = None
    due_on: date
    total: Decimal = Field(..., gt=0, max_digits=12, decimal_places=2)


class InvoiceBackOut(Schema):
    number: str
    order: str
    kind: str
    issued_on: date
    due_on: date
    total: Decimal
    amount_net: Decimal
    vat_amount: Decimal
    created: bool


def _invoice_answer(invoice: Invoice, created: bool, status: int):
    data = {
        "number": invoice.number,
        "order": invoice.order.number,
        "kind": invoice.kind,
        "issued_on": invoice.issued_on,
        "due_on": invoice.due_on,
        "total": invoice.total,
        "amount_net": invoice.amount_net,
        "vat_amount": invoice.vat_amount,
        "created": created,
    }
    return json_response(InvoiceBackOut, data, status=status)


@router.put(
    "/backoffice/invoices/{number}",
    response={200: InvoiceBackOut, 201: InvoiceBackOut, **WRITE_ERRORS},
)
@idempotent
def issue_invoice_endpoint(request, payload: InvoiceIn, number: str = INVOICE_NUMBER):
    """Issue an invoice for an order (billing.services.issue_invoice, as the admin's add form:
    the VAT split from the total, the client notified). The same call again is 200 and changes
    nothing; an issued invoice with other values is 409 `invoice_issued` (never edited)."""
    need_operation(request, BackOfficeScope.INVOICES_WRITE)
    order = Order.objects.filter(number=payload.order).first()
    if order is None:
        message = _("Pasūtījums %(number)s nav atrasts.") % {"number": payload.order}
        raise Problem(400, "unknown_order", message, errors={"order": [message]})
    net, vat = Invoice.split_vat(payload.total)
    existing = Invoice.objects.select_related("order").filter(number=number).first()
    if existing is not None:
        same = (
            existing.order_id == order.pk
            and existing.kind == payload.kind
            and existing.due_on == payload.due_on
            and existing.total == payload.total
            and (payload.issued_on is None or existing.issued_on == payload.issued_on)
        )
        if not same:
            raise Problem(
                409,
                "invoice_issued",
                _("Rēķins %(number)s jau izrakstīts ar citām vērtībām; to nemaina.")
                % {"number": number},
            )
        return _invoice_answer(existing, False, 200)
    invoice = Invoice(
        number=number,
        order=order,
        client_id=order.client_id,
        kind=payload.kind,
        due_on=payload.due_on,
        total=payload.total,
        amount_net=net,
        vat_amount=vat,
    )
    if payload.issued_on is not None:
        invoice.issued_on = payload.issued_on
    try:
        invoice.full_clean(exclude=["issued_by"])
        with audited(request):
            issue_invoice(invoice, by=request.user)
    except ValidationError as error:
        raise invalid_values(error) from None
    return _invoice_answer(invoice, True, 201)


class PaymentIn(Schema):
    amount: Decimal = Field(..., gt=0, max_digits=12, decimal_places=2)
    paid_on: date
    reference: str = Field(..., min_length=1, max_length=140, description="Payment order number")


class PaymentOut(Schema):
    invoice: str
    recorded: bool = Field(description="False: this reference was recorded before")
    paid: Decimal
    overpaid: Decimal


@router.post(
    "/backoffice/invoices/{number}/payments",
    response={200: PaymentOut, 201: PaymentOut, **WRITE_ERRORS},
)
@idempotent
def record_treasury_payment(request, payload: PaymentIn, number: str = INVOICE_NUMBER):
    """Money that reached the treasury, as a clerk records it in the admin
    (billing.services.record_payments, source "treasury"): once per invoice and reference;
    beyond what the invoice owes an overpayment to refund; the order's planned dates and the
    client's notice follow."""
    need_operation(request, BackOfficeScope.PAYMENTS_WRITE)
    invoice = Invoice.objects.filter(number=number).first()
    if invoice is None:
        return not_found(request)
    with audited(request):
        receipt = record_payment(
            invoice,
            payload.amount,
            source=Payment.Source.TREASURY,
            external_id=treasury_external_id(invoice, payload.reference),
            paid_on=payload.paid_on,
            reference=payload.reference,
            recorded_by=request.user,
        )
    data = {
        "invoice": invoice.number,
        "recorded": receipt is not None,
        "paid": receipt.payment.amount if receipt and receipt.payment else Decimal("0.00"),
        "overpaid": (
            receipt.overpayment.amount if receipt and receipt.overpayment else Decimal("0.00")
        ),
    }
    return json_response(PaymentOut, data, status=201 if receipt is not None else 200)
