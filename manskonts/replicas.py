"""Read replicas (docs/replicas.md): the read-only queries of a page go to a streaming replica,
everything else to the primary.

A request's reads may go to a replica only when all of these hold (`ReplicaMiddleware`): it is a
GET, HEAD or OPTIONS outside the admin; its browser has not written within
DATABASE_REPLICA_PIN_SECONDS (the `manskonts_primary` cookie, set on the response of any request
that wrote: read-your-writes); and nothing in the request has written yet. Inside a transaction
(`transaction.atomic`, so also `select_for_update`, which Django routes as a write) reads go to
the primary. Outside a request (Celery tasks, the outbox relay, management commands, migrations)
there is no route and every query goes to the primary.

A replica is used only while it answers and its replay lag is at most DATABASE_REPLICA_MAX_LAG
seconds (checked at most once every LAG_CHECK_SECONDS by each process). One that cannot be reached
is left alone for DATABASE_REPLICA_RETRY_SECONDS (its connect timeout is 2 s), and the request
reads from the primary: no page fails because a replica is away. One request reads from one
replica only, so a page never mixes two points in time.

The pin outlasts the lag a replica may have (PIN >= MAX_LAG + LAG_CHECK_SECONDS, checked in
settings): once it expires, any replica still in use has replayed the browser's last write.
"""

from __future__ import annotations

import contextvars
import logging
import random
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from functools import wraps

from celery.signals import task_postrun, task_prerun
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.urls import reverse

log = logging.getLogger("manskonts.replicas")

COOKIE_NAME = "manskonts_primary"
LAG_CHECK_SECONDS = 1.0
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# Read from the primary in every request. Sessions: a page reads its session from the cache, and a
# miss fills the cache from what the database answered; a replica that has not yet replayed a
# sign-out would put the ended session back into the cache for the rest of its half hour.
PRIMARY_MODELS = frozenset({"sessions.session"})

# The replica's replay lag in seconds: 0 when it has replayed all the WAL it received, else the time
# since the last transaction it replayed; NULL when it is no replica (promoted) or its WAL receiver
# is not running (it no longer follows the primary, so its own lag says nothing).
LAG_SQL = """
SELECT CASE
    WHEN NOT pg_is_in_recovery() OR NOT EXISTS (SELECT 1 FROM pg_stat_wal_receiver) THEN NULL
    WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
    ELSE COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()), 1e9)
END
"""


@dataclass
class _Health:
    checked_at: float = float("-inf")
    usable: bool = False
    down_until: float = float("-inf")


_health: dict[str, _Health] = {}


def replica_aliases() -> list[str]:
    return list(settings.DATABASE_REPLICAS)


def _open_circuit(alias: str, now: float, error: BaseException) -> None:
    connections[alias].close()
    log.warning(
        "Replica %s unreachable, reading from the primary for %s s: %s",
        alias,
        settings.DATABASE_REPLICA_RETRY_SECONDS,
        error.__class__.__name__,
    )
    _health[alias] = _Health(
        checked_at=now, down_until=now + settings.DATABASE_REPLICA_RETRY_SECONDS
    )


def _check(alias: str, now: float) -> bool:
    """Connect (reusing a live connection) and read the lag; a failure opens the circuit."""
    try:
        with connections[alias].cursor() as cursor:
            cursor.execute(LAG_SQL)
            (lag,) = cursor.fetchone()
    except DatabaseError as error:
        _open_circuit(alias, now, error)
        return False
    usable = lag is not None and float(lag) <= settings.DATABASE_REPLICA_MAX_LAG
    previous = _health.get(alias)
    if previous is not None and previous.usable and not usable:
        log.warning("Replica %s lags (%s s), reading from the primary", alias, lag)
    _health[alias] = _Health(checked_at=now, usable=usable)
    return usable


def _connected(alias: str, now: float) -> bool:
    """Between two lag checks: the connection works (Django's health check, once a request), or
    a new one opens; a replica stopped since its last check is found here, not at the query."""
    connection = connections[alias]
    try:
        connection.close_if_health_check_failed()
        connection.ensure_connection()
    except DatabaseError as error:
        _open_circuit(alias, now, error)
        return False
    return True


def usable_replica() -> str | None:
    """A replica that answers and keeps up, or None: the primary then. No lock: two threads of
    one process that check the same replica at once only both check it."""
    now = time.monotonic()
    candidates = replica_aliases()
    random.shuffle(candidates)
    for alias in candidates:
        health = _health.get(alias) or _Health()
        if health.down_until > now:
            continue
        if now - health.checked_at < LAG_CHECK_SECONDS:
            usable = health.usable and _connected(alias, now)
        else:
            usable = _check(alias, now)
        if usable:
            return alias
    return None


def replica_states() -> dict[str, dict]:
    """For /healthz: each replica's state now ("ok", "lagging", "not following" or "down") and lag
    in seconds; one left alone after a failed connection is "down" without a new try."""
    states = {}
    for alias in replica_aliases():
        health = _health.get(alias)
        if health is not None and health.down_until > time.monotonic():
            states[alias] = {"state": "down", "lag_seconds": None}
            continue
        try:
            with connections[alias].cursor() as cursor:
                cursor.execute(LAG_SQL)
                (lag,) = cursor.fetchone()
        except DatabaseError as error:
            _open_circuit(alias, time.monotonic(), error)
            states[alias] = {"state": "down", "lag_seconds": None}
            continue
        if lag is None:
            state = "not following"
        elif float(lag) <= settings.DATABASE_REPLICA_MAX_LAG:
            state = "ok"
        else:
            state = "lagging"
        states[alias] = {"state": state, "lag_seconds": None if lag is None else float(lag)}
    return states


def forget_health() -> None:
    """Every replica is checked afresh at its next use."""
    _health.clear()


def _atomic_depth() -> int:
    return len(connections[DEFAULT_DB_ALIAS].atomic_blocks)


@dataclass
class Route:
    """One request's reading: may it use a replica, which one, and has it written.

    A transaction opened since the route began (the request's own) reads from the primary; one
    already open when it began is not the request's (a request starts outside any, except in a
    test case's transaction).
    """

    replica_allowed: bool
    wrote: bool = False
    # The request's route, for one inside it (a view or a task that reads from the primary): what
    # it writes pins the request's browser too.
    parent: Route | None = field(default=None, repr=False)
    outer_atomic_depth: int = field(default_factory=_atomic_depth, repr=False)
    _chosen: str | None = field(default=None, repr=False)
    _decided: bool = field(default=False, repr=False)

    def read_alias(self) -> str:
        if not self.replica_allowed or self.wrote:
            return DEFAULT_DB_ALIAS
        if _atomic_depth() > self.outer_atomic_depth:
            return DEFAULT_DB_ALIAS
        if not self._decided:
            self._chosen = usable_replica()
            self._decided = True
        return self._chosen or DEFAULT_DB_ALIAS


_route: contextvars.ContextVar[Route | None] = contextvars.ContextVar("replica_route", default=None)


@contextmanager
def routed(route: Route | None) -> Iterator[Route | None]:
    token = _route.set(route)
    try:
        yield route
    finally:
        _route.reset(token)


def primary() -> AbstractContextManager:
    """`with primary():` every query inside goes to the primary (a view that must read what
    another actor has just written, e.g. the return from the bank after its callback)."""
    return routed(Route(replica_allowed=False, parent=_route.get()))


def reads_from_primary(view):
    """A view whose every query goes to the primary."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        with primary():
            return view(*args, **kwargs)

    return wrapper


def note_write() -> None:
    """Tell the route that this request wrote without the ORM (raw SQL outside a transaction)."""
    route = _route.get()
    while route is not None:
        route.wrote = True
        route = route.parent


class ReplicaRouter:
    """Reads by the request's route; writes, migrations and anything without a route: primary."""

    def db_for_read(self, model, **hints):
        route = _route.get()
        if route is None or model._meta.label_lower in PRIMARY_MODELS:
            return DEFAULT_DB_ALIAS
        return route.read_alias()

    def db_for_write(self, model, **hints):
        note_write()
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        # The replicas hold the primary's rows: an object read from one relates to any other.
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == DEFAULT_DB_ALIAS


def _admin_prefix() -> str:
    return reverse("admin:index")


def replica_allowed(request) -> bool:
    """May this request read from a replica (before it has written anything)?"""
    if request.method not in SAFE_METHODS:
        return False
    if request.path.startswith(_admin_prefix()):
        return False
    try:
        pinned_until = float(request.COOKIES.get(COOKIE_NAME, "0"))
    except ValueError:
        pinned_until = 0.0
    return pinned_until <= time.time()


class ReplicaMiddleware:
    """Gives each request its route and, when it wrote, pins its browser to the primary."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with routed(Route(replica_allowed=replica_allowed(request))) as route:
            response = self.get_response(request)
        if route.wrote:
            pin = settings.DATABASE_REPLICA_PIN_SECONDS
            response.set_cookie(
                COOKIE_NAME,
                f"{time.time() + pin:.3f}",
                max_age=pin,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        return response


def _task_started(task_id=None, **kwargs) -> None:
    _task_tokens[task_id] = _route.set(Route(replica_allowed=False, parent=_route.get()))


def _task_finished(task_id=None, **kwargs) -> None:
    token = _task_tokens.pop(task_id, None)
    if token is not None:
        _route.reset(token)


_task_tokens: dict[str, contextvars.Token] = {}


def connect_task_signals() -> None:
    """Celery tasks read from the primary, also one run eagerly inside a request."""
    task_prerun.connect(_task_started, weak=False, dispatch_uid="replicas-task-prerun")
    task_postrun.connect(_task_finished, weak=False, dispatch_uid="replicas-task-postrun")
