"""Load test against gunicorn with production settings on a benchmark database (`make bench` seeds
it; default the 1,000,000-row one), locust on the same machine (it takes CPU from the server: the
figures are a floor of what a node serves alone).

1. The mix: signed-in clients browsing lists and details, downloading and exporting, at 16 and 64
   concurrent users (--users; --users "" skips it).
2. Saturation: the list cases of `make bench` (first page, deep page, every sort and filter, both
   tables), each user asking once a second; the offered rate is doubled until p95 passes 200 ms
   (or 1 % fail), then halved back twice. The saturation is the highest rate served with p95 ≤
   200 ms. The same search runs, in the same run and on the same gunicorn, against the plain
   Django baseline of the same cases (bench/baseline.py: FilterView + Paginator + django-filter),
   and the ratio of the two is printed. Then the same without the deep pages (the baseline's
   OFFSET pages alone may keep its p95 over the limit at any rate): two measured saturations.

    .venv/bin/python bench/load.py [--database-url URL] [--seconds 30] [--users 16,64]
        [--step-seconds 20] [--workers 4]

Prints requests per second, median and p95 latency and error rate, and writes
bench/load-results.json. Traffic goes to 127.0.0.1 only, and every run stops by itself.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/manskonts_bench_1m"
P95_LIMIT_MS = int(os.environ.get("LOAD_P95_MS", "200"))  # the saturation's latency limit
START_RATE = int(os.environ.get("LOAD_START_RATE", "2"))  # req/s offered first, then doubled
PORT = int(os.environ.get("LOAD_PORT", "8765"))


def production_env(database_url: str) -> dict[str, str]:
    return {
        **os.environ,
        # The project's settings with the baseline's URLs added (bench/baseline_settings.py).
        "DJANGO_SETTINGS_MODULE": "bench.baseline_settings",
        "DEBUG": "0",
        "SECRET_KEY": "load-test-only-" + "k" * 40,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "DATABASE_URL": database_url,
        "LOG_LEVEL": "WARNING",
        "DEMO_IDP_ENABLED": "0",
        "PAYMENT_PROVIDER": "",
        # The cache and the sessions' cached copies on Redis, as in production and `make bench`
        # (BENCH_REDIS_URL); without it each worker keeps its own memory cache.
        **(
            {"REDIS_URL": os.environ["BENCH_REDIS_URL"]}
            if os.environ.get("BENCH_REDIS_URL")
            else {}
        ),
    }


def make_sessions(env: dict[str, str], count: int) -> list[str]:
    """Session cookies for the legal person's users, made as sign-in would make them."""
    script = f"""
import django, json
django.setup()
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from accounts.sessions import SessionStore
from accounts.acting_for import SESSION_KEY as ACTING_FOR
from accounts.models import Client
legal = Client.objects.get(registration_number="40003517893")
users = list(legal.users())
keys = []
for i in range({count}):
    user = users[i % len(users)]
    s = SessionStore()
    s[SESSION_KEY] = str(user.pk)
    s[BACKEND_SESSION_KEY] = "accounts.backends.SessionUserBackend"
    s[HASH_SESSION_KEY] = user.get_session_auth_hash()
    s[ACTING_FOR] = legal.pk
    s.set_expiry(3600)
    s.create()
    keys.append(s.session_key)
print(json.dumps(keys))
"""
    out = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def sample_paths(env: dict[str, str]) -> dict[str, list[str]]:
    script = """
import django, json
django.setup()
from accounts.models import Client
from eservices.models import EService
from orders.models import Order
from documents.access import download_decision
from documents.models import Document
legal = Client.objects.get(registration_number="40003517893")
es = list(EService.objects.filter(client=legal).order_by("-id").values_list("pk", flat=True)[:200])
orders = list(Order.objects.filter(client=legal).order_by("-id").values_list("number", flat=True)[:200])
files = [d.pk for d in Document.objects.for_client(legal).filter(deleted_at=None).order_by("id")[:50]
         if download_decision(d).allowed]
last = EService.objects.filter(client=legal).exclude(received_at=None).latest("received_at")
user = legal.users().first()
export = (f"received_from={last.received_at.date().isoformat()}"
          f"&received_to={last.received_at.date().isoformat()}&user={user.pk}")
print(json.dumps({"eservices": es, "orders": orders, "files": files, "export": export}))
"""
    out = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    ids = json.loads(out.stdout.strip().splitlines()[-1])
    return {
        "eservice_detail": [f"/mans-konts/e-pakalpojumi/{pk}/" for pk in ids["eservices"]],
        "order_detail": [f"/mans-konts/pasutijumi/{n}/" for n in ids["orders"]],
        "download": [f"/mans-konts/datnes/{pk}/" for pk in ids["files"]],
        "export": [f"/mans-konts/e-pakalpojumi/atskaite/excel/?{ids['export']}"],
    }


LOCUSTFILE = """
import json, os, random
from locust import HttpUser, between, task

SESSIONS = json.loads(os.environ["LOAD_SESSIONS"])
PATHS = json.loads(os.environ["LOAD_PATHS"])
LISTS = [
    "/mans-konts/",
    "/mans-konts/e-pakalpojumi/",
    "/mans-konts/e-pakalpojumi/?sort=-created",
    "/mans-konts/e-pakalpojumi/?sort=service",
    "/mans-konts/e-pakalpojumi/?sort=-changed",
    "/mans-konts/e-pakalpojumi/?sort=status",
    "/mans-konts/pasutijumi/",
    "/mans-konts/pasutijumi/?sort=number",
    "/mans-konts/rekini/",
    "/mans-konts/pazinojumi/",
]


class Client(HttpUser):
    wait_time = between(0.5, 1.5)

    def on_start(self):
        self.client.cookies.set("sessionid", random.choice(SESSIONS))

    @task(6)
    def browse_lists(self):
        self.client.get(random.choice(LISTS), name="list pages")

    @task(3)
    def open_eservice(self):
        self.client.get(random.choice(PATHS["eservice_detail"]), name="e-service detail")

    @task(3)
    def open_order(self):
        self.client.get(random.choice(PATHS["order_detail"]), name="order detail")

    @task(1)
    def report_page(self):
        self.client.get("/mans-konts/e-pakalpojumi/atskaite/?received_from=2099-01-01",
                        name="report page")

    @task(1)
    def download(self):
        if PATHS["download"]:
            self.client.get(random.choice(PATHS["download"]), name="file download")

    @task(1)
    def export_excel(self):
        # One user's e-services received on one day (some hundreds of rows): made at once.
        self.client.get("/mans-konts/e-pakalpojumi/atskaite/?received_from=2099-01-01",
                        name="report page")
        # The cookie is Secure in production settings; over plain HTTP it is handed back by hand.
        token = self.client.cookies.get("csrftoken", "")
        self.client.post(
            PATHS["export"][0],
            headers={"X-CSRFToken": token},
            cookies={"csrftoken": token},
            name="Excel export",
        )
"""


def wait_for(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2)  # noqa: S310 — our own loopback server
            return
        except Exception:  # not up yet
            time.sleep(0.5)
    raise SystemExit(f"gunicorn did not answer at {url}")


def run(users: int, seconds: int, env: dict[str, str], workdir: Path) -> dict:
    prefix = workdir / f"u{users}"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "locust",
            "-f",
            str(workdir / "locustfile.py"),
            "--headless",
            "--host",
            f"http://127.0.0.1:{PORT}",
            "--users",
            str(users),
            "--spawn-rate",
            str(users),
            "--run-time",
            f"{seconds}s",
            "--stop-timeout",
            "5",
            "--csv",
            str(prefix),
            "--only-summary",
            "--loglevel",
            "WARNING",
        ],
        cwd=ROOT,
        env=env,
        check=False,
        capture_output=True,
        text=True,
        timeout=seconds + 120,
    )
    with open(f"{prefix}_stats.csv", newline="") as handle:
        rows = {row["Name"]: row for row in csv.DictReader(handle)}
    total = rows["Aggregated"]
    requests = int(total["Request Count"])
    failures = int(total["Failure Count"])
    return {
        "users": users,
        "requests": requests,
        "rps": round(float(total["Requests/s"]), 1),
        "median_ms": float(total["50%"]),
        "p95_ms": float(total["95%"]),
        "error_rate": round(failures / requests, 4) if requests else 1.0,
        "by_name": {
            name: {
                "requests": int(row["Request Count"]),
                "median_ms": float(row["50%"]),
                "p95_ms": float(row["95%"]),
                "failures": int(row["Failure Count"]),
            }
            for name, row in rows.items()
            if name != "Aggregated"
        },
    }


SATURATION_LOCUSTFILE = """
import json, os, random, string, time
import gevent
from locust import FastHttpUser, task

SESSIONS = json.loads(os.environ["LOAD_SESSIONS"])
URLS = json.loads(os.environ["LOAD_URLS"])


class Client(FastHttpUser):
    def wait_time(self):
        # Once a second, each user from a moment of its own (on_start): locust's
        # constant_throughput paces each user from when it was spawned, and users spawned together
        # all ask in the same tenth of every second, a burst of the whole rate at once that the
        # workers drain in turn (at 32 req/s a median of 130-190 ms where the same requests
        # spread over the second take 20 ms; the server's own time was 33 ms in both).
        self.next_at += 1.0
        return max(0.0, self.next_at - time.monotonic())

    def on_start(self):
        # And the CSRF cookie a browser has had since its first page (its forms mask it).
        secret = "".join(random.choice(string.ascii_letters + string.digits) for _ in range(32))
        self.cookie = f"sessionid={random.choice(SESSIONS)}; csrftoken={secret}"
        gevent.sleep(random.random())
        self.next_at = time.monotonic()

    @task
    def list_page(self):
        self.client.get(random.choice(URLS), headers={"Cookie": self.cookie}, name="list pages")
"""


def list_cases(env: dict[str, str]) -> dict[str, list[str]]:
    """The list cases of bench/run.py (200 pages only), ours and the baseline's."""
    script = """
import json, sys
sys.path.insert(0, "bench")
import run
run.setup_django()
cases = [(name, url) for name, url, expect in run.cases() if expect == 200]
ours = [url for _name, url in cases]
shallow = [url for name, url in cases if "deep page" not in name]
print(json.dumps({"app": ours, "baseline": [run.baseline_of(url) for url in ours],
                  "app_shallow": shallow, "baseline_shallow": [run.baseline_of(url) for url in shallow]}))
"""
    out = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def step(users: int, seconds: int, env: dict[str, str], workdir: Path, name: str) -> dict:
    prefix = workdir / f"{name}-{users}"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "locust",
            "-f",
            str(workdir / "saturation.py"),
            "--headless",
            "--host",
            f"http://127.0.0.1:{PORT}",
            "--users",
            str(users),
            "--spawn-rate",
            str(max(10, users)),
            "--run-time",
            f"{seconds}s",
            "--reset-stats",
            "--stop-timeout",
            "5",
            "--csv",
            str(prefix),
            "--only-summary",
            "--loglevel",
            "WARNING",
        ],
        cwd=ROOT,
        env=env,
        check=False,
        capture_output=True,
        text=True,
        timeout=seconds + 120,
    )
    with open(f"{prefix}_stats.csv", newline="") as handle:
        total = next(r for r in csv.DictReader(handle) if r["Name"] == "Aggregated")
    requests, failures = int(total["Request Count"]), int(total["Failure Count"])
    result = {
        "offered_rps": users,
        "rps": round(float(total["Requests/s"]), 1),
        "median_ms": float(total["50%"]),
        "p95_ms": float(total["95%"]),
        "error_rate": round(failures / requests, 4) if requests else 1.0,
    }
    result["ok"] = result["p95_ms"] <= P95_LIMIT_MS and result["error_rate"] < 0.01
    print(
        f"  {name}: {users} req/s offered → {result['rps']} served, median {result['median_ms']} "
        f"ms, p95 {result['p95_ms']} ms, errors {result['error_rate']:.2%} "
        f"{'ok' if result['ok'] else 'over'}",
        flush=True,
    )
    return result


def saturations(urls: dict[str, list[str]], seconds: int, env: dict, workdir: Path) -> list[dict]:
    """For each app: double the offered rate until it is over the limit, then bisect twice. The
    apps take turns at each rate, so that the machine's changing load falls on both alike."""
    state = {name: {"steps": [], "good": None, "bad": None} for name in urls}

    def try_rate(name: str, users: int) -> None:
        result = step(users, seconds, {**env, "LOAD_URLS": json.dumps(urls[name])}, workdir, name)
        state[name]["steps"].append(result)
        state[name]["good" if result["ok"] else "bad"] = users

    users = START_RATE
    while users <= 1024 and any(s["bad"] is None for s in state.values()):
        for name, s in state.items():
            if s["bad"] is None:
                try_rate(name, users)
        users *= 2
    for _ in range(2):
        for name, s in state.items():
            if s["good"] is not None and s["bad"] is not None and s["bad"] - s["good"] >= 2:
                try_rate(name, (s["good"] + s["bad"]) // 2)
    result = []
    for name, s in state.items():
        served = [r for r in s["steps"] if r["ok"]]
        best = max(served, key=lambda r: r["rps"]) if served else None
        result.append(
            {"name": name, "steps": s["steps"], "saturation_rps": best["rps"] if best else 0.0}
        )
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DB))
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--users", default="16,64")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--step-seconds", type=int, default=20)
    parser.add_argument(
        "--rates",
        default="",
        help="also offer these rates (req/s, e.g. 32,64) to both apps: what each serves at most",
    )
    args = parser.parse_args()

    env = production_env(args.database_url)
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    sessions = make_sessions(env, 64)
    paths = sample_paths(env)
    workdir = Path(tempfile.mkdtemp(prefix="manskonts-load-"))
    (workdir / "locustfile.py").write_text(LOCUSTFILE)
    (workdir / "saturation.py").write_text(SATURATION_LOCUSTFILE)
    cases = list_cases(env)
    env_load = {**env, "LOAD_SESSIONS": json.dumps(sessions), "LOAD_PATHS": json.dumps(paths)}

    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "manskonts.wsgi:application",
            "--bind",
            f"127.0.0.1:{PORT}",
            "--workers",
            str(args.workers),
            "--log-level",
            "warning",
            # gunicorn.conf.py (read from the working directory) logs every request to stdout.
            "--access-logfile",
            os.devnull,
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    try:
        wait_for(f"http://127.0.0.1:{PORT}/healthz")
        users = [int(u) for u in args.users.split(",") if u.strip()]
        results = [run(u, args.seconds, env_load, workdir) for u in users]
        print(f"Saturation (p95 ≤ {P95_LIMIT_MS} ms), {len(cases['app'])} list cases:", flush=True)
        saturated = saturations(
            {"app": cases["app"], "baseline": cases["baseline"]},
            args.step_seconds,
            env_load,
            workdir,
        )
        # The same without the deep pages, where the baseline's OFFSET costs it most: a rate the
        # baseline can serve at all, so that the ratio is of two measured saturations.
        print(
            f"Saturation without the deep pages, {len(cases['app_shallow'])} list cases:",
            flush=True,
        )
        shallow = saturations(
            {"app": cases["app_shallow"], "baseline": cases["baseline_shallow"]},
            args.step_seconds,
            env_load,
            workdir,
        )
        fixed = []
        for rate in [int(r) for r in args.rates.split(",") if r.strip()]:
            for name in ("app", "baseline"):
                urls = cases[name]
                env_rate = {**env_load, "LOAD_URLS": json.dumps(urls)}
                fixed.append(
                    {"name": name, **step(rate, args.step_seconds, env_rate, workdir, name)}
                )
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)

    print(
        f"{'users':>6} {'requests':>9} {'req/s':>7} {'median ms':>10} {'p95 ms':>8} {'errors':>7}"
    )
    for r in results:
        print(
            f"{r['users']:>6} {r['requests']:>9} {r['rps']:>7} {r['median_ms']:>10} "
            f"{r['p95_ms']:>8} {r['error_rate']:>7.2%}"
        )
    for r in results:
        print(f"\n{r['users']} users, by request:")
        for name, row in sorted(r["by_name"].items()):
            print(
                f"  {name:<20} {row['requests']:>6} requests  median {row['median_ms']:>6} ms  "
                f"p95 {row['p95_ms']:>6} ms  {row['failures']} failed"
            )
    for label, found in (("every list case", saturated), ("without the deep pages", shallow)):
        app, base = (s["saturation_rps"] for s in found)
        print(
            f"\nSaturation with p95 ≤ {P95_LIMIT_MS} ms, {label}, {args.workers} gunicorn workers, "
            f"locust on the same machine: app {app} req/s, baseline {base} req/s, ratio "
            f"{round(app / base, 2) if base else 'n/a (the baseline serves no rate)'}"
            f"{'×' if base else ''} (target ≥ 2×)"
        )
    for rate in sorted({f["offered_rps"] for f in fixed}):
        served = {f["name"]: f["rps"] for f in fixed if f["offered_rps"] == rate}
        app_rps, base_rps = served.get("app", 0), served.get("baseline", 0)
        print(
            f"Offered {rate} req/s: app served {app_rps}, baseline {base_rps}"
            + (f" ({round(app_rps / base_rps, 2)}×)" if base_rps else "")
        )
    (ROOT / "bench" / "load-results.json").write_text(
        json.dumps(
            {
                "mix": results,
                "saturation": saturated,
                "saturation_without_deep_pages": shallow,
                "fixed_rates": fixed,
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
