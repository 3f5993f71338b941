"""Filters every template may use (registered as builtins in settings)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import template
from django.http import QueryDict

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
