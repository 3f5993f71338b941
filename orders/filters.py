"""Search and sort of Mani pasūtījumi VZD. Values are whitelisted."""

from __future__ import annotations

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from manskonts.dates import after_day, date_field, day_start
from manskonts.identifier_fields import CadastralPrefixFilter, EServiceIdFilter, OrderNumberFilter
from manskonts.listing import ListFilterSet
from orders.workflow import OrderStatus


class OrderPartFilter(ListFilterSet):
    number = OrderNumberFilter(
        label=_("Pasūtījuma Nr."),
        method="filter_number",
        max_length=20,
        help_text=_("Pilns numurs atver pasūtījumu; numura sākums atlasa pasūtījumus."),
    )
    created_from = date_field(_("Izveidots no"))
    created_to = date_field(_("Izveidots līdz"))
    object = CadastralPrefixFilter(
        label=_("Objekts"),
        method="filter_object",
        max_length=40,
        help_text=_("Kadastra apzīmējums vai tā sākums, piemēram, 1300 026 3302."),
    )
    status = django_filters.ChoiceFilter(
        label=_("Statuss"), choices=OrderStatus.choices, empty_label=_("Visi statusi")
    )
    eservice = EServiceIdFilter(
        label=_("Saistītā e-pakalpojuma ID"),
        method="filter_eservice",
        error_messages={"invalid": _("E-pakalpojuma ID ir skaitlis.")},
    )

    awaiting = django_filters.BooleanFilter(
        label=_("Gaida manu atbildi"),
        widget=forms.CheckboxInput,
        method="filter_awaiting",
        help_text=_("Tikai tie, kuros VZD gaida Jūsu atbildi uz pieprasījumu."),
    )

    def filter_number(self, queryset, name, value):
        if not value:
            return queryset
        # order_number has the C collation: LIKE 'prefix%' reads the (client, number) index.
        return queryset.filter(order_number__startswith=value)

    def filter_date(self, queryset, name, value):
        if name == "created_from":
            return queryset.filter(created_at__gte=day_start(value))
        return queryset.filter(created_at__lt=after_day(value))

    def filter_object(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(object_code__startswith=value)

    def filter_eservice(self, queryset, name, value):
        return queryset.filter(order__eservices__id=value)

    def filter_awaiting(self, queryset, name, value):
        # The (client, created) partial index of the rows awaiting the client answers it.
        return queryset.filter(awaiting_reply=True) if value else queryset
