"""The invoice list's filter (in the URL) and its whitelist of sort keys."""

from __future__ import annotations

import django_filters
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from billing.models import Invoice


class InvoiceFilter(django_filters.FilterSet):
    """Filters a queryset annotated with `paid_amount` (billing.services.with_paid_amount)."""

    UNPAID, OVERDUE, PAID = "unpaid", "overdue", "paid"
    STATES = (
        (UNPAID, _("Neapmaksātie")),
        (OVERDUE, _("Kavētie")),
        (PAID, _("Apmaksātie")),
    )

    state = django_filters.ChoiceFilter(
        label=_("Rādīt"), choices=STATES, method="filter_state", empty_label=_("Visi rēķini")
    )

    class Meta:
        model = Invoice
        fields: list[str] = []

    def filter_state(self, queryset, name, value):
        if value == self.PAID:
            return queryset.filter(paid_amount__gte=F("total"))
        unpaid = queryset.filter(paid_amount__lt=F("total"))
        if value == self.OVERDUE:
            return unpaid.filter(due_on__lt=timezone.localdate())
        return unpaid


SORTS = {
    "date": ("issued_on", "id"),
    "-date": ("-issued_on", "-id"),
    "due": ("due_on", "id"),
    "-due": ("-due_on", "-id"),
}
SORT_LABELS = {
    "date": _("Rēķina datums"),
    "due": _("Apmaksas termiņš"),
}
DEFAULT_SORT = "-date"


def sort_key(raw: str | None) -> str:
    return raw if raw in SORTS else DEFAULT_SORT
