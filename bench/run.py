"""`make bench`: the cost curve of the list pages from 100,000 to 10,000,000 rows, each case beside
the plain Django baseline and its floor, and the Excel report.

For each scale in BENCH_SCALES (default 100000,1000000; the issue's curve is
BENCH_SCALES=100000,1000000,10000000) a database of its own (manskonts_bench_100k, _1m, _10m: the
name of BENCH_DATABASE_URL plus the scale) is seeded once by generated SQL (seed_demo --scale; kept
between runs) with that many e-services and order parts, SIA „Zemes Mērnieki” holding a fifth.
Each scale runs in a child process (Django binds one database per process) that measures every list
case (first page, page 2,000, each sort, each filter, both tables) three ways, interleaved run by
run so that the machine's changing load falls on all three alike:

- ours: the real page, through Django's WSGI handler with the whole middleware stack, signed in
  with a session cookie as the legal person's administrator (as gunicorn would call it);
- baseline: the same case in the plain Django way (bench/baseline.py: FilterView + Paginator +
  django-filter, OFFSET and COUNT, rows by the template language), behind the same middleware;
- floor: a bare view behind a handler with no middleware that runs only the case's final rows
  query (the very queryset the real page ran) and writes the same rows with the same row renderer
  (the orders list also reads its page's payment states, which its rows show): no session, header,
  count or filter form.

The parent prints, per case, the median at each scale, the curve (largest / smallest median), and
at the largest scale the baseline / ours and ours / floor ratios and p95 / median; then the other
pages and the Excel export (at the largest scale). Results: bench/results.json.

    BENCH_SCALES=100000,1000000 BENCH_RUNS=30 nice -n 10 .venv/bin/python bench/run.py
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlparse

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

BASE_URL = os.environ.get(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/manskonts_bench"
)
SCALES = [
    int(x)
    for x in os.environ.get("BENCH_SCALES", os.environ.get("BENCH_ROWS", "100000,1000000")).split(
        ","
    )
    if x.strip()
]
RUNS = int(os.environ.get("BENCH_RUNS", "30"))
LEGAL = "40003517893"
ADMIN_CODE = "03039214561"  # Jānis Kalniņš, administrator of SIA „Zemes Mērnieki”
TARGET_CURVE, TARGET_FLOOR, TARGET_P95, TARGET_BASELINE = 1.2, 2.0, 1.5, 3.0


def scale_label(n: int) -> str:
    if n % 1_000_000 == 0:
        return f"{n // 1_000_000}m"
    if n % 1000 == 0:
        return f"{n // 1000}k"
    return str(n)


def scale_url(n: int) -> str:
    parsed = urlparse(BASE_URL)
    return parsed._replace(path=f"{parsed.path}_{scale_label(n)}").geturl()


def production_env(db_url: str) -> None:
    # Production settings (DEBUG=0: no debug template engine, no query log), as bench/load.py uses.
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "bench.baseline_settings",
            "DATABASE_URL": db_url,
            "DEBUG": "0",
            "SECRET_KEY": "benchmark-only-" + "k" * 40,
            "ALLOWED_HOSTS": "testserver",
            "SECURE_SSL_REDIRECT": "0",
            "LOG_LEVEL": "WARNING",
            "DEMO_IDP_ENABLED": "0",
            "PAYMENT_PROVIDER": "",
        }
    )
    # The cache and the sessions' cached copies on Redis, as in production (BENCH_REDIS_URL, e.g.
    # redis://127.0.0.1:6379/8); without it a per-process memory cache and tasks run in-process.
    if os.environ.get("BENCH_REDIS_URL"):
        os.environ["REDIS_URL"] = os.environ["BENCH_REDIS_URL"]
    else:
        os.environ.pop("REDIS_URL", None)


def ensure_database(db_url: str) -> None:
    import psycopg

    parsed = urlparse(db_url)
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


def seed(rows: int) -> float | None:
    """Seed to `rows` (once: a database already there is kept); the seconds it took, or None."""
    from django.core.management import call_command

    from eservices.models import EService

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)  # hashed names, as in production
    have = EService.objects.count()
    seconds = None
    if have < rows:
        print(f"Seeding {rows - have} e-services and order parts…", flush=True)
        start = time.perf_counter()
        call_command("seed_demo", scale=rows - have)
        seconds = round(time.perf_counter() - start, 1)
        print(f"Seeded in {seconds} s", flush=True)
    else:
        print(f"Database has {have} e-services; no seeding needed.", flush=True)
    # As autovacuum keeps a production database (some servers run with it off): no dead rows from
    # the seeding's updates, visibility maps set for index-only scans, fresh statistics.
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "VACUUM (ANALYZE) eservices_eservice, eservices_eservice_orders, orders_order,"
            " orders_orderpart, billing_invoice, accounts_client, django_session"
        )
    return seconds


# --- measuring -----------------------------------------------------------------------------------
class Wsgi:
    """Calls a Django WSGI handler as gunicorn does: an environ in, the body read to its end, the
    response closed (request_finished). One per stack: the project's middleware, or none."""

    def __init__(self, handler, cookie: str = "", authorization: str = ""):
        self.handler, self.cookie, self.authorization = handler, cookie, authorization
        from django.test.client import RequestFactory

        self.factory = RequestFactory()

    def get(self, url: str) -> tuple[int, bytes]:
        from django.test.client import FakePayload

        parsed = urlparse(url)
        environ = self.factory._base_environ(
            PATH_INFO=parsed.path,
            QUERY_STRING=parsed.query,
            REQUEST_METHOD="GET",
            HTTP_COOKIE=self.cookie,
            **({"HTTP_AUTHORIZATION": self.authorization} if self.authorization else {}),
            **{"wsgi.input": FakePayload(b"")},
        )
        status = []
        response = self.handler(environ, lambda s, headers, exc_info=None: status.append(s))
        try:
            body = b"".join(response)
        finally:
            response.close()
        return int(status[0].split()[0]), body


def session_cookie() -> str:
    """A session of the legal person's administrator acting for it, as sign-in makes one."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.utils.module_loading import import_string

    from accounts.acting_for import SESSION_KEY as ACTING_FOR
    from accounts.models import Client, User

    user = User.objects.get(personal_code=ADMIN_CODE)
    store = import_string(f"{settings.SESSION_ENGINE}.SessionStore")()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "accounts.backends.SessionUserBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store[ACTING_FOR] = Client.objects.get(registration_number=LEGAL).pk
    store.set_expiry(24 * 3600)
    store.create()
    # And the CSRF cookie a browser has from its first page, which each page's forms mask (without
    # it every request would make a new secret and set the cookie again).
    from django.middleware.csrf import _get_new_csrf_string

    return (
        f"{settings.SESSION_COOKIE_NAME}={store.session_key}; "
        f"{settings.CSRF_COOKIE_NAME}={_get_new_csrf_string()}"
    )


def api_authorization() -> str:
    """A personal access token of the same administrator for the same legal person (api/)."""
    from datetime import timedelta

    from django.utils import timezone

    from accounts.models import Client, User
    from api.tokens import create_token

    _row, token = create_token(
        Client.objects.get(registration_number=LEGAL),
        by=User.objects.get(personal_code=ADMIN_CODE),
        name="make bench",
        scopes=["read"],
        expires_at=timezone.now() + timedelta(days=1),
    )
    return f"Bearer {token}"


API_OF = {
    "/mans-konts/e-pakalpojumi/": "/api/v1/eservices",
    "/mans-konts/pasutijumi/": "/api/v1/order-parts",
}


def api_of(url: str) -> str:
    """The same case through the API: the same filters, sort and (the page's own) cursor."""
    parsed = urlparse(url)
    return parsed._replace(path=API_OF[parsed.path]).geturl()


def count_queries(http: Wsgi, url: str) -> int:
    from django.db import connection

    executed = []

    def count(execute, sql, params, many, context):
        executed.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        http.get(url)
    return len(executed)


def summary(times: list[float]) -> dict:
    times = sorted(times)
    p95 = times[min(len(times) - 1, round(0.95 * len(times)) - 1)]
    return {"median_ms": round(statistics.median(times), 2), "p95_ms": round(p95, 2)}


SLOW_MS = 500  # a variant slower than this at warm-up (the baseline's deep OFFSET pages at 10M)
SLOW_RUNS = 5  # is timed this many times, not RUNS: its median is still read, and a run ends


def measure_together(variants: dict[str, tuple[Wsgi, str, int]]) -> dict[str, dict]:
    """Time each variant RUNS times, taking turns, so that the machine's load falls on all alike
    (a variant slower than SLOW_MS at warm-up SLOW_RUNS times, in the first turns)."""
    warm: dict[str, float] = {}
    for key, (http, url, expect) in variants.items():
        for _ in range(3):
            start = time.perf_counter()
            status, _body = http.get(url)
            warm[key] = (time.perf_counter() - start) * 1000
            assert status == expect, (url, status)
    queries = {key: count_queries(http, url) for key, (http, url, _e) in variants.items()}
    runs = {key: SLOW_RUNS if warm[key] > SLOW_MS else RUNS for key in variants}
    times: dict[str, list[float]] = {key: [] for key in variants}
    for turn in range(RUNS):
        for key, (http, url, _e) in variants.items():
            if turn >= runs[key]:
                continue
            start = time.perf_counter()
            http.get(url)
            times[key].append((time.perf_counter() - start) * 1000)
    return {
        key: {
            "url": variants[key][1],
            **summary(times[key]),
            "queries": queries[key],
            "runs": runs[key],
        }
        for key in variants
    }


def deep_cursor(queryset, sort, offset: int) -> str:
    """The cursor a person reaches by clicking "next" offset/20 times."""
    from manskonts.listing import PAGE_SIZE, _encode, list_key

    fields = sort.option.fields
    row = queryset.order_by(*sort.ordering).values_list(*fields)[offset - 1]
    return _encode(list(row), offset // PAGE_SIZE + 1, "n", list_key(queryset, sort.ordering))


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
    # The middle of the client's list (page 2,501 of 5,000 at 1,000,000 rows): the page the
    # baseline's OFFSET finds dearest short of the end, at every scale.
    deep = es.count() // 2 // 20 * 20
    e_url, o_url = "/mans-konts/e-pakalpojumi/", "/mans-konts/pasutijumi/"

    sample_e = es.exclude(order_key="~").exclude(label=None).order_by("id")[100]
    sample_p = parts.order_by("id")[1000]
    user = legal.users().first()
    group = ServiceGroup.objects.order_by("name").first()

    result = [
        ("eservices first page", e_url, 200),
        (
            "eservices deep page (middle)",
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
            "eservices deep page (middle) sorted by service",
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
            "orders deep page (middle)",
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
            "orders deep page (middle) sorted by number",
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


# --- the plain Django way and the floor, for comparison ---------------------------------------------
def baseline_of(url: str) -> str | None:
    """The same case in bench/baseline.py: the same filters and sort, the page by number."""
    from django.core import signing

    from bench.baseline import E_URL, O_URL
    from manskonts.listing import CURSOR_SALT

    parsed = urlparse(url)
    prefix = {"/mans-konts/e-pakalpojumi/": E_URL, "/mans-konts/pasutijumi/": O_URL}[parsed.path]
    params = []
    for key, value in parse_qsl(parsed.query):
        if key == "cursor":
            key, value = "page", signing.loads(value, salt=CURSOR_SALT)["p"]
        params.append((key, value))
    return f"{prefix}?{urlencode(params)}" if params else prefix


FLOORS: list = []  # (queryset, layout, context builder) of each case, by index


def floor_view(request, index: int):
    """Only the case's final rows query, the same rows written by the same row renderer."""
    from django.http import HttpResponse

    from manskonts.listing import PAGE_SIZE

    queryset, layout, context_of = FLOORS[index]
    rows = list(queryset._chain())[:PAGE_SIZE]
    body = layout.rows(rows, context_of(rows))
    return HttpResponse(
        f'<!DOCTYPE html><html lang="lv"><title>Floor</title><table>{body}</table></html>'
    )


def install_floors() -> Wsgi:
    """The floor's URL, and a handler with no middleware at all to call it."""
    from django.core.handlers.wsgi import WSGIHandler
    from django.test import override_settings
    from django.urls import clear_url_caches, path

    from bench import baseline

    baseline.urlpatterns.insert(0, path("bench-floor/<int:index>/", floor_view))
    clear_url_caches()
    with override_settings(MIDDLEWARE=[]):
        handler = WSGIHandler()  # the middleware chain is built here, once
    return Wsgi(handler)


def capture_floor(ours: Wsgi, url: str) -> str:
    """Run the real page once, keep the rows queryset it ran; the floor URL that runs it again."""
    from eservices.tables import TABLE as E_TABLE
    from manskonts import listing
    from manskonts.listing import url_prefix
    from orders.queries import row_payment_states
    from orders.tables import TABLE as O_TABLE

    captured = []
    original = listing.rows_queryset

    def keep(qs, sort, values, backwards, page_size=listing.PAGE_SIZE, count=None):
        captured.append(original(qs, sort, values, backwards, page_size))  # the rows alone
        return original(qs, sort, values, backwards, page_size, count)

    listing.rows_queryset = keep
    try:
        ours.get(url)
    finally:
        listing.rows_queryset = original
    links = {"eservices": url_prefix("eservices:detail"), "orders": url_prefix("orders:detail")}
    if url.startswith("/mans-konts/e-pakalpojumi/"):
        entry = (captured[-1], E_TABLE.layout(user=True), lambda rows: links)
    else:
        entry = (
            captured[-1],
            O_TABLE.layout(),
            lambda rows: {**links, "payments": row_payment_states(rows)},
        )
    FLOORS.append(entry)
    return f"/bench-floor/{len(FLOORS) - 1}/"


def excel_benchmark() -> dict:
    """The Excel report against plain openpyxl write-only in this run, and 1,000,000 rows in one
    sheet, on this scale's database (bench/excel.py; each case in a fresh process: wall time and
    its own peak memory)."""
    from bench import excel

    return excel.benchmark(os.environ["DATABASE_URL"])


def run_scale(rows: int, with_excel: bool) -> dict:
    """One scale, in this process: seed (once), then every case three ways and the other pages."""
    db_url = scale_url(rows)
    production_env(db_url)
    ensure_database(db_url)
    setup_django()
    seed_seconds = seed(rows)

    from django.core.handlers.wsgi import WSGIHandler

    from eservices.models import EService

    ours = Wsgi(WSGIHandler(), session_cookie())
    # The API's rate limit is for clients, not for the benchmark's thousands of calls.
    from django.conf import settings

    settings.API_RATE_LIMIT = 10**9
    api = Wsgi(WSGIHandler(), authorization=api_authorization())
    floor = install_floors()
    results = []
    for name, url, expect in cases():
        variants = {"ours": (ours, url, expect)}
        if expect == 200:
            variants["baseline"] = (ours, baseline_of(url), 200)
            variants["floor"] = (floor, capture_floor(ours, url), 200)
            variants["api"] = (api, api_of(url), 200)
        measured = measure_together(variants)
        results.append({"name": name, **measured})
        print(
            f"  {name}: ours {measured['ours']['median_ms']} ms"
            + "".join(
                f", {key} {measured[key]['median_ms']} ms"
                for key in ("baseline", "floor", "api")
                if key in measured
            ),
            flush=True,
        )
    others = []
    for name, url, expect in other_pages():
        others.append({"name": name, **measure_together({"ours": (ours, url, expect)})["ours"]})
    return {
        "rows": rows,
        "database": urlparse(db_url).path.lstrip("/"),
        "e_services": EService.objects.count(),
        "seed_seconds": seed_seconds,
        "runs": RUNS,
        "cases": results,
        "other_pages": others,
        "excel": excel_benchmark() if with_excel else None,
    }


def ratio(a: float, b: float) -> float:
    return round(a / b, 2) if b else float("inf")


def report(scales: list[dict]) -> None:
    """The curve per case, then at the largest scale the baseline and floor ratios."""
    largest = scales[-1]
    labels = [scale_label(s["rows"]) for s in scales]
    width = max(len(c["name"]) for c in largest["cases"]) + 2
    print("\nMedian ms of each case by scale (the largest client holds a fifth of the rows);")
    print(
        f"curve = largest / smallest scale (target ≤ {TARGET_CURVE}); at {labels[-1]}: "
        f"baseline ms, baseline ÷ ours (target ≥ 1, median case ≥ {TARGET_BASELINE}), "
        f"floor ms, ours ÷ floor (target ≤ {TARGET_FLOOR}), p95 ÷ median (target ≤ {TARGET_P95})\n"
    )
    head = "".join(f"{label:>9}" for label in labels)
    print(
        f"{'case':<{width}}{head}{'curve':>7}{'q':>4}{'base':>9}{'×base':>7}{'floor':>8}"
        f"{'×floor':>8}{'p95/med':>8}"
    )
    by_scale = [{c["name"]: c for c in s["cases"]} for s in scales]
    base_ratios, floor_ratios = [], []
    for case in largest["cases"]:
        name, ours = case["name"], case["ours"]
        medians = [b[name]["ours"]["median_ms"] if name in b else None for b in by_scale]
        cells = "".join(f"{m:>9}" if m is not None else f"{'—':>9}" for m in medians)
        curve = ratio(medians[-1], medians[0]) if medians[0] else "—"
        line = f"{name:<{width}}{cells}{curve:>7}{ours['queries']:>4}"
        if "baseline" in case:
            base, floor = case["baseline"]["median_ms"], case["floor"]["median_ms"]
            case["baseline_ratio"] = ratio(base, ours["median_ms"])
            case["floor_ratio"] = ratio(ours["median_ms"], floor)
            base_ratios.append(case["baseline_ratio"])
            floor_ratios.append(case["floor_ratio"])
            line += f"{base:>9}{case['baseline_ratio']:>7}{floor:>8}{case['floor_ratio']:>8}"
        else:
            line += f"{'—':>9}{'—':>7}{'—':>8}{'—':>8}"
        case["p95_ratio"] = ratio(ours["p95_ms"], ours["median_ms"])
        print(f"{line}{case['p95_ratio']:>8}")
    print(
        f"\nAt {labels[-1]}: baseline ÷ ours min {min(base_ratios)}, median "
        f"{statistics.median(base_ratios)}; ours ÷ floor median {statistics.median(floor_ratios)}, "
        f"max {max(floor_ratios)} ({sum(r <= TARGET_FLOOR for r in floor_ratios)} of "
        f"{len(floor_ratios)} cases within {TARGET_FLOOR}×)"
    )
    api = [c for c in largest["cases"] if "api" in c]
    if api:
        print(
            f"\nAPI list endpoints at {labels[-1]} beside their pages (target: api ÷ page ≤ 1, "
            "a fixed number of queries): median ms, api ÷ page, queries"
        )
        for case in api:
            share = ratio(case["api"]["median_ms"], case["ours"]["median_ms"])
            case["api_ratio"] = share
            print(
                f"{case['name']:<{width}}{case['api']['median_ms']:>9}{share:>7}{case['api']['queries']:>4}"
            )
        shares = [c["api_ratio"] for c in api]
        print(f"api ÷ page: median {statistics.median(shares)}, max {max(shares)}")
    for s in scales:
        seeded = (
            f"seeded in {s['seed_seconds']} s" if s["seed_seconds"] else "kept from an earlier run"
        )
        print(
            f"{scale_label(s['rows'])}: database {s['database']}, {s['e_services']} e-services, {seeded}"
        )
    print("\nOther pages (no target of their own), median / p95 ms / queries:")
    for r in largest["other_pages"]:
        print(f"{r['name']:<{width}}{r['median_ms']:>9}{r['p95_ms']:>9}{r['queries']:>4}")
    excel = largest.get("excel")
    if excel:
        from bench.excel import report as excel_report

        print("\n" + excel_report(excel) + " (targets ≤ 12 s, ≤ 150 MB)")


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--scale":
        rows = int(sys.argv[2])
        result = run_scale(rows, with_excel=os.environ.get("BENCH_EXCEL") == "1")
        out = ROOT / "bench" / f"results-{scale_label(rows)}.json"
        out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
        return
    scales = []
    for i, rows in enumerate(SCALES):
        print(f"\n== {rows} rows ({scale_label(rows)})", flush=True)
        env = {**os.environ, "BENCH_EXCEL": "1" if i == len(SCALES) - 1 else "0"}
        subprocess.run([sys.executable, __file__, "--scale", str(rows)], env=env, check=True)
        out = ROOT / "bench" / f"results-{scale_label(rows)}.json"
        scales.append(json.loads(out.read_text()))
        out.unlink()
    report(scales)
    (ROOT / "bench" / "results.json").write_text(
        json.dumps({"scales": scales}, indent=2, ensure_ascii=False) + "\n"
    )
    print("Written bench/results.json")


if __name__ == "__main__":
    main()
