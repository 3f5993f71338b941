"""The rows of the E-pakalpojumu vēsture table (header and empty row: templates/eservices/_table.html).

Written in Python for speed, from the column declarations below; see "rendering rows cheaply" in
manskonts/listing.py. Each column's kind is its cell's class (mk-cell--key, --nowrap, --wrap,
--tag: static/src/_portal.scss) and its label the cell's data-label for the phone's cards.
"""

from __future__ import annotations

from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from eservices.models import EServiceStatus
from manskonts.identifiers import format_cadastral
from manskonts.listing import EMPTY, Column, day, html_cells, links, row_template, tag_class
from manskonts.templatetags.manskonts import lv

COLUMNS = (
    Column(_("E-pakalpojuma ID"), '<a class="govuk-link" href="{}{}/">{}</a>', "key"),
    Column(_("Izveidošanas datums"), kind="nowrap"),
    Column(_("Pakalpojuma nosaukums")),
    Column(_("Objekts"), kind="nowrap"),
    Column(_("Statuss"), '<strong class="govuk-tag {}">{}</strong>', "tag"),
    Column(_("Izmaiņu datums"), kind="nowrap"),
    Column(_("Saistītie pasūtījumi"), kind="links"),
    Column(_("Klienta identifikators")),
)
COLUMNS_WITH_USER = (*COLUMNS, Column(_("Lietotājs")))
STATUS_LABELS = dict(EServiceStatus.choices)


def eservice_rows(rows, *, eservice_prefix: str, order_prefix: str, show_user: bool) -> SafeString:
    """One <tr> per e-service of history_rows() (with `order_numbers`), in the header's order."""
    template = row_template(COLUMNS_WITH_USER if show_user else COLUMNS) + "</tr>"
    html = []
    for e in rows:
        values = [
            eservice_prefix,
            e.pk,
            e.pk,
            day(e.created_at),
            lv(e.service.name),
            format_cadastral(e.object_code or ""),
            tag_class(e.status),
            STATUS_LABELS.get(e.status, e.status),
            day(e.status_changed_at),
            links(order_prefix, e.order_numbers),
            e.label or EMPTY,
        ]
        if show_user:
            user = e.requested_by
            values.append((user.get_full_name() if user else "") or EMPTY)
        html.append(html_cells(template, *values))
    return SafeString("".join(html))
