"""Filters every template may use (registered as builtins in settings)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import template
from django.forms import BoundField, DateField
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
# Used on the two big lists, where each include costs (SPEC Targets: median <= 20 ms per page); the
# markup is the GOV.UK Frontend text input, date input (native), select and sortable table header.
INPUT_TYPES = {
    "date": ' type="date"',
    "number": ' type="text" inputmode="numeric" spellcheck="false"',
}


@register.simple_tag
def govuk_field(field: BoundField) -> SafeString:
    """One form field as a GOV.UK form group: label, hint, errors, then the input or select."""
    errors = field.errors
    auto_id = field.auto_id
    help_text = field.help_text
    described = " ".join(
        part for part in (help_text and f"{auto_id}-hint", errors and f"{auto_id}-error") if part
    )
    aria = format_html(' aria-describedby="{}"', described) if described else ""
    html = [
        format_html(
            '<div class="govuk-form-group{}"><label class="govuk-label govuk-label--s" for="{}">{}'
            "</label>",
            " govuk-form-group--error" if errors else "",
            field.id_for_label,
            field.label,
        )
    ]
    if help_text:
        html.append(
            format_html('<div id="{}-hint" class="govuk-hint">{}</div>', auto_id, help_text)
        )
    for error in errors:
        html.append(
            format_html(
                '<p id="{}-error" class="govuk-error-message"><span class="govuk-visually-hidden">'
                "{}</span> {}</p>",
                auto_id,
                _("Kļūda:"),
                error,
            )
        )
    value = field.value()
    value = "" if value is None else str(value)
    widget_type = field.widget_type
    if widget_type == "select":
        # Choices that are Latvian data (service groups) say so on a page in another language.
        data_lang = getattr(field.field, "data_language", "")
        option_lang = (
            format_html(' lang="{}"', data_lang)
            if data_lang and data_lang != get_language()
            else ""
        )
        options = "".join(
            format_html(
                '<option value="{}"{}{}>{}</option>',
                choice,
                " selected" if str(choice) == value else "",
                option_lang if choice != "" else "",
                label,
            )
            for choice, label in field.field.choices
        )
        html.append(
            format_html(
                '<select class="govuk-select{}" id="{}" name="{}"{}>{}</select>',
                " govuk-select--error" if errors else "",
                auto_id,
                field.html_name,
                aria,
                SafeString(options),
            )
        )
    else:
        max_length = getattr(field.field, "max_length", None)
        is_date = isinstance(field.field, DateField)
        html.append(
            format_html(
                '<input class="govuk-input{}{}" id="{}" name="{}"{} value="{}"{}{}>',
                " govuk-input--width-10" if is_date else "",
                " govuk-input--error" if errors else "",
                auto_id,
                field.html_name,
                SafeString(INPUT_TYPES.get(widget_type, ' type="text" spellcheck="false"')),
                value,
                format_html(' maxlength="{}"', max_length) if max_length else "",
                aria,
            )
        )
    html.append("</div>")
    return SafeString("".join(html))


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
