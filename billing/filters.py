"""The invoice list's filter (in the URL); its sorts are the table's (billing/tables.py)."""

from __future__ import annotations

import django_filters
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from billing.models import Invoice
from manskonts.listing import ListFilterSet


class InvoiceFilter(ListFilterSet):
    """Filters a queryset annotated with `paid_amount` (billing.services.with_paid_amount)."""

    UNPAID, OVERDUE, PAID = "unpaid", "overdue", "paid"
    STATES = (
        (UNPAID, _("Neapmaksātie")),
        (OVERDUE, _("Kavētie")),
        (PAID, _("Apmaksātie")),
    )

    state = django_filters.ChoiceFilter(
        label=_("Rādīt"),
        choices=STATES,
        method="filter_state",
        empty_label=_("Visi rēķini"),
        error_messages={"invalid_choice": _("Izvēlieties, kurus rēķinus rādīt.")},
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
