"""The Mani pasūtījumi VZD table, declared once (manskonts/columns.py).

Each column says its header, its ?sort= order and how its cell is written (in Python for speed,
see "rendering rows cheaply" in manskonts/listing.py); the page (templates/orders/list.html:
{% table_head %}, rows, colspan) and the sort whitelist `SORTS` read this one list. The rows are
order_rows() (with `eservice_ids`); the context has the link prefixes and the page's payment
states by order id (orders.queries.row_payment_states).
"""

from __future__ import annotations

from urllib.parse import quote

from django.utils.translation import gettext_lazy as _

from manskonts.columns import Column, Table
from manskonts.identifiers import format_cadastral
from manskonts.listing import EMPTY, awaiting_tag, day, links, tag_class
from manskonts.templatetags.manskonts import lv
from orders.workflow import OrderStatus

STATUS_LABELS = dict(OrderStatus.choices)


def _payment(p, c) -> str:
    state = c["payments"].get(p.order_id)
    return state.label if state is not None else ""


TABLE = Table(
    [
        Column(
            "number",
            _("Pasūtījuma Nr."),
            lambda p, c: (c["orders"], quote(p.order.number), p.order.number),
            '<a class="govuk-link" href="{}{}/">{}</a>',
            "key",
            sort=("order_number", "part_number", "id"),
        ),
        Column(
            "part",
            _("Pasūtījuma daļas numurs"),
            lambda p, c: p.part_number,
            kind="nowrap",
            sort=("part_number", "order_number", "id"),
        ),
        Column(
            "created",
            _("Izveidošanas datums"),
            lambda p, c: day(p.created_at),
            kind="nowrap",
            sort=("created_at", "id"),
        ),
        Column("service", _("Pasūtījuma nosaukums"), lambda p, c: lv(p.service.name)),
        Column(
            "object",
            _("Objekts"),
            lambda p, c: format_cadastral(p.object_code or "") or EMPTY,
            kind="nowrap",
        ),
        Column(
            "planned",
            _("Plānotais izpildes termiņš"),
            lambda p, c: day(p.planned_completion_date) or EMPTY,
            kind="nowrap",
        ),
        Column(
            "eservices",
            _("Saistītie pakalpojumi"),
            lambda p, c: links(c["eservices"], p.eservice_ids),
            kind="links",
        ),
        Column(
            "status",
            _("Statuss"),
            lambda p, c: (
                tag_class(p.status),
                STATUS_LABELS.get(p.status, p.status),
                awaiting_tag() if p.awaiting_reply else "",
            ),
            '<strong class="govuk-tag {}">{}</strong>{}',
            "tag",
            sort=("status_rank", "id"),
        ),
        Column(
            "changed",
            _("Statusa izmaiņu datums"),
            lambda p, c: day(p.status_changed_at),
            kind="nowrap",
        ),
        Column("payment", _("Apmaksa"), _payment),
    ]
)
SORTS = TABLE.sort_choices(default="-created")
