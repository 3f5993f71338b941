"""Filters and sorts of E-pakalpojumu vēsture. Values are whitelisted."""

from __future__ import annotations

import logging
from dataclasses import dataclass

import django_filters
from django import forms
from django.contrib.postgres.aggregates import ArrayAgg
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from manskonts.collation import latvian_sort_string
from manskonts.dates import after_day, date_field, day_start
from manskonts.identifier_fields import EServiceIdFilter, OrderNumberFilter
from manskonts.listing import ListFilterSet, ids_first
from orders.models import ServiceGroup

log = logging.getLogger(__name__)


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


@dataclass(frozen=True)
class GroupServices:
    """A service group's services: their ids and their places in the name order (name_rank)."""

    ids: list[int]
    ranks: list[int]
    ranks_unique: bool  # every service has a place of its own, so the places name the services


SERVICE_GROUPS_KEY = "eservices.filters.service_groups"
SERVICE_GROUPS_SECONDS = (
    600  # a change is forgotten at once (eservices/signals.py); this is a bound
)


def service_groups() -> tuple[list[tuple[str, str]], dict[int, GroupServices]]:
    """The groups to choose from and what each one selects: reference data that clerks change
    seldom, so kept in the cache (shared by the web nodes) and forgotten whenever a group or a
    service is saved or deleted; read in one query when the cache has none (or is down)."""
    try:
        cached = cache.get(SERVICE_GROUPS_KEY)
    except Exception:  # a cache that is down: the database answers
        log.warning("service groups: cache read failed", exc_info=True)
        cached = None
    if cached is not None:
        return cached
    result = _read_service_groups()
    try:
        cache.set(SERVICE_GROUPS_KEY, result, SERVICE_GROUPS_SECONDS)
    except Exception:
        log.warning("service groups: cache write failed", exc_info=True)
    return result


def forget_service_groups() -> None:
    """Drop the cached groups now and again after the changing transaction commits (a page that
    read the old rows meanwhile may have cached them again)."""

    def forget():
        try:
            cache.delete(SERVICE_GROUPS_KEY)
        except Exception:
            log.warning("service groups: cache delete failed", exc_info=True)

    forget()
    transaction.on_commit(forget)


def _read_service_groups() -> tuple[list[tuple[str, str]], dict[int, GroupServices]]:
    rows = list(
        ServiceGroup.objects.order_by("name")
        .annotate(
            service_ids=ArrayAgg("services__id", default=[]),
            service_ranks=ArrayAgg("services__name_rank", default=[]),
        )
        .values_list("pk", "name", "service_ids", "service_ranks")
    )
    every_rank = [rank for *_rest, ranks in rows for rank in ranks if rank is not None]
    unique = len(every_rank) == len(set(every_rank))
    choices, services = [], {}
    for pk, name, ids, ranks in rows:
        choices.append((str(pk), name))
        services[pk] = GroupServices(
            [i for i in ids if i is not None], [r for r in ranks if r is not None], unique
        )
    return choices, services


def user_choices(client) -> list[tuple[str, str]]:
    """The legal person's users by name: (id, full name); read with the header when the request
    acts for it (accounts.acting_for.clients_of, `user_rows`), else in one query."""
    rows = getattr(client, "user_rows", None)
    if rows is None:
        rows = client.users().values_list("pk", "first_name", "last_name", "username")
    return [(str(pk), f"{first} {last}".strip() or username) for pk, first, last, username in rows]


def id_choice_filter(label, empty_label, **kwargs):
    """A choice of rows by id; the choices are set per request (plain tuples, not model forms)."""
    return django_filters.ChoiceFilter(
        label=label,
        choices=[],
        empty_label=empty_label,
        error_messages={"invalid_choice": _("Izvēlieties kādu no sarakstā dotajām vērtībām.")},
        **kwargs,
    )


class EServiceFilter(ListFilterSet):
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
    id = EServiceIdFilter(
        label=_("E-pakalpojuma ID"),
        method="filter_id",
        error_messages={"invalid": _("E-pakalpojuma ID ir skaitlis.")},
    )
    label = django_filters.CharFilter(
        label=_("Klienta identifikators"),
        method="filter_label",
        max_length=100,
        help_text=_("Identifikatora sākums; mazie un lielie burti nav svarīgi."),
    )
    order = OrderNumberFilter(
        label=_("Saistītā pasūtījuma Nr."), method="filter_order", max_length=20
    )
    user = id_choice_filter(_("Lietotājs"), _("Visi lietotāji"), field_name="requested_by_id")
    group = id_choice_filter(_("Pakalpojuma grupa"), _("Visas grupas"), method="filter_group")

    awaiting = django_filters.BooleanFilter(
        label=_("Gaida manu atbildi"),
        widget=forms.CheckboxInput,
        method="filter_awaiting",
        help_text=_("Tikai tie, kuros VZD gaida Jūsu atbildi uz pieprasījumu."),
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
            self.user_choices = []
        else:
            self.user_choices = user_choices(client)
        self.group_choices, self.group_services = service_groups()

    def prepare_form(self, form) -> None:
        if "user" in form.fields:
            form.fields[
                "user"
            ].choices = self.user_choices  # the empty choice comes first by itself
        form.fields["group"].choices = self.group_choices
        form.fields["group"].data_language = "lv"  # group names are Latvian data

    def choices_key(self) -> tuple:
        return (tuple(self.user_choices), tuple(self.group_choices))

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
        return queryset.filter(pk=value)

    def filter_label(self, queryset, name, value):
        prefix = latvian_sort_string(value.strip(), primary_only=True)
        if not prefix.strip():
            return queryset
        # label_key has the C collation, so this LIKE 'prefix%' reads the (client, label_key) index,
        # which also carries the sort columns: the page's ids come from it alone (ids_first).
        return ids_first(queryset.filter(label_key__startswith=prefix))

    def filter_order(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(orders__number=value)

    def filter_group(self, queryset, name, value):
        services = self.group_services.get(int(value))
        if services is None or not services.ids:
            return queryset.none()
        span = (min(services.ranks), max(services.ranks))
        if services.ranks_unique:
            # By the services' places in the name order (each e-service keeps its service's place
            # in service_rank): the (client, service_rank, id) index answers the filter, the count
            # and the sort by name alone. The range lets that sort start at the group's first one.
            return queryset.filter(service_rank__in=services.ranks, service_rank__range=span)
        return queryset.filter(service_id__in=services.ids, service_rank__range=span)

    def filter_awaiting(self, queryset, name, value):
        # The (client, created) partial index of the rows awaiting the client answers it.
        return queryset.filter(awaiting_reply=True) if value else queryset
