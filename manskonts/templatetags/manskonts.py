"""Filters every template may use (registered as builtins in settings)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import template
from django.http import QueryDict
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from manskonts import listing
from manskonts.identifiers import format_cadastral, format_personal_code

register = template.Library()


@register.filter
def money(value) -> str:
    """1234.5 → '1 234,50 €' (non-breaking spaces, so the amount never wraps)."""
    if value is None or value == "":
        return ""
    try:
        amount = Decimal(value).quantize(Decimal("0.01"))
    except (InvalidOperation, TypeError, ValueError):
        return ""
    sign = "-" if amount < 0 else ""
    whole, cents = f"{abs(amount):.2f}".split(".")
    groups = []
    while whole:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    return f"{sign}{chr(0xA0).join(groups)},{cents}\xa0€"


@register.filter
def cadastral(value) -> str:
    return format_cadastral(str(value or ""))


@register.filter
def lv(value):
    """Latvian data (service and group names) marked as Latvian on a page in another language, so
    that a screen reader pronounces it as Latvian (WCAG 3.1.2 Language of Parts)."""
    if value in (None, "") or get_language() == "lv":
        return value
    return format_html('<span lang="lv">{}</span>', value)


@register.filter
def tag_class(status) -> str:
    """The GOV.UK tag colour of a status (one table for templates and the Python-written rows)."""
    return listing.tag_class(status)


@register.filter
def personal_code(value) -> str:
    return format_personal_code(str(value or ""))


@register.simple_tag(takes_context=True)
def query_with(context, **changes) -> str:
    """The current query string with some parameters changed (None or '' removes one).

    Changing anything but the page returns to the first page, as GOV.UK's filter pattern does.
    """
    request = context["request"]
    params: QueryDict = request.GET.copy()
    if "page" not in changes and "cursor" not in changes:
        params.pop("page", None)
        params.pop("cursor", None)
    for key, value in changes.items():
        if value is None or value == "":
            params.pop(key, None)
        else:
            params[key] = value
    encoded = params.urlencode()
    return f"?{encoded}" if encoded else "?"


# --- GOV.UK components written in Python -----------------------------------------------------------
# Used on the two big lists, where each include costs (SPEC Targets: median <= 20 ms per page): the
# sortable table header. Form fields are written by the form renderer (manskonts/forms.py).


@register.simple_tag(takes_context=True)
def sort_header(context, h: dict) -> SafeString:
    """A sortable column header (h: one of manskonts.listing.SortChoices.headers)."""
    state = h["aria"]
    if state == "ascending":
        arrow, hint = " ▲", _("kārtots augošā secībā; kārtot dilstošā")
    elif state == "descending":
        arrow, hint = " ▼", _("kārtots dilstošā secībā; kārtot augošā")
    else:
        arrow, hint = "", _("kārtot")
    return format_html(
        '<th scope="col" class="govuk-table__header" aria-sort="{}"><a class="govuk-link '
        'mk-sort-link" href="{}">{}{}<span class="govuk-visually-hidden"> — {}</span></a></th>',
        state,
        query_with(context, sort=h["next"]),
        h["label"],
        format_html('<span aria-hidden="true">{}</span>', arrow) if arrow else "",
        hint,
    )


@register.simple_tag(takes_context=True)
def table_head(context, table, headers: dict) -> SafeString:
    """The header cells of a declared table (manskonts.columns.Layout), in its columns' order:
    a sort link with aria-sort for each sortable column (headers: SortChoices.headers)."""
    cells = []
    for column in table:
        h = headers.get(column.name) if column.sort else None
        if h is not None:
            cells.append(sort_header(context, {**h, "label": column.label}))
        else:
            cells.append(
                format_html('<th scope="col" class="{}">{}</th>', column.th_classes(), column.label)
            )
    return SafeString("".join(cells))
