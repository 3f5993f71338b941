"""The client API's read endpoints. Each starts from the same scoped queryset, FilterSet, sort
whitelist and keyset cursor as its page, and downloads ask the same decision as the page."""

from __future__ import annotations

from datetime import date

from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema

from api.auth import need_scope
from api.downloads import FILE_RESPONSES, serve_stored
from api.idempotency import idempotent
from api.listing import MAX_LIMIT, api_page, etag_response, json_response, page_meta, sort_enum
from api.models import Scope
from api.problems import Problem, not_found
from api.schemas import (
    DocumentOut,
    DocumentPage,
    EServiceDetailOut,
    EServicePage,
    InvoiceDetailOut,
    InvoicePage,
    NotificationOut,
    NotificationPage,
    OrderOut,
    OrderPartPage,
    ProblemOut,
)
from billing import filters as billing_filters
from billing.models import Invoice
from billing.services import (
    amount_owed,
    invoice_state,
    order_payment_state,
    with_paid_amount,
)
from billing.tables import SORTS as INVOICE_SORTS
from billing.tables import is_overdue
from documents.access import download_decision, result_download_decision
from documents.models import Document
from eservices.filters import EServiceFilter, Period
from eservices.models import EService, EServiceStatus
from eservices.queries import history_rows
from eservices.tables import SORTS as ESERVICE_SORTS
from manskonts.listing import PAGE_SIZE, SortChoices, SortOption
from notifications.models import Notification
from notifications.views import SORTS as NOTIFICATION_SORTS
from orders.filters import OrderPartFilter
from orders.models import Order
from orders.queries import order_rows, row_payment_states
from orders.tables import SORTS as ORDER_SORTS
from orders.workflow import OrderStatus

router = Router()

ERRORS = {400: ProblemOut, 401: ProblemOut, 403: ProblemOut, 404: ProblemOut, 429: ProblemOut}
ESERVICE_STATUS = dict(EServiceStatus.choices)
ORDER_STATUS = dict(OrderStatus.choices)
# The API's own list (no page lists all files): newest first, by upload time.
DOCUMENT_SORTS = SortChoices(
    [SortOption("uploaded", "uploaded", ("uploaded_at", "id"))], default="-uploaded"
)


def _sort(sorts: SortChoices, default: str):
    return Field(
        None, description=f"Default {default}", json_schema_extra={"enum": sort_enum(sorts)}
    )


class Paging(Schema):
    cursor: str | None = Field(None, max_length=500, description="next_cursor or previous_cursor")
    limit: int = Field(PAGE_SIZE, ge=1, le=MAX_LIMIT)


# --- e-services -------------------------------------------------------------------------------------
class EServiceQuery(Paging):
    """The filters of E-pakalpojumu vēsture, by the same names as in the page's URL."""

    sort: str | None = _sort(ESERVICE_SORTS, ESERVICE_SORTS.default)
    received_from: date | None = None
    received_to: date | None = None
    created_from: date | None = None
    created_to: date | None = None
    period: str | None = Field(
        None, json_schema_extra={"enum": [v for v, _label in Period.CHOICES]}
    )
    id: int | None = Field(None, ge=1, le=2**31 - 1, description="E-service ID")
    label: str | None = Field(None, max_length=100, description="Beginning of the own label")
    order: str | None = Field(None, max_length=20, description="A related order's number")
    user: int | None = Field(None, ge=1, le=2**31 - 1, description="Legal persons: the user")
    group: int | None = Field(None, ge=1, le=2**31 - 1, description="Service group id")


def _service(service) -> dict:
    return {"code": service.code, "name": service.name, "group": service.group.name}


def _eservice(e: EService, client) -> dict:
    user = e.requested_by
    return {
        "id": e.pk,
        "created_at": e.created_at,
        "service": _service(e.service),
        "object_code": e.object_code or "",
        "status": e.status,
        "status_label": str(ESERVICE_STATUS.get(e.status, e.status)),
        "status_changed_at": e.status_changed_at,
        "received_at": e.received_at,
        "label": e.label,
        "order_numbers": list(getattr(e, "order_numbers", None) or []),
        "requested_by": (user.get_full_name() or None) if client.is_legal and user else None,
    }


def _document(d: Document) -> dict:
    part = d.order_part
    return {
        "id": d.pk,
        "name": d.original_name,
        "size": d.size,
        "content_type": d.content_type,
        "direction": d.direction,
        "uploaded_at": d.uploaded_at,
        "deleted": d.is_deleted,
        "order_number": part.order.number if part else None,
        "part_number": part.part_number if part else None,
        "eservice_id": d.eservice_id,
        "download_url": f"/api/v1/documents/{d.pk}/content",
    }


@router.get("/eservices", response={200: EServicePage, **ERRORS}, tags=["e-pakalpojumi"])
def list_eservices(request, q: Query[EServiceQuery]):
    """E-pakalpojumu vēsture: the page's filters, sorts and keyset cursor."""
    need_scope(request, Scope.READ)
    filters = q.model_dump(exclude={"sort", "cursor", "limit"})
    page, _fs = api_page(
        request,
        EServiceFilter,
        history_rows(request.client).select_related("service__group"),
        ESERVICE_SORTS,
        filters,
        sort=q.sort,
        cursor=q.cursor,
        limit=q.limit,
    )
    return {**page_meta(page), "items": [_eservice(e, request.client) for e in page.rows]}


@router.get(
    "/eservices/{eservice_id}",
    response={200: EServiceDetailOut, 304: None, **ERRORS},
    tags=["e-pakalpojumi"],
)
def get_eservice(request, eservice_id: int = Path(..., ge=1, le=2**31 - 1)):
    need_scope(request, Scope.READ)
    data = eservice_detail(request.client, eservice_id)
    if data is None:
        return not_found(request)
    return etag_response(request, EServiceDetailOut, data)


def eservice_detail(client, eservice_id: int) -> dict | None:
    """One e-service of the client with its status history and files (None: not the client's)."""
    e = history_rows(client).select_related("service__group").filter(pk=eservice_id).first()
    if e is None:
        return None
    data = _eservice(e, client)
    data["status_history"] = [
        {"from_status": c.from_status or None, "to_status": c.to_status, "changed_at": c.changed_at}
        for c in e.status_changes.order_by("changed_at", "id")
    ]
    data["documents"] = [
        _document(d)
        for d in e.documents.select_related("order_part__order").order_by(
            "direction", "uploaded_at", "id"
        )
    ]
    return data


# --- orders -----------------------------------------------------------------------------------------
class OrderPartQuery(Paging):
    """The filters of Mani pasūtījumi VZD (one row per order part), as in the page's URL."""

    sort: str | None = _sort(ORDER_SORTS, ORDER_SORTS.default)
    number: str | None = Field(None, max_length=20, description="Order number or its beginning")
    created_from: date | None = None
    created_to: date | None = None
    object: str | None = Field(None, max_length=40, description="Cadastral designation or prefix")
    status: str | None = Field(None, json_schema_extra={"enum": list(ORDER_STATUS)})
    eservice: int | None = Field(None, ge=1, le=2**31 - 1, description="A related e-service ID")


@router.get("/order-parts", response={200: OrderPartPage, **ERRORS}, tags=["pasūtījumi"])
def list_order_parts(request, q: Query[OrderPartQuery]):
    """Mani pasūtījumi VZD: the page's rows (order parts), filters, sorts and keyset cursor."""
    need_scope(request, Scope.READ)
    filters = q.model_dump(exclude={"sort", "cursor", "limit"})
    page, _fs = api_page(
        request,
        OrderPartFilter,
        order_rows(request.client).select_related("service__group"),
        ORDER_SORTS,
        filters,
        sort=q.sort,
        cursor=q.cursor,
        limit=q.limit,
    )
    payments = row_payment_states(page.rows)
    items = [
        {
            "order_number": p.order.number,
            "part_number": p.part_number,
            "service": _service(p.service),
            "object_code": p.object_code or "",
            "status": p.status,
            "status_label": str(ORDER_STATUS.get(p.status, p.status)),
            "status_changed_at": p.status_changed_at,
            "planned_completion_date": p.planned_completion_date,
            "created_at": p.created_at,
            "delivery_method": p.delivery_method,
            "eservice_ids": list(p.eservice_ids or []),
            "payment_state": payments[p.order_id].state,
        }
        for p in page.rows
    ]
    return {**page_meta(page), "items": items}


ORDER_NUMBER = Path(..., min_length=1, max_length=20, pattern=r"^[0-9A-Za-z-]+$")


@router.get("/orders/{number}", response={200: OrderOut, 304: None, **ERRORS}, tags=["pasūtījumi"])
def get_order(request, number: str = ORDER_NUMBER):
    """One order as its page shows it: parts, status history, planned dates, payment, files."""
    need_scope(request, Scope.READ)
    order = Order.objects.for_client(request.client).filter(number=number).first()
    if order is None:
        return not_found(request)
    parts = list(order.parts.with_history_and_documents().select_related("service__group"))
    payment = order_payment_state(order)
    invoices = list(Invoice.objects.filter(order=order).order_by("issued_on", "id"))
    data_parts = []
    for part in parts:
        decision = result_download_decision(part, payment)
        data_parts.append(
            {
                "part_number": part.part_number,
                "service": _service(part.service),
                "object_code": part.object_code or "",
                "status": part.status,
                "status_label": str(ORDER_STATUS.get(part.status, part.status)),
                "status_changed_at": part.status_changed_at,
                "planned_completion_date": part.planned_completion_date,
                "original_planned_completion_date": part.original_planned_completion_date,
                "delivery_method": part.delivery_method,
                "status_history": [
                    {
                        "from_status": c.from_status or None,
                        "to_status": c.to_status,
                        "changed_at": c.changed_at,
                    }
                    for c in part.status_changes.all()
                ],
                "documents": [_document(d) for d in part.listed_documents],
                "results_downloadable": decision.allowed,
                "results_refusal": _plain(decision.reason) or None,
            }
        )
    data = {
        "number": order.number,
        "created_at": order.created_at,
        "channel": order.channel,
        "parts": data_parts,
        "payment": {
            "state": payment.state,
            "label": payment.label,
            "paid_in_full": payment.paid_in_full,
            "total": payment.total,
            "paid": payment.paid,
            "unpaid_invoices": [i.number for i in payment.unpaid_invoices],
        },
        "invoices": [i.number for i in invoices],
        "eservice_ids": list(order.eservices.order_by("id").values_list("id", flat=True)),
    }
    return etag_response(request, OrderOut, data)


def _plain(text) -> str:
    return strip_tags(str(text)) if text else ""


# --- invoices ---------------------------------------------------------------------------------------
class InvoiceQuery(Paging):
    sort: str | None = _sort(INVOICE_SORTS, INVOICE_SORTS.default)
    state: str | None = Field(
        None, json_schema_extra={"enum": [v for v, _label in billing_filters.InvoiceFilter.STATES]}
    )


def _invoice(i: Invoice, today) -> dict:
    owed = amount_owed(i)
    return {
        "number": i.number,
        "order_number": i.order.number if i.order_id else None,
        "kind": i.kind,
        "issued_on": i.issued_on,
        "due_on": i.due_on,
        "amount_net": i.amount_net,
        "vat_amount": i.vat_amount,
        "total": i.total,
        "currency": i.currency,
        "paid_amount": i.paid_amount,
        "owed": owed,
        "state": invoice_state(i.total, i.paid_amount),
        "overdue": is_overdue(i, today),
        "payment_reference": i.payment_reference,
    }


@router.get("/invoices", response={200: InvoicePage, **ERRORS}, tags=["rēķini"])
def list_invoices(request, q: Query[InvoiceQuery]):
    """Rēķini: the page's filter, sorts and keyset cursor."""
    need_scope(request, Scope.READ)
    invoices = with_paid_amount(Invoice.objects.for_client(request.client).select_related("order"))
    page, _fs = api_page(
        request,
        billing_filters.InvoiceFilter,
        invoices,
        INVOICE_SORTS,
        {"state": q.state},
        sort=q.sort,
        cursor=q.cursor,
        limit=q.limit,
    )
    today = timezone.localdate()
    return {**page_meta(page), "items": [_invoice(i, today) for i in page.rows]}


INVOICE_NUMBER = Path(..., min_length=1, max_length=20, pattern=r"^[0-9A-Za-z-]+$")


@router.get(
    "/invoices/{number}", response={200: InvoiceDetailOut, 304: None, **ERRORS}, tags=["rēķini"]
)
def get_invoice(request, number: str = INVOICE_NUMBER):
    need_scope(request, Scope.READ)
    invoice = (
        with_paid_amount(Invoice.objects.for_client(request.client).select_related("order"))
        .filter(number=number)
        .first()
    )
    if invoice is None:
        return not_found(request)
    data = _invoice(invoice, timezone.localdate())
    data["payments"] = [
        {"amount": p.amount, "currency": p.currency, "paid_on": p.paid_on, "source": p.source}
        for p in invoice.payments.order_by("paid_on", "id")
    ]
    return etag_response(request, InvoiceDetailOut, data)


# --- documents --------------------------------------------------------------------------------------
class DocumentQuery(Paging):
    sort: str | None = _sort(DOCUMENT_SORTS, DOCUMENT_SORTS.default)
    direction: str | None = Field(
        None, json_schema_extra={"enum": [v for v, _label in Document.Direction.choices]}
    )
    order: str | None = Field(None, max_length=20, pattern=r"^[0-9A-Za-z-]+$")
    eservice: int | None = Field(None, ge=1, le=2**31 - 1)


@router.get("/documents", response={200: DocumentPage, **ERRORS}, tags=["datnes"])
def list_documents(request, q: Query[DocumentQuery]):
    """The client's files, submitted and results, newest first."""
    need_scope(request, Scope.READ)
    queryset = Document.objects.for_client(request.client).select_related("order_part__order")
    if q.direction:
        if q.direction not in Document.Direction.values:
            raise Problem(
                400, "invalid_filter", _invalid_choice(), errors={"direction": [_invalid_choice()]}
            )
        queryset = queryset.filter(direction=q.direction)
    if q.order:
        queryset = queryset.filter(order_part__order__number=q.order)
    if q.eservice:
        queryset = queryset.filter(eservice_id=q.eservice)
    page, _fs = api_page(
        request, None, queryset, DOCUMENT_SORTS, {}, sort=q.sort, cursor=q.cursor, limit=q.limit
    )
    return {**page_meta(page), "items": [_document(d) for d in page.rows]}


def _invalid_choice() -> str:
    return _("Izvēlieties kādu no sarakstā dotajām vērtībām.")


@router.get(
    "/documents/{document_id}",
    response={200: DocumentOut, 304: None, **ERRORS},
    tags=["datnes"],
)
def get_document(request, document_id: int = Path(..., ge=1, le=2**63 - 1)):
    need_scope(request, Scope.READ)
    document = (
        Document.objects.for_client(request.client)
        .select_related("order_part__order")
        .filter(pk=document_id)
        .first()
    )
    if document is None:
        return not_found(request)
    return etag_response(request, DocumentOut, _document(document))


@router.get(
    "/documents/{document_id}/content",
    response={200: None, 302: None, **ERRORS, 410: ProblemOut},
    tags=["datnes"],
    openapi_extra=FILE_RESPONSES,
)
def download_document(request, document_id: int = Path(..., ge=1, le=2**63 - 1)):
    """The file, under the pages' rule: a result only when delivered to the account and the order
    is paid in full (otherwise 403 `unpaid_invoice` naming the invoices, with the page's words)."""
    need_scope(request, Scope.READ)
    document = (
        Document.objects.for_client(request.client)
        .select_related("order_part__order")
        .filter(pk=document_id)
        .first()
    )
    if document is None:
        return not_found(request)
    decision = download_decision(document)
    if not decision.allowed:
        status = 410 if decision.code == "file_deleted" else 403
        extra = {"invoices": list(decision.invoices)} if decision.invoices else {}
        raise Problem(status, decision.code or "download_refused", decision.reason, **extra)
    return serve_stored(document.file, document.original_name)


# --- notifications ----------------------------------------------------------------------------------
class NotificationQuery(Paging):
    """The inbox of the token's maker for the token's client (the page Paziņojumi)."""

    sort: str | None = _sort(NOTIFICATION_SORTS, NOTIFICATION_SORTS.default)
    unacknowledged: bool = Field(False, description="Only those not yet marked read")


def _notification(n: Notification) -> dict:
    return {
        "id": n.pk,
        "kind": n.kind,
        "subject": n.subject,
        "body": n.body,
        "link": n.link,
        "created_at": n.created_at,
        "acknowledged_at": n.read_at,
    }


def _inbox(request):
    return Notification.objects.for_recipient(request.api_token.created_by, request.client)


@router.get("/notifications", response={200: NotificationPage, **ERRORS}, tags=["paziņojumi"])
def list_notifications(request, q: Query[NotificationQuery]):
    """The notifications feed: poll with sort=created and the last next_cursor, then acknowledge."""
    need_scope(request, Scope.READ)
    queryset = _inbox(request)
    if q.unacknowledged:
        queryset = queryset.unread()
    page, _fs = api_page(
        request, None, queryset, NOTIFICATION_SORTS, {}, sort=q.sort, cursor=q.cursor, limit=q.limit
    )
    return {**page_meta(page), "items": [_notification(n) for n in page.rows]}


@router.post(
    "/notifications/{notification_id}/acknowledge",
    response={200: NotificationOut, 409: ProblemOut, 422: ProblemOut, **ERRORS},
    tags=["paziņojumi"],
)
@idempotent
def acknowledge_notification(request, notification_id: int = Path(..., ge=1, le=2**63 - 1)):
    """Mark it read, as the page's button does; acknowledging again changes nothing."""
    need_scope(request, Scope.READ)
    notification = _inbox(request).filter(pk=notification_id).first()
    if notification is None:
        return not_found(request)
    if notification.read_at is None:
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
            read_at=timezone.now()
        )
        notification.refresh_from_db(fields=["read_at"])
    return json_response(NotificationOut, _notification(notification))
