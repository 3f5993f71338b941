"""Filters and sorts of E-pakalpojumu vēsture (SPEC items 4 and 5). Values are whitelisted."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import django_filters
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from manskonts.listing import SortChoices, SortOption, latvian_sort_string
from orders.models import Service, ServiceGroup

DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d.%m.%Y", "%d.%m.%y"]
MAX_ESERVICE_ID = 2**63 - 1

SORTS = SortChoices(
    [
        SortOption("id", _("E-pakalpojuma ID"), ("id",)),
        SortOption("created", _("Izveidošanas datums"), ("created_at", "id")),
        SortOption("service", _("Pakalpojuma nosaukums"), ("service_rank", "id")),
        SortOption("status", _("Statuss"), ("status_rank", "id")),
        SortOption("changed", _("Izmaiņu datums"), ("status_changed_at", "id")),
        SortOption("order", _("Saistītie pasūtījumi"), ("order_key", "id")),
        SortOption("label", _("Klienta identifikators"), ("label_key", "id")),
    ],
    default="-created",
)


class Period:
    """Quick presets of the request date."""

    THIS_MONTH = "this_month"
    LAST_3_MONTHS = "last_3_months"
    THIS_YEAR = "this_year"

    CHOICES = [
        (THIS_MONTH, _("Šis mēnesis")),
        (LAST_3_MONTHS, _("Pēdējie 3 mēneši")),
        (THIS_YEAR, _("Šis gads")),
    ]

    @classmethod
    def range(cls, value: str, today=None):
        today = today or timezone.localdate()
        if value == cls.THIS_MONTH:
            return today.replace(day=1), today
        if value == cls.LAST_3_MONTHS:
            month = today.month - 2
            year = today.year + (month - 1) // 12
            month = (month - 1) % 12 + 1
            return today.replace(year=year, month=month, day=1), today
        if value == cls.THIS_YEAR:
            return today.replace(month=1, day=1), today
        return None


def day_start(day):
    return timezone.make_aware(datetime.combine(day, time.min))


def after_day(day):
    """Midnight after `day`: `< after_day` includes all of that day and reads the index."""
    return timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))


def date_field(label):
    return django_filters.DateFilter(
        label=label,
        method="filter_date",
        input_formats=DATE_INPUT_FORMATS,
        error_messages={"invalid": _("Ievadiet datumu formātā dd.mm.gggg.")},
        widget=forms.DateInput(attrs={"type": "date"}),
    )


def group_choices(request):
    return ServiceGroup.objects.order_by("name")


def user_choices(request):
    client = getattr(request, "client", None)
    if client is None or not client.is_legal:
        from accounts.models import User

        return User.objects.none()
    return client.users()


class EServiceFilter(django_filters.FilterSet):
    received_from = date_field(_("Saņemts no"))
    received_to = date_field(_("Saņemts līdz"))
    created_from = date_field(_("Pieprasīts no"))
    created_to = date_field(_("Pieprasīts līdz"))
    period = django_filters.ChoiceFilter(
        label=_("Pieprasīšanas periods"),
        choices=Period.CHOICES,
        method="filter_period",
        empty_label=_("Jebkurš"),
    )
    id = django_filters.NumberFilter(
        label=_("E-pakalpojuma ID"),
        method="filter_id",
        min_value=1,
        max_value=MAX_ESERVICE_ID,
        error_messages={"invalid": _("E-pakalpojuma ID ir skaitlis.")},
    )
    label = django_filters.CharFilter(
        label=_("Klienta identifikators"),
        method="filter_label",
        max_length=100,
        help_text=_("Identifikatora sākums; mazie un lielie burti nav svarīgi."),
    )
    order = django_filters.CharFilter(
        label=_("Saistītā pasūtījuma Nr."), method="filter_order", max_length=20
    )
    user = django_filters.ModelChoiceFilter(
        label=_("Lietotājs"),
        queryset=user_choices,
        field_name="requested_by",
        empty_label=_("Visi lietotāji"),
    )
    group = django_filters.ModelChoiceFilter(
        label=_("Pakalpojuma grupa"),
        queryset=group_choices,
        method="filter_group",
        empty_label=_("Visas grupas"),
    )

    # The order in which active filters are written out above the table.
    DATE_BOUNDS = {
        "received_from": ("received_at", "gte"),
        "received_to": ("received_at", "lt"),
        "created_from": ("created_at", "gte"),
        "created_to": ("created_at", "lt"),
    }

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        client = getattr(request, "client", None)
        if client is None or not client.is_legal:
            self.filters.pop("user")

    def filter_date(self, queryset, name, value):
        column, bound = self.DATE_BOUNDS[name]
        if bound == "gte":
            return queryset.filter(**{f"{column}__gte": day_start(value)})
        return queryset.filter(**{f"{column}__lt": after_day(value)})

    def filter_period(self, queryset, name, value):
        bounds = Period.range(value)
        if bounds is None:
            return queryset
        start, end = bounds
        return queryset.filter(created_at__gte=day_start(start), created_at__lt=after_day(end))

    def filter_id(self, queryset, name, value):
        return queryset.filter(pk=int(value))

    def filter_label(self, queryset, name, value):
        prefix = latvian_sort_string(value.strip(), primary_only=True)
        if not prefix.strip():
            return queryset
        # label_key has the C collation, so this LIKE 'prefix%' reads the (client, label_key) index.
        return queryset.filter(label_key__startswith=prefix)

    def filter_order(self, queryset, name, value):
        number = value.strip().upper()
        if not number:
            return queryset
        return queryset.filter(orders__number=number)

    def filter_group(self, queryset, name, value):
        services = list(Service.objects.filter(group=value).values_list("pk", "name_rank"))
        if not services:
            return queryset.none()
        ranks = [rank for _pk, rank in services]
        # The rank range lets a sort by service name start its index scan at the group's first
        # service instead of reading (and discarding) every row before it.
        return queryset.filter(
            service_id__in=[pk for pk, _rank in services],
            service_rank__range=(min(ranks), max(ranks)),
        )
