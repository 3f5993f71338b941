"""What the API answers: pydantic schemas, which are also the OpenAPI schema (/api/v1/openapi.json)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from ninja import Schema
from pydantic import Field


class ProblemOut(Schema):
    """RFC 9457 problem details; `code` is stable, `detail` is in the request's language."""

    type: str
    title: str
    status: int
    detail: str
    code: str
    instance: str | None = None
    errors: dict[str, list[str]] | None = Field(None, description="Per query parameter")
    invoices: list[str] | None = Field(None, description="The unpaid invoices (unpaid_invoice)")
    scope: str | None = Field(None, description="The scope missing (insufficient_scope)")


class ServiceOut(Schema):
    code: str
    name: str
    group: str


class StatusChangeOut(Schema):
    from_status: str | None
    to_status: str
    changed_at: datetime


class DocumentOut(Schema):
    id: int
    name: str
    size: int
    content_type: str
    direction: str = Field(description="submitted (the client's) or result (VZD's)")
    uploaded_at: datetime
    deleted: bool
    order_number: str | None = None
    part_number: int | None = None
    eservice_id: int | None = None
    download_url: str


class PageMeta(Schema):
    next_cursor: str | None = Field(None, description="Pass as ?cursor= for the next page")
    previous_cursor: str | None = Field(
        None, description="Pass as ?cursor= for the page before; none when it is the first page"
    )
    has_next: bool
    has_previous: bool
    count: int = Field(description="Rows matching, counted up to count_limit")
    count_exceeds_limit: bool
    count_limit: int


class EServiceOut(Schema):
    id: int
    created_at: datetime
    service: ServiceOut
    object_code: str
    status: str
    status_label: str
    status_changed_at: datetime
    received_at: datetime | None
    label: str | None
    order_numbers: list[str]
    requested_by: str | None = Field(None, description="The legal person's user who asked")


class EServicePage(PageMeta):
    items: list[EServiceOut]


class EServiceDetailOut(EServiceOut):
    status_history: list[StatusChangeOut]
    documents: list[DocumentOut]


class OrderPartRowOut(Schema):
    """A row of Mani pasūtījumi VZD: one order part."""

    order_number: str
    part_number: int
    service: ServiceOut
    object_code: str
    status: str
    status_label: str
    status_changed_at: datetime
    planned_completion_date: date | None
    created_at: datetime
    delivery_method: str
    eservice_ids: list[int]
    payment_state: str


class OrderPartPage(PageMeta):
    items: list[OrderPartRowOut]


class OrderPartOut(Schema):
    part_number: int
    service: ServiceOut
    object_code: str
    status: str
    status_label: str
    status_changed_at: datetime
    planned_completion_date: date | None
    original_planned_completion_date: date | None
    delivery_method: str
    status_history: list[StatusChangeOut]
    documents: list[DocumentOut]
    results_downloadable: bool
    results_refusal: str | None = Field(None, description="Why the results cannot be downloaded")


class PaymentStateOut(Schema):
    state: str
    label: str
    paid_in_full: bool
    total: Decimal
    paid: Decimal
    unpaid_invoices: list[str]


class OrderOut(Schema):
    number: str
    created_at: datetime
    channel: str
    parts: list[OrderPartOut]
    payment: PaymentStateOut
    invoices: list[str]
    eservice_ids: list[int]


class InvoiceOut(Schema):
    number: str
    order_number: str | None
    kind: str
    issued_on: date
    due_on: date
    amount_net: Decimal
    vat_amount: Decimal
    total: Decimal
    currency: str
    paid_amount: Decimal
    owed: Decimal
    state: str
    overdue: bool
    payment_reference: str


class InvoicePage(PageMeta):
    items: list[InvoiceOut]


class PaymentOut(Schema):
    amount: Decimal
    currency: str
    paid_on: date
    source: str


class InvoiceDetailOut(InvoiceOut):
    payments: list[PaymentOut]


class DocumentPage(PageMeta):
    items: list[DocumentOut]


class NotificationOut(Schema):
    id: int
    kind: str
    subject: str
    body: str
    link: str = Field(description="The page it is about, on the portal ('' for none)")
    created_at: datetime
    acknowledged_at: datetime | None = Field(
        description="When it was marked read (or acknowledged)"
    )


class NotificationPage(PageMeta):
    items: list[NotificationOut]
