"""The clerk's desk: what needs action now, on the admin's start page.

Each app registers its own items from its admin.py (`desk.register(DeskItem(...))`), so the admin
site (accounts) shows them without importing the apps above it. An item is a count of one model's
rows and a link to that model's admin list, filtered to those rows; it is shown only to a staff
member who may view that list. Later items (requests past their deadline, unanswered client
messages) register the same way.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

from django.apps import apps
from django.db.models import QuerySet
from django.urls import reverse


@dataclass(frozen=True)
class DeskItem:
    key: str
    label: str  # lazy: "Pieteikumi, kas gaida reģistrāciju"
    model: str  # "orders.OrderPart": whose admin list the link opens
    # The rows that need action, from the admin's own queryset (so the count is what the list shows)
    rows: Callable[[QuerySet], QuerySet]
    query: dict[str, str]  # the list's filter parameters showing exactly those rows
    order: int = 100


_items: dict[str, DeskItem] = {}


def register(item: DeskItem) -> DeskItem:
    """Add (or replace, by key) an item of the desk."""
    _items[item.key] = item
    return item


def registered() -> list[DeskItem]:
    return sorted(_items.values(), key=lambda item: (item.order, item.key))


@dataclass(frozen=True)
class DeskLine:
    key: str
    label: str
    count: int
    url: str


def lines_for(request, admin_site) -> list[DeskLine]:
    """The items this staff member may see, each with its count and filtered list link."""
    lines = []
    for item in registered():
        model = apps.get_model(item.model)
        model_admin = admin_site._registry.get(model)
        if model_admin is None or not model_admin.has_view_permission(request):
            continue
        opts = model._meta
        url = reverse(
            f"{admin_site.name}:{opts.app_label}_{opts.model_name}_changelist",
            current_app=admin_site.name,
        )
        lines.append(
            DeskLine(
                key=item.key,
                label=str(item.label),
                count=item.rows(model_admin.get_queryset(request)).count(),
                url=f"{url}?{urlencode(item.query)}" if item.query else url,
            )
        )
    return lines
