"""The rows of the Mani pasūtījumi VZD table (header and empty row: templates/orders/list.html).

Written in Python for speed, from the column declarations below; see "rendering rows cheaply" in
manskonts/listing.py. Each column's kind is its cell's class (mk-cell--key, --nowrap, --wrap,
--tag: static/src/_portal.scss) and its label the cell's data-label for the phone's cards.
"""

from __future__ import annotations

from urllib.parse import quote

from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from manskonts.identifiers import format_cadastral
from manskonts.listing import EMPTY, Column, day, html_cells, links, row_template, tag_class
from manskonts.templatetags.manskonts import lv
from orders.workflow import OrderStatus

COLUMNS = (
    Column(_("Pasūtījuma Nr."), '<a class="govuk-link" href="{}{}/">{}</a>', "key"),
    Column(_("Pasūtījuma daļas numurs"), kind="nowrap"),
    Column(_("Izveidošanas datums"), kind="nowrap"),
    Column(_("Pasūtījuma nosaukums")),
    Column(_("Objekts"), kind="nowrap"),
    Column(_("Plānotais izpildes termiņš"), kind="nowrap"),
    Column(_("Saistītie pakalpojumi"), kind="links"),
    Column(_("Statuss"), '<strong class="govuk-tag {}">{}</strong>', "tag"),
    Column(_("Statusa izmaiņu datums"), kind="nowrap"),
    Column(_("Apmaksa")),
)
STATUS_LABELS = dict(OrderStatus.choices)


def order_part_rows(rows, *, order_prefix: str, eservice_prefix: str) -> SafeString:
    """One <tr> per order part of order_rows() (with `eservice_ids`), each with `payment` set."""
    template = row_template(COLUMNS) + "</tr>"
    return SafeString(
        "".join(
            html_cells(
                template,
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
