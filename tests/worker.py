"""A real Celery worker on real Redis, against the test database, for tests marked `worker`.

Use the `celery_worker` fixture: it starts `celery -A manskonts worker` in a subprocess pointed at
this test run's database, consuming every queue (CELERY_TASK_ROUTES), switches this process from
eager tasks to the Redis broker, and stops the worker afterwards. Data the worker must see has to
be committed, so such tests are transactional. `running_worker(url)` does the same on another
broker (the fault tests' own Redis); `start_worker` starts one more (after a kill -9).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_REDIS = "redis://127.0.0.1:6379/13"


def redis_url() -> str:
    return os.environ.get("REDIS_URL") or DEFAULT_REDIS


def database_url() -> str:
    db = connection.settings_dict
    host = quote(db["HOST"] or "127.0.0.1", safe="")
    password = f":{quote(db['PASSWORD'])}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{host}:{db['PORT'] or 5432}/{db['NAME']}"


def reset_connections(app) -> None:
    """Drop pooled broker connections so the next task uses the broker now configured."""
    if app._pool is not None:
        app._pool.force_close_all()
        app._pool = None
    app.amqp._producer_pool = None
    # The result backend (and its result consumer's connection) is cached on the app: drop it, or
    # results are awaited on the broker of an earlier test.
    app.__dict__.pop("backend", None)
    app._backend_cache = None
    app._local.__dict__.pop("backend", None)
    # kombu keeps pools per broker URL globally, and the control mailbox caches a producer pool:
    # without forgetting both, a second worker test pings through the closed pool.
    from kombu import pools

    pools.reset()
    app.control.mailbox.__dict__.pop("producer_pool", None)


def worker_queues() -> str:
    """Every queue a task can be routed to, for `-Q`: one test worker does all kinds of work."""
    from manskonts.celery import app

    routes = app.conf.task_routes or {}
    return ",".join(sorted({app.conf.task_default_queue} | {r["queue"] for r in routes.values()}))


def start_worker(hostname: str, *, output=subprocess.DEVNULL, url: str | None = None):
    """`celery -A manskonts worker` (solo pool, every queue) on this run's database and Redis (or
    broker `url`); the rest of its environment (MEDIA_ROOT, EXPORT_LEASE_SECONDS…) is this
    process's. A test that kills one (kill -9, as a lost machine) starts the next with this too.
    `output`: a file rather than a pipe when nobody reads it while the worker runs (a full pipe
    blocks the worker)."""
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "REDIS_URL": url or redis_url(),
        "DJANGO_SETTINGS_MODULE": "manskonts.settings",
    }
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "manskonts",
            "worker",
            "--pool=solo",
            "--loglevel=INFO",
            "-Q",
            worker_queues(),
            "-n",
            hostname,
            "--without-gossip",
            "--without-mingle",
        ],
        cwd=ROOT,
        env=env,
        stdout=output,
        stderr=subprocess.STDOUT,
        text=True,
    )


def wait_until_answering(
    process: subprocess.Popen, seconds: float = 60, *, workers: int = 1
) -> None:
    """Until `workers` workers answer a ping (this process must already use the Redis broker):
    pass 2 when `process` is a second worker beside a live one."""
    from manskonts.celery import app

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            output = process.stdout.read() if process.stdout else ""
            pytest.fail(f"Celery worker exited early:\n{output}")
        if len(app.control.ping(timeout=0.5)) >= workers:
            return
    pytest.fail(f"Celery worker did not answer a ping within {seconds:.0f} s.")


@contextmanager
def running_worker(url: str, output: Path | None = None, name: str = "test"):
    """A worker on broker `url` (its output in file `output`), and this process sending to it."""
    from manskonts.celery import app

    log = open(output, "w+") if output else tempfile.TemporaryFile("w+")  # noqa: SIM115
    process = start_worker(f"{name}-{os.getpid()}@%h", output=log, url=url)
    saved = {key: app.conf[key] for key in ("broker_url", "result_backend", "task_always_eager")}
    app.conf.update(broker_url=url, result_backend=url, task_always_eager=False)
    reset_connections(app)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if process.poll() is not None:
                log.seek(0)
                pytest.fail(f"Celery worker exited early:\n{log.read()}")
            if app.control.ping(timeout=0.5):
                break
        else:
            pytest.fail("Celery worker did not answer a ping within 60 s.")
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
        app.conf.update(saved)
        reset_connections(app)


@pytest.fixture
def celery_worker(reference_data):
    import redis

    url = redis_url()
    try:
        redis.Redis.from_url(url).ping()
    except redis.exceptions.ConnectionError:
        pytest.fail(f"Redis is not reachable at {url}: the worker tests need a real Redis.")
    redis.Redis.from_url(url).flushdb()
    with running_worker(url) as process:
        yield process
