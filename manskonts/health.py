"""/healthz: is this web worker able to serve? Checks the database, Redis (when configured) and
file storage, and answers 503 naming what is down. No personal data, no authentication.

Every check only reads: a `SELECT 1`, a Redis PING, and for storage a HEAD on the S3 bucket or a
look at the media folder on disk, so an unauthenticated caller cannot make the portal write.

Two more facts are reported without deciding the status (a web worker serves pages without them):
`celery` — whether Celery workers answer a broadcast ping (at most PING_TIMEOUT seconds, the
answer reused for PING_CACHE_SECONDS so frequent probes do not flood the broker; "eager" when
there is no broker and tasks run in the web process), and `purge` — when the retention purge last
started and finished (`documents.PurgeRun`), so a beat that stopped running is seen; and
`outbox` — how many tasks wait in the outbox for the broker and since when (`outbox.Message`):
a backlog that grows says the broker or the sweep is away; and `replicas` — each read replica's
state and lag (docs/replicas.md): pages read from the primary while one is down or lagging.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from pathlib import Path

import redis
from django.apps import apps
from django.conf import settings
from django.core.files.storage import default_storage
from django.db import connection
from django.db.models import Count, Min
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from manskonts.celery import app
from manskonts.replicas import replica_states

log = logging.getLogger("manskonts.health")

PING_TIMEOUT = 1.0
PING_CACHE_SECONDS = 15.0


def check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def check_redis() -> None:
    if not settings.REDIS_URL:
        return
    redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2, socket_connect_timeout=2).ping()


def check_storage() -> None:
    """Read-only. S3: HEAD on the bucket (exists and these credentials may use it). Disk: the
    media folder, or the nearest folder it will be created in, is a folder this process may
    write to."""
    storage = default_storage
    if hasattr(storage, "bucket_name") and hasattr(storage, "connection"):
        storage.connection.meta.client.head_bucket(Bucket=storage.bucket_name)
        return
    probe = Path(storage.location)
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    if not probe.is_dir() or not os.access(probe, os.W_OK | os.X_OK):
        raise NotADirectoryError(str(probe))


CHECKS = {"database": check_database, "redis": check_redis, "storage": check_storage}

_ping_lock = threading.Lock()
_ping_cache: dict[str, object] = {}


def celery_workers(broker_ok: bool) -> dict:
    """{"state": "ok" | "down" | "eager", "workers": how many answered the ping}."""
    if app.conf.task_always_eager:
        return {"state": "eager", "workers": 0}
    if not broker_ok:
        return {"state": "down", "workers": 0}
    with _ping_lock:
        cached = _ping_cache.get("result")
        if cached is not None and time.monotonic() - _ping_cache["at"] < PING_CACHE_SECONDS:
            return dict(cached)
        try:
            count = len(app.control.ping(timeout=PING_TIMEOUT) or [])
        except Exception as error:  # any broker failure means no worker can be reached
            log.warning("health check failed check=celery error=%s", type(error).__name__)
            count = 0
        result = {"state": "ok" if count else "down", "workers": count}
        _ping_cache.update(result=result, at=time.monotonic())
    return dict(result)


def last_purge(database_ok: bool) -> dict:
    """When the retention purge last started and last finished (None: never, or no database)."""
    result: dict = {"last_started_at": None, "last_finished_at": None}
    if not database_ok:
        return result
    purge_run = apps.get_model("documents", "PurgeRun")
    try:
        result["last_started_at"] = (
            purge_run.objects.order_by("-started_at").values_list("started_at", flat=True).first()
        )
        result["last_finished_at"] = (
            purge_run.objects.filter(finished_at__isnull=False)
            .order_by("-finished_at")
            .values_list("finished_at", flat=True)
            .first()
        )
    except Exception as error:  # reported as unknown; the database check decides the status
        log.warning("health check failed check=purge error=%s", type(error).__name__)
    return result


def outbox_backlog(database_ok: bool) -> dict:
    """Tasks not yet handed to the broker: how many, and the oldest one's creation time."""
    result: dict = {"pending": None, "oldest_pending_at": None}
    if not database_ok:
        return result
    message = apps.get_model("outbox", "Message")
    try:
        backlog = message.objects.filter(sent_at__isnull=True).aggregate(
            pending=Count("id"), oldest_pending_at=Min("created_at")
        )
    except Exception as error:  # reported as unknown; the database check decides the status
        log.warning("health check failed check=outbox error=%s", type(error).__name__)
        return result
    return backlog


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    results = {}
    for name, check in CHECKS.items():
        try:
            check()
        except Exception as error:  # a health check reports any failure, whatever its kind
            log.warning("health check failed check=%s error=%s", name, type(error).__name__)
            results[name] = "down"
        else:
            results[name] = "ok"
    healthy = all(value == "ok" for value in results.values())
    body = {
        "status": "ok" if healthy else "down",
        "checks": results,
        "celery": celery_workers(bool(settings.REDIS_URL) and results["redis"] == "ok"),
        "purge": last_purge(results["database"] == "ok"),
        "outbox": outbox_backlog(results["database"] == "ok"),
        "replicas": replica_states(),
    }
    return JsonResponse(body, status=200 if healthy else 503)
