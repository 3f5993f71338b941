"""Which requests may read from a replica, and the read-your-writes pin (manskonts/replicas.py).
The routing against a real streaming standby: tests/faults/test_read_replicas.py."""

from __future__ import annotations

import time

import pytest
from django.db import DEFAULT_DB_ALIAS
from django.http import HttpResponse
from django.test import RequestFactory

from manskonts.replicas import COOKIE_NAME, ReplicaMiddleware, ReplicaRouter, replica_allowed
from notifications.models import Notification


@pytest.mark.parametrize(
    ("method", "path", "cookie", "allowed"),
    [
        ("get", "/mans-konts/", None, True),
        ("head", "/mans-konts/pasutijumi/", None, True),
        ("options", "/mans-konts/", None, True),
        ("post", "/mans-konts/pazinojumi/visi-izlasiti/", None, False),
        ("put", "/mans-konts/", None, False),
        ("delete", "/mans-konts/", None, False),
        ("get", "/admin/", None, False),
        ("get", "/admin/orders/order/", None, False),
        ("get", "/mans-konts/", 60, False),  # wrote a moment ago: pinned for a minute more
        ("get", "/mans-konts/", -1, True),  # the pin expired a second ago
        ("get", "/mans-konts/", "not-a-time", True),
    ],
)
def test_only_safe_requests_outside_the_admin_and_unpinned_may_read_from_a_replica(
    method, path, cookie, allowed
):
    factory = RequestFactory()
    if isinstance(cookie, int):
        factory.cookies[COOKIE_NAME] = f"{time.time() + cookie:.3f}"
    elif cookie is not None:
        factory.cookies[COOKIE_NAME] = cookie
    assert replica_allowed(getattr(factory, method)(path)) is allowed


def test_reads_without_a_request_and_every_write_and_migration_go_to_the_primary():
    router = ReplicaRouter()
    assert router.db_for_read(Notification) == DEFAULT_DB_ALIAS
    assert router.db_for_write(Notification) == DEFAULT_DB_ALIAS
    assert router.allow_migrate(DEFAULT_DB_ALIAS, "notifications") is True
    assert router.allow_migrate("replica_1", "notifications") is False


@pytest.fixture
def router_in_use(settings):
    settings.DATABASE_ROUTERS = ["manskonts.replicas.ReplicaRouter"]
    settings.DATABASE_REPLICA_PIN_SECONDS = 5


def respond_after(work):
    def get_response(request):
        work()
        return HttpResponse("ok")

    return ReplicaMiddleware(get_response)


@pytest.mark.django_db
def test_a_request_that_wrote_pins_its_browser_to_the_primary(router_in_use):
    middleware = respond_after(
        lambda: Notification.objects.filter(read_at__isnull=True).update(read_at=None)
    )
    before = time.time()
    response = middleware(RequestFactory().get("/mans-konts/"))
    after = time.time()
    pin = response.cookies[COOKIE_NAME]
    assert pin["max-age"] == 5
    assert pin["httponly"] is True
    assert pin["samesite"] == "Lax"
    assert before + 5 - 0.001 <= float(pin.value) <= after + 5 + 0.001


@pytest.mark.django_db
def test_a_request_that_only_read_sets_no_pin(router_in_use):
    middleware = respond_after(lambda: list(Notification.objects.all()))
    response = middleware(RequestFactory().get("/mans-konts/"))
    assert COOKIE_NAME not in response.cookies
