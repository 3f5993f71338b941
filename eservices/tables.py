"""The rows of the E-pakalpojumu vēsture table (header and empty row: templates/eservices/_table.html).

Written in Python for speed; see "rendering rows cheaply" in manskonts/listing.py.
"""

from __future__ import annotations

from django.utils.safestring import SafeString

from eservices.models import EServiceStatus
from manskonts.identifiers import format_cadastral
from manskonts.listing import EMPTY, day, html_cells, links, tag_class
from manskonts.templatetags.manskonts import lv

ROW = (
    '<tr class="govuk-table__row">'
    '<td class="govuk-table__cell"><a class="govuk-link" href="{}{}/">{}</a></td>'
    '<td class="govuk-table__cell mk-nowrap">{}</td>'
    '<td class="govuk-table__cell">{}</td>'
    '<td class="govuk-table__cell mk-nowrap">{}</td>'
    '<td class="govuk-table__cell"><strong class="govuk-tag {}">{}</strong></td>'
    '<td class="govuk-table__cell mk-nowrap">{}</td>'
    '<td class="govuk-table__cell">{}</td>'
    '<td class="govuk-table__cell">{}</td>'
)
USER_CELL = '<td class="govuk-table__cell">{}</td>'
STATUS_LABELS = dict(EServiceStatus.choices)


def eservice_rows(rows, *, eservice_prefix: str, order_prefix: str, show_user: bool) -> SafeString:
    """One <tr> per e-service of history_rows() (with `order_numbers`), in the header's order."""
    html = []
    for e in rows:
        html.append(
            html_cells(
                ROW,
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
            )
        )
        if show_user:
            user = e.requested_by
            html.append(html_cells(USER_CELL, (user.get_full_name() if user else "") or EMPTY))
        html.append("</tr>")
    return SafeString("".join(html))
