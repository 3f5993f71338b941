"""A list's FilterSet copies its class's filters for each request (manskonts.listing.request_copy)
rather than deep-copying them (issue 18): each request still gets filters of its own, which call
its own methods and keep its own per-request state, and the class's filters are never changed."""

from __future__ import annotations

from types import SimpleNamespace

import django_filters
import pytest
from django.http import QueryDict

from accounts.models import User
from manskonts.listing import ListFilterSet
from orders.filters import OrderPartFilter
from orders.models import OrderPart


class ByUser(ListFilterSet):
    user = django_filters.ModelChoiceFilter(
        queryset=lambda request: User.objects.filter(username=request.username)
    )

    class Meta:
        model = User
        fields: list[str] = []


def test_each_filterset_has_filters_of_its_own():
    first = OrderPartFilter({"number": "A"}, queryset=OrderPart.objects.none())
    second = OrderPartFilter({"number": "B"}, queryset=OrderPart.objects.none())

    assert list(first.filters) == list(OrderPartFilter.base_filters)
    for name, filter_ in first.filters.items():
        assert filter_ is not second.filters[name]
        assert filter_ is not OrderPartFilter.base_filters[name]
        assert filter_.parent is first
        assert filter_.model is OrderPart
    assert not hasattr(OrderPartFilter.base_filters["number"], "parent")


def test_a_method_filter_calls_its_own_filtersets_method():
    first = OrderPartFilter({}, queryset=OrderPart.objects.none())
    second = OrderPartFilter({}, queryset=OrderPart.objects.none())

    method = first.filters["number"].filter.method

    assert method.__self__ is first
    assert second.filters["number"].filter.method.__self__ is second


def test_a_model_choice_filter_keeps_its_requests_queryset_to_itself():
    alice = ByUser({}, queryset=User.objects.none(), request=SimpleNamespace(username="alice"))
    bob = ByUser({}, queryset=User.objects.none(), request=SimpleNamespace(username="bob"))

    alice_field, bob_field = alice.filters["user"].field, bob.filters["user"].field

    assert "alice" in str(alice_field.queryset.query)
    assert "bob" in str(bob_field.queryset.query)
    assert callable(ByUser.base_filters["user"].extra["queryset"])  # still the class's callable
    assert not hasattr(ByUser.base_filters["user"], "_field")


@pytest.mark.django_db
@pytest.mark.parametrize("which", ["eservices", "orders", "invoices"])
def test_a_query_without_filters_lists_what_django_filter_would(which, legal):
    """ListFilterSet skips the form when the query string holds no filter (asks_nothing): each
    list's filters must leave the queryset alone for empty values, as django-filter's do."""
    from billing.filters import InvoiceFilter
    from billing.models import Invoice
    from eservices.filters import EServiceFilter
    from eservices.models import EService

    filterset_class, queryset = {
        "eservices": (EServiceFilter, EService.objects.for_client(legal)),
        "orders": (OrderPartFilter, OrderPart.objects.for_client(legal)),
        "invoices": (InvoiceFilter, Invoice.objects.for_client(legal)),
    }[which]
    request = SimpleNamespace(client=legal, user=None, GET=QueryDict())
    data = QueryDict("sort=-created&filtri=0")

    fast = filterset_class(data, queryset=queryset, request=request)
    full = filterset_class(data, queryset=queryset, request=request)

    assert fast.asks_nothing() and fast.is_valid()
    assert django_filters.FilterSet.is_valid(full)
    assert str(fast.qs.query) == str(django_filters.FilterSet.qs.fget(full).query)
    assert fast.form.cleaned_data == full.form.cleaned_data  # for views that read it
