"""The Rēķini table, declared once (manskonts/columns.py).

Each column says its header, its ?sort= order and how its cell is written (in Python, as the two
big lists); the page (templates/billing/invoice_list.html: {% table_head %}, rows, colspan) and
the sort whitelist `SORTS` read this one list. The rows are invoices annotated with `paid_amount`
(billing.services.with_paid_amount); what is owed and the payment state are worked out here by
billing.services' own functions, so nothing is set on the invoices. The context has the link
prefixes, today's date and, with the "Apmaksāt" column, the page's PayForm boxes by invoice
number (`pay`). The "Apmaksāt" column is shown when the portal takes payments and
something on the page is owed (`TABLE.layout(pay=...)`).
"""

from __future__ import annotations

from urllib.parse import quote

from django.utils.safestring import SafeString
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from billing.services import PaymentState, amount_owed, invoice_state
from manskonts.columns import Column, Table
from manskonts.listing import day, html_cells
from manskonts.templatetags.manskonts import cadastral, lv, money

TAGS = {
    PaymentState.PAID: "govuk-tag--green",
    PaymentState.PARTLY_PAID: "govuk-tag--yellow",
}
# Around one box of the page's PayForm (its item written by the form renderer, manskonts/forms.py).
CHECKBOXES = (
    '<div class="govuk-checkboxes govuk-checkboxes--small" data-module="govuk-checkboxes">{}</div>'
)

TAG = '<strong class="govuk-tag {}">{}</strong>'


def is_overdue(invoice, today) -> bool:
    """Something is still owed on it after its due date."""
    return amount_owed(invoice) > 0 and invoice.due_on < today


def state_tag(invoice, today) -> SafeString:
    """The payment state as a tag: paid, overdue, partly paid or not paid."""
    state = invoice_state(invoice.total, invoice.paid_amount)
    if state != PaymentState.PAID and is_overdue(invoice, today):
        return SafeString(html_cells(TAG, "govuk-tag--red", gettext("Kavēts")))
    tag = TAGS.get(state, "govuk-tag--grey")
    return SafeString(html_cells(TAG, tag, PaymentState.LABELS[state]))


def _pay(invoice, context) -> tuple[str, SafeString | str]:
    """The invoice's box of the page's PayForm (context "pay": its items by invoice number)."""
    item = context["pay"].get(invoice.number)
    if item is None:
        return " mk-cell--blank", ""
    return "", SafeString(CHECKBOXES.format(item))


TABLE = Table(
    [
        Column(
            "pay",
            _("Apmaksāt"),
            _pay,
            kind="check",
            cell_class="{}",
            printed=False,
            when="pay",
        ),
        Column(
            "number",
            _("Rēķina Nr."),
            lambda i, c: (c["invoices"], quote(i.number), i.number),
            '<a class="govuk-link" href="{}{}/">{}</a>',
            "key",
        ),
        Column("kind", _("Veids"), lambda i, c: i.get_kind_display()),
        Column(
            "date",
            _("Rēķina datums"),
            lambda i, c: day(i.issued_on),
            kind="nowrap",
            sort=("issued_on", "id"),
        ),
        Column(
            "due",
            _("Apmaksas termiņš"),
            lambda i, c: day(i.due_on),
            kind="nowrap",
            sort=("due_on", "id"),
        ),
        Column(
            "order",
            _("Pasūtījuma Nr."),
            lambda i, c: (c["orders"], quote(i.order.number), i.order.number),
            '<a class="govuk-link" href="{}{}/">{}</a>',
            "nowrap",
        ),
        Column("total", _("Kopā"), lambda i, c: money(i.total), kind="nowrap", numeric=True),
        Column(
            "owed",
            _("Jāmaksā"),
            lambda i, c: money(amount_owed(i)),
            kind="nowrap",
            numeric=True,
        ),
        Column("state", _("Apmaksa"), lambda i, c: state_tag(i, c["today"]), kind="tag"),
    ]
)
SORTS = TABLE.sort_choices(default="-date")

# The order page's "Rēķini": every invoice of one order (annotated with `paid_amount`), not a list
# page (no sort, no pager). The context has the invoices' link prefix (`invoices`).
ORDER_INVOICES = Table(
    [
        Column(
            "number",
            _("Rēķina Nr."),
            lambda i, c: (c["invoices"], quote(i.number), i.number),
            '<a class="govuk-link" href="{}{}/">{}</a>',
            "key",
        ),
        Column("kind", _("Veids"), lambda i, c: i.get_kind_display()),
        Column("date", _("Datums"), lambda i, c: day(i.issued_on), kind="nowrap"),
        Column("due", _("Apmaksāt līdz"), lambda i, c: day(i.due_on), kind="nowrap"),
        Column("total", _("Summa"), lambda i, c: money(i.total), kind="nowrap", numeric=True),
        Column(
            "paid", _("Samaksāts"), lambda i, c: money(i.paid_amount), kind="nowrap", numeric=True
        ),
    ]
)


def _overpayment_state(overpayment, context) -> str:
    state = overpayment.get_status_display()
    return f"{state} {day(overpayment.refunded_on)}" if overpayment.refunded_on else state


# The invoice page's "Saņemtie maksājumi" (its Payments) and "Pārmaksas" (its Overpayments).
PAYMENTS = Table(
    [
        Column("date", _("Datums"), lambda p, c: day(p.paid_on), kind="nowrap"),
        Column("source", _("Veids"), lambda p, c: p.get_source_display()),
        Column("amount", _("Summa"), lambda p, c: money(p.amount), kind="nowrap", numeric=True),
    ]
)
OVERPAYMENTS = Table(
    [
        Column("date", _("Datums"), lambda o, c: day(o.received_on), kind="nowrap"),
        Column("source", _("Veids"), lambda o, c: o.get_source_display()),
        Column("amount", _("Summa"), lambda o, c: money(o.amount), kind="nowrap", numeric=True),
        Column("state", _("Statuss"), _overpayment_state),
    ]
)
# The printed invoice's "Pakalpojumi": the order's parts (with their service).
PRINT_PARTS = Table(
    [
        Column("part", _("Daļa"), lambda p, c: p.part_number, kind="nowrap"),
        Column("service", _("Pakalpojums"), lambda p, c: lv(p.service.name)),
        Column(
            "object",
            _("Objekts"),
            lambda p, c: cadastral(p.object_code),
            kind="nowrap",
            cell_class=" mk-nowrap",
        ),
    ]
)
