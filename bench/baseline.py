"""The plain Django way, for the benchmarks' comparison: FilterView + Paginator + django-filter.

The same two lists (E-pakalpojumu vēsture, Mani pasūtījumi VZD) as a Django project would first
write them: django-filter's FilterView with the lists' own filter sets, Django's Paginator (OFFSET
and a full COUNT), `?sort=` mapped to the same orderings as the real lists (so both read the same
indexes and show the same rows), related rows by prefetch_related, and every row written by the
template language. It runs behind the project's whole middleware stack and base template.

bench/run.py measures it beside the real lists; bench/load.py serves it from gunicorn
(DJANGO_SETTINGS_MODULE=bench.baseline_settings) to find its saturation. Never installed in the
portal itself: only these benchmark settings name this URLconf.
"""

from __future__ import annotations

from pathlib import Path

from django.db.models import Prefetch
from django.http import HttpResponse
from django.template import engines
from django.urls import path
from django.utils.decorators import method_decorator
from django_filters.views import FilterView

from billing.services import payment_states
from eservices.filters import EServiceFilter
from eservices.models import EService
from eservices.tables import SORTS as E_SORTS
from manskonts import urls as project_urls
from manskonts.decorators import client_required
from orders.filters import OrderPartFilter
from orders.models import Order, OrderPart
from orders.tables import SORTS as O_SORTS

HERE = Path(__file__).resolve().parent
E_URL, O_URL = "/bench-baseline/e-pakalpojumi/", "/bench-baseline/pasutijumi/"


class _Baseline(FilterView):
    paginate_by = 20
    strict = True
    sorts = E_SORTS
    template_file = ""

    def get_template(self):
        cls = type(self)
        if "_template" not in cls.__dict__:
            source = (HERE / self.template_file).read_text()
            cls._template = engines["django"].from_string(source)
        return cls._template

    def render_to_response(self, context, **kwargs):
        return HttpResponse(self.get_template().render(context, self.request))

    def get_ordering(self):
        return self.sorts.parse(self.request.GET.get("sort"))[0].ordering


@method_decorator(client_required, name="dispatch")
class BaselineEServices(_Baseline):
    filterset_class = EServiceFilter
    template_file = "baseline_eservices.html"

    def get_queryset(self):
        return (
            EService.objects.filter(client=self.request.client)
            .select_related("service", "requested_by")
            .prefetch_related(Prefetch("orders", queryset=Order.objects.order_by("number")))
            .order_by(*self.get_ordering())
        )


@method_decorator(client_required, name="dispatch")
class BaselineOrders(_Baseline):
    filterset_class = OrderPartFilter
    sorts = O_SORTS
    template_file = "baseline_orders.html"

    def get_queryset(self):
        return (
            OrderPart.objects.filter(client=self.request.client)
            .select_related("order", "service")
            .prefetch_related("order__eservices")
            .order_by(*self.get_ordering())
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        rows = list(context["object_list"])
        context["object_list"] = rows
        # The same billing rule as the real list, asked plainly (it reads which orders are priced).
        payments = payment_states({part.order_id for part in rows})
        for part in rows:
            part.payment = payments.get(part.order_id)
        return context


urlpatterns = [
    path(E_URL.lstrip("/"), BaselineEServices.as_view(), name="bench_baseline_eservices"),
    path(O_URL.lstrip("/"), BaselineOrders.as_view(), name="bench_baseline_orders"),
    *project_urls.urlpatterns,
]
