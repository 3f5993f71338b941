"""The E-pakalpojumu vēsture table and its Excel report, declared once (manskonts/columns.py).

Each column says its header, its ?sort= order, how its page cell is written (in Python for speed,
see "rendering rows cheaply" in manskonts/listing.py) and how its Excel cell is written. The page
(templates/eservices/_table.html: {% table_head %}, rows, colspan), the sort whitelist `SORTS` and
the report (eservices/exporters.py) all read this one list. The page's rows are history_rows()
(with `order_numbers`); the report's are plain tuples of `values_list(*sheet.fields)`, the
related order numbers already joined by PostgreSQL (`order_numbers_text`).
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from eservices.models import EServiceStatus
from manskonts.columns import DATE, NUMBER, Column, Excel, Table
from manskonts.identifiers import format_cadastral
from manskonts.listing import EMPTY, awaiting_tag, day, links, tag_class
from manskonts.templatetags.manskonts import lv

STATUS_LABELS = dict(EServiceStatus.choices)


def _full_name(first, last) -> str:
    return f"{first or ''} {last or ''}".strip()


def _user(e, _context) -> str:
    user = e.requested_by
    return (user.get_full_name() if user else "") or EMPTY


TABLE = Table(
    [
        Column(
            "id",
            _("E-pakalpojuma ID"),
            lambda e, c: (c["eservices"], e.pk, e.pk),
            '<a class="govuk-link" href="{}{}/">{}</a>',
            "key",
            sort=("id",),
            excel=Excel(("id",), width=16, format=NUMBER),
        ),
        Column(
            "created",
            _("Izveidošanas datums"),
            lambda e, c: day(e.created_at),
            kind="nowrap",
            sort=("created_at", "id"),
            excel=Excel(("created_day",), format=DATE),
        ),
        Column(
            "service",
            _("Pakalpojuma nosaukums"),
            lambda e, c: lv(e.service.name),
            sort=("service_rank", "id"),
            excel=Excel(("service__name",), width=48),
        ),
        Column(
            "group",
            _("Pakalpojuma grupa"),
            html=False,
            excel=Excel(("service__group__name",), width=24),
        ),
        Column(
            "object",
            _("Objekts"),
            lambda e, c: format_cadastral(e.object_code or ""),
            kind="nowrap",
            excel=Excel(("object_code",), format_cadastral, width=22),
        ),
        Column(
            "status",
            _("Statuss"),
            lambda e, c: (
                tag_class(e.status),
                STATUS_LABELS.get(e.status, e.status),
                awaiting_tag() if e.awaiting_reply else "",
            ),
            '<strong class="govuk-tag {}">{}</strong>{}',
            "tag",
            sort=("status_rank", "id"),
            excel=Excel(("status",), labels=STATUS_LABELS),
        ),
        Column(
            "changed",
            _("Izmaiņu datums"),
            lambda e, c: day(e.status_changed_at),
            kind="nowrap",
            sort=("status_changed_at", "id"),
            excel=Excel(("changed_day",), format=DATE),
        ),
        Column(
            "received",
            _("Saņemšanas datums"),
            html=False,
            excel=Excel(("received_day",), format=DATE),
        ),
        Column(
            "order",
            _("Saistītie pasūtījumi"),
            lambda e, c: links(c["orders"], e.order_numbers),
            kind="links",
            sort=("order_key", "id"),
            excel=Excel(("order_numbers_text",), width=24),
        ),
        Column(
            "label",
            _("Klienta identifikators"),
            lambda e, c: e.label or EMPTY,
            sort=("label_key", "id"),
            excel=Excel(("label",), width=26),
        ),
        Column(
            "user",
            _("Lietotājs"),
            _user,
            when="user",
            excel=Excel(
                ("requested_by__first_name", "requested_by__last_name"), _full_name, width=26
            ),
        ),
    ]
)
SORTS = TABLE.sort_choices(default="-created")


def _order_parts(order, context) -> SafeString:
    """Each part of a linked order: its number, service and status tag, one a line."""
    return SafeString(
        "<br>".join(
            format_html(
                '{}. {} — <strong class="govuk-tag {}">{}</strong>',
                part.part_number,
                lv(part.service.name),
                tag_class(part.status),
                part.get_status_display(),
            )
            for part in order.parts.all()
        )
    )


# The e-service page's "Saistītie pasūtījumi": its orders with their parts (prefetched).
ORDERS = Table(
    [
        Column(
            "number",
            _("Pasūtījuma Nr."),
            lambda o, c: (reverse("orders:detail", args=[o.number]), o.number),
            '<a class="govuk-link" href="{}">{}</a>',
            "key",
        ),
        Column("created", _("Izveidošanas datums"), lambda o, c: day(o.created_at), kind="nowrap"),
        Column("parts", _("Pasūtījuma daļas"), _order_parts),
    ]
)
