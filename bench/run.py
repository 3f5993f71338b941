"""`make bench`: list pages and the Excel report at 1,000,000 rows.

Seeds a separate database (BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/
manskonts_bench) to BENCH_ROWS e-services and order parts with SIA „Zemes Mērnieki” holding a fifth,
then measures every list URL through Django's test client as that legal person's administrator,
the plain ListView + Paginator baseline on the deep sorted page, and a 100,000-row Excel export in a
subprocess (seconds and peak memory). Writes bench/results.json and prints a table.

    BENCH_RUNS=30 BENCH_ROWS=1000000 .venv/bin/python bench/run.py
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode, urlparse

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DB_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/manskonts_bench")
ROWS = int(os.environ.get("BENCH_ROWS", "1000000"))
RUNS = int(os.environ.get("BENCH_RUNS", "30"))
EXCEL_ROWS = int(os.environ.get("BENCH_EXCEL_ROWS", "100000"))
LEGAL = "40003517893"
ADMIN_CODE = "03039214561"  # Jānis Kalniņš, administrator of SIA „Zemes Mērnieki”
TARGET_MEDIAN, TARGET_P95, TARGET_RATIO = 20.0, 35.0, 3.0

# Production settings (DEBUG=0: no debug template engine, no query log), as bench/load.py uses.
os.environ.update(
    {
        "DJANGO_SETTINGS_MODULE": "manskonts.settings",
        "DATABASE_URL": DB_URL,
        "DEBUG": "0",
        "SECRET_KEY": "benchmark-only-" + "k" * 40,
        "ALLOWED_HOSTS": "testserver",
        "SECURE_SSL_REDIRECT": "0",
        "LOG_LEVEL": "WARNING",
        "DEMO_IDP_ENABLED": "0",
        "PAYMENT_PROVIDER": "",
    }
)
os.environ.pop("REDIS_URL", None)  # tasks run in-process; nothing here queues work


def ensure_database() -> None:
    import psycopg

    parsed = urlparse(DB_URL)
    name = parsed.path.lstrip("/")
    admin_url = parsed._replace(path="/postgres").geturl()
    with psycopg.connect(admin_url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


def setup_django() -> None:
    import django

    django.setup()
    import logging

    logging.disable(logging.CRITICAL)  # the request log would time the console, not the page


def seed() -> None:
    from django.core.management import call_command

    from eservices.models import EService

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)  # hashed names, as in production
    have = EService.objects.count()
    if have < ROWS:
        print(f"Seeding {ROWS - have} e-services and order parts (minutes)…", flush=True)
        call_command("seed_demo", scale=ROWS - have)
    else:
        print(f"Database has {have} e-services; no seeding needed.")
    # As autovacuum keeps a production database (some servers run with it off): no dead rows from
    # the seeding's updates, visibility maps set for index-only scans, fresh statistics.
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "VACUUM (ANALYZE) eservices_eservice, eservices_eservice_orders, orders_order,"
            " orders_orderpart, billing_invoice, accounts_client, django_session"
        )


# --- measuring -----------------------------------------------------------------------------------
def signed_in_client():
    from django.test import Client as HttpClient

    from accounts.acting_for import SESSION_KEY
    from accounts.models import Client, User

    http = HttpClient()
    http.force_login(User.objects.get(personal_code=ADMIN_CODE))
    session = http.session
    session[SESSION_KEY] = Client.objects.get(registration_number=LEGAL).pk
    session.save()
    return http


def measure(http, name: str, url: str, expect: int = 200) -> dict:
    from django.db import connection

    for _ in range(3):
        response = http.get(url)
        assert response.status_code == expect, (name, url, response.status_code)
    executed = []

    def count(execute, sql, params, many, context):
        executed.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        http.get(url)
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        http.get(url)
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    p95 = times[min(len(times) - 1, round(0.95 * len(times)) - 1)]
    return {
        "name": name,
        "url": url,
        "median_ms": round(statistics.median(times), 2),
        "p95_ms": round(p95, 2),
        "queries": len(executed),
    }


def deep_cursor(queryset, sort, offset: int) -> str:
    """The cursor a person reaches by clicking "next" offset/20 times."""
    from manskonts.listing import PAGE_SIZE, _encode

    fields = sort.option.fields
    row = queryset.order_by(*sort.ordering).values_list(*fields)[offset - 1]
    return _encode(list(row), offset // PAGE_SIZE + 1, "n")


def cases() -> list[tuple[str, str, int]]:
    from datetime import timedelta

    from django.utils import timezone

    from accounts.models import Client
    from eservices.models import EService
    from eservices.tables import SORTS as E_SORTS
    from orders.models import OrderPart, ServiceGroup
    from orders.tables import SORTS as O_SORTS

    legal = Client.objects.get(registration_number=LEGAL)
    es = EService.objects.for_client(legal)
    parts = OrderPart.objects.for_client(legal)
    today = timezone.localdate()
    month_ago = (today - timedelta(days=30)).isoformat()
    year_ago = (today - timedelta(days=365)).isoformat()
    deep = 40_000  # page 2 000
    e_url, o_url = "/mans-konts/e-pakalpojumi/", "/mans-konts/pasutijumi/"

    sample_e = es.exclude(order_key="~").exclude(label=None).order_by("id")[1000]
    sample_p = parts.order_by("id")[1000]
    user = legal.users().first()
    group = ServiceGroup.objects.order_by("name").first()

    result = [
        ("eservices first page", e_url, 200),
        (
            "eservices deep page 2000",
            f"{e_url}?"
            + urlencode({"cursor": deep_cursor(es, E_SORTS.parse("-created")[0], deep)}),
            200,
        ),
    ]
    for key in E_SORTS.options:
        for sign in ("", "-"):
            result.append((f"eservices sort {sign}{key}", f"{e_url}?sort={sign}{key}", 200))
    sort = E_SORTS.parse("service")[0]
    result.append(
        (
            "eservices deep page 2000 sorted by service",
            f"{e_url}?" + urlencode({"sort": "service", "cursor": deep_cursor(es, sort, deep)}),
            200,
        )
    )
    e_filters = {
        "received period": {"received_from": month_ago, "received_to": today.isoformat()},
        "request date": {"created_from": year_ago, "created_to": month_ago},
        "preset this month": {"period": "this_month"},
        "preset last 3 months": {"period": "last_3_months"},
        "preset this year": {"period": "this_year"},
        "e-service id": {"id": sample_e.pk},
        "own label": {"label": sample_e.label[:10]},
        "related order": {"order": sample_e.order_key},
        "user": {"user": user.pk},
        "service group": {"group": group.pk},
        "user + group + sort by service": {"user": user.pk, "group": group.pk, "sort": "service"},
    }
    for label, params in e_filters.items():
        result.append((f"eservices filter {label}", f"{e_url}?{urlencode(params)}", 200))

    result += [
        ("orders first page", o_url, 200),
        (
            "orders deep page 2000",
            f"{o_url}?"
            + urlencode({"cursor": deep_cursor(parts, O_SORTS.parse("-created")[0], deep)}),
            200,
        ),
    ]
    for key in O_SORTS.options:
        for sign in ("", "-"):
            result.append((f"orders sort {sign}{key}", f"{o_url}?sort={sign}{key}", 200))
    sort = O_SORTS.parse("number")[0]
    result.append(
        (
            "orders deep page 2000 sorted by number",
            f"{o_url}?" + urlencode({"sort": "number", "cursor": deep_cursor(parts, sort, deep)}),
            200,
        )
    )
    o_filters = {
        "order number prefix": {"number": sample_p.order_number[:6]},
        "created date": {"created_from": year_ago, "created_to": month_ago},
        "object (grouped)": {"object": f"{sample_p.object_code[:4]} {sample_p.object_code[4:7]}"},
        "status": {"status": "in_progress"},
        "related e-service": {"eservice": sample_e.pk},
    }
    for label, params in o_filters.items():
        result.append((f"orders filter {label}", f"{o_url}?{urlencode(params)}", 200))
    result.append(
        ("orders exact number (redirect)", f"{o_url}?number={sample_p.order_number}", 302)
    )
    return result


def other_pages() -> list[tuple[str, str, int]]:
    """Pages outside the two lists' targets, measured for the record."""
    from accounts.models import Client
    from eservices.models import EService
    from orders.models import Order

    legal = Client.objects.get(registration_number=LEGAL)
    eservice = EService.objects.for_client(legal).order_by("-id").first()
    order = Order.objects.for_client(legal).order_by("-id").first()
    return [
        ("overview", "/mans-konts/", 200),
        ("report of all received e-services (totals)", "/mans-konts/e-pakalpojumi/atskaite/", 200),
        ("invoices", "/mans-konts/rekini/", 200),
        ("notifications", "/mans-konts/pazinojumi/", 200),
        ("e-service detail", f"/mans-konts/e-pakalpojumi/{eservice.pk}/", 200),
        ("order detail", f"/mans-konts/pasutijumi/{order.number}/", 200),
    ]


# --- the plain Django way, for comparison ----------------------------------------------------------
def baseline_url(page: int) -> str:
    return f"/bench-baseline/?page={page}"


def install_baseline() -> None:
    """A FilterView-free plain ListView + Paginator (OFFSET + COUNT) sorted by service name."""
    from django.db.models import Prefetch
    from django.http import HttpResponse
    from django.template import engines
    from django.urls import clear_url_caches, path
    from django.views.generic import ListView

    from eservices.models import EService
    from manskonts import urls as project_urls
    from manskonts.decorators import client_required
    from orders.models import Order

    class BaselineList(ListView):
        paginate_by = 20
        template = engines["django"].from_string((ROOT / "bench" / "baseline.html").read_text())

        def render_to_response(self, context, **kwargs):
            return HttpResponse(self.template.render(context, self.request))

        def get_queryset(self):
            return (
                EService.objects.filter(client=self.request.client)
                .select_related("service", "requested_by")
                .prefetch_related(Prefetch("orders", queryset=Order.objects.order_by("number")))
                .order_by("service__name", "id")
            )

    project_urls.urlpatterns.append(
        path("bench-baseline/", client_required(BaselineList.as_view()), name="bench_baseline")
    )
    clear_url_caches()


def excel_benchmark() -> dict:
    """Run the export of EXCEL_ROWS rows in a fresh process: wall time and peak memory."""
    code = f"""
import os, sys, time, tempfile
sys.path.insert(0, {str(ROOT)!r})
import django; django.setup()
from accounts.models import Client
from eservices.exporters import write_report
from eservices.models import EService
legal = Client.objects.get(registration_number={LEGAL!r})
qs = EService.objects.for_client(legal).order_by("-created_at", "-id")[:{EXCEL_ROWS}]
start = time.perf_counter()
with tempfile.TemporaryFile() as target:
    n = write_report(qs, target, with_user=True)
    size = target.tell()
seconds = time.perf_counter() - start
# VmHWM: this process's own peak (getrusage's maxrss would also count the forked parent's pages).
peak = next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM:"))
print(n, round(seconds, 2), peak // 1024, size)
"""
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=os.environ
    ).stdout.split()
    rows, seconds, peak_mb, size = int(out[0]), float(out[1]), int(out[2]), int(out[3])
    return {"rows": rows, "seconds": seconds, "peak_mb": peak_mb, "bytes": size}


def main() -> None:
    ensure_database()
    setup_django()
    seed()
    install_baseline()
    http = signed_in_client()

    results = [measure(http, name, url, expect) for name, url, expect in cases()]
    others = [measure(http, name, url, expect) for name, url, expect in other_pages()]
    base_deep = measure(http, "baseline ListView+Paginator page 1000 by name", baseline_url(1000))
    base_first = measure(http, "baseline ListView+Paginator page 1 by name", baseline_url(1))
    ours = next(r for r in results if r["name"] == "eservices deep page 2000 sorted by service")
    ratio = round(base_deep["median_ms"] / ours["median_ms"], 1)
    excel = excel_benchmark()

    width = max(len(r["name"]) for r in [*results, base_deep]) + 2
    print(f"\n{'case':<{width}}{'median ms':>10}{'p95 ms':>10}{'queries':>9}  ok")
    for r in results:
        ok = r["median_ms"] <= TARGET_MEDIAN and r["p95_ms"] <= TARGET_P95
        r["meets_target"] = ok
        print(
            f"{r['name']:<{width}}{r['median_ms']:>10}{r['p95_ms']:>10}{r['queries']:>9}  "
            f"{'yes' if ok else 'NO'}"
        )
    for r in (base_first, base_deep):
        print(f"{r['name']:<{width}}{r['median_ms']:>10}{r['p95_ms']:>10}{r['queries']:>9}")
    print("\nOther pages (no target of their own):")
    for r in others:
        print(f"{r['name']:<{width}}{r['median_ms']:>10}{r['p95_ms']:>10}{r['queries']:>9}")
    print(
        f"\nDeep sorted page: ours {ours['median_ms']} ms vs baseline {base_deep['median_ms']} ms "
        f"= {ratio}× faster (target ≥ {TARGET_RATIO}×)"
    )
    print(
        f"Excel {excel['rows']} rows: {excel['seconds']} s, peak {excel['peak_mb']} MB "
        f"(targets ≤ 12 s, ≤ 150 MB)"
    )
    list_queries = sorted({r["queries"] for r in results if r["name"].startswith("eservices")})
    print(f"Queries per e-service list page: {list_queries}")

    (ROOT / "bench" / "results.json").write_text(
        json.dumps(
            {
                "rows": ROWS,
                "runs": RUNS,
                "cases": results,
                "other_pages": others,
                "baseline": [base_first, base_deep],
                "deep_sorted_ratio": ratio,
                "excel": excel,
            },
            indent=2,
            ensure_ascii=False,
        )
        + "\n"
    )
    print("Written bench/results.json")


if __name__ == "__main__":
    main()
