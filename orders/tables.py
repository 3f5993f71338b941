"""The rows of the Mani pasūtījumi VZD table (header and empty row: templates/orders/list.html).

Written in Python for speed; see "rendering rows cheaply" in manskonts/listing.py.
"""

from __future__ import annotations

from urllib.parse import quote

from django.utils.safestring import SafeString

from manskonts.identifiers import format_cadastral
from manskonts.listing import EMPTY, day, html_cells, links, tag_class
from manskonts.templatetags.manskonts import lv
from orders.workflow import OrderStatus

ROW = (
    '<tr class="govuk-table__row">'
    '<td class="govuk-table__cell"><a class="govuk-link" href="{}{}/">{}</a></td>'
    '<td class="govuk-table__cell">{}</td>'
    '<td class="govuk-table__cell mk-nowrap">{}</td>'
    '<td class="govuk-table__cell">{}</td>'
    '<td class="govuk-table__cell mk-nowrap">{}</td>'
    '<td class="govuk-table__cell mk-nowrap">{}</td>'
    '<td class="govuk-table__cell">{}</td>'
    '<td class="govuk-table__cell"><strong class="govuk-tag {}">{}</strong></td>'
    '<td class="govuk-table__cell mk-nowrap">{}</td>'
    '<td class="govuk-table__cell">{}</td>'
    "</tr>"
)
STATUS_LABELS = dict(OrderStatus.choices)


def order_part_rows(rows, *, order_prefix: str, eservice_prefix: str) -> SafeString:
    """One <tr> per order part of order_rows() (with `eservice_ids`), each with `payment` set."""
    return SafeString(
        "".join(
            html_cells(
                ROW,
                order_prefix,
                quote(p.order.number),
                p.order.number,
                p.part_number,
                day(p.created_at),
                lv(p.service.name),
                format_cadastral(p.object_code or "") or EMPTY,
                day(p.planned_completion_date) or EMPTY,
                links(eservice_prefix, p.eservice_ids),
                tag_class(p.status),
                STATUS_LABELS.get(p.status, p.status),
                day(p.status_changed_at),
                p.payment.label if p.payment is not None else "",
            )
            for p in rows
        )
    )
