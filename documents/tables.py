"""The files table of an order part and an e-service ("Datnes"), declared once (manskonts/columns.py).

templates/documents/_documents.html writes its header and rows from this list through the
`document_table_head` and `document_rows` tags (documents/templatetags/documents.py), so the
order page and the e-service page show the same columns, each cell named by its column. The rows
are Document instances with order_part/order or eservice loaded; the "Paraksts" column shows the
signature check of a PDF or .edoc (documents/signing.py): "Pārbauda parakstu…" until it is done
(the page shows the result when reloaded), then one line per signature; a container's data files
are listed under its name, each downloadable on its own.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from manskonts.columns import Column, Table
from manskonts.listing import day
from manskonts.templatetags.manskonts import file_size

PENDING = (
    '<p class="govuk-body-s govuk-!-margin-bottom-0">{}</p>'
    '<p class="govuk-hint govuk-!-font-size-16 govuk-!-margin-bottom-0">{}</p>'
)


def _file(document, context) -> SafeString:
    """Its name (a download link unless deleted), its size and a container's data files."""
    size = file_size(document.size)
    if document.is_deleted:
        return format_html(
            '{} <span class="govuk-hint">({})</span> <span class="govuk-body-s">({})</span>',
            document.original_name,
            gettext("dzēsta pēc 90 dienām"),
            size,
        )
    html = format_html(
        '<a class="govuk-link" href="{}">{}</a> <span class="govuk-body-s">({})</span>',
        reverse("documents:download", args=[document.pk]),
        document.original_name,
        size,
    )
    inner = document.container_files
    if inner:
        html += format_html(
            '<p class="govuk-body-s govuk-!-margin-top-2 govuk-!-margin-bottom-1">{}</p>'
            '<ul class="govuk-list govuk-body-s govuk-!-margin-bottom-0">{}</ul>',
            gettext("Konteinerā:"),
            format_html_join(
                "",
                '<li><a class="govuk-link" href="{}">{}</a> ({})</li>',
                (
                    (
                        reverse("documents:container_file", args=[document.pk, f["index"]]),
                        f["name"],
                        file_size(f["size"]),
                    )
                    for f in inner
                ),
            ),
        )
    return html


def _available(document, context) -> str:
    if document.is_deleted:
        return f"{gettext('dzēsta')} {day(document.deleted_at)}"
    if document.available_until:
        return day(document.available_until)
    return gettext("bez termiņa")


def _signature(document, context) -> SafeString | str:
    if document.signature_pending:
        return format_html(
            PENDING,
            gettext("Pārbauda parakstu…"),
            gettext("Pārlādējiet lapu pēc brīža, lai redzētu rezultātu."),
        )
    lines = document.signature_lines
    if len(lines) > 1:
        return format_html(
            '<ul class="govuk-list govuk-body-s govuk-!-margin-bottom-0">{}</ul>',
            format_html_join("", "<li>{}</li>", ((line,) for line in lines)),
        )
    if lines:
        return format_html('<p class="govuk-body-s govuk-!-margin-bottom-0">{}</p>', lines[0])
    return "—"


TABLE = Table(
    [
        Column("file", _("Datne"), _file),
        Column("direction", _("Veids"), lambda d, c: d.get_direction_display()),
        Column("uploaded", _("Pievienota"), lambda d, c: day(d.uploaded_at), kind="nowrap"),
        Column("available", _("Pieejama līdz"), _available, kind="nowrap"),
        Column("signature", _("Paraksts"), _signature, cell_class=" mk-signature"),
    ]
)
