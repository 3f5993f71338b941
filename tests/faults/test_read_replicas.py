"""Read replicas against a real streaming standby (manskonts/replicas.py, docs/replicas.md).

The test starts a PostgreSQL primary and a hot standby of its own (tests/postgres_cluster.py),
migrates the primary, and runs gunicorn with DATABASE_URL on the primary and DATABASE_REPLICA_URLS
on the standby. Lag is made by pausing the standby's WAL replay (pg_wal_replay_pause); a change
written straight to the primary then shows which server a page read from.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time

import pytest
import requests
from dj_database_url import parse
from django.contrib.sessions.models import Session
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.utils import load_backend

from manskonts import replicas
from manskonts.celery import app
from manskonts.replicas import Route, reads_from_primary, routed
from notifications.models import Notification
from tests.postgres_cluster import Cluster
from tests.redis_server import free_port
from tests.worker import ROOT, database_url

# The test database is the in-process primary (test case transactions); the web process uses the
# cluster's own primary.
pytestmark = [pytest.mark.fault, pytest.mark.django_db]

MAX_LAG = 6  # DATABASE_REPLICA_MAX_LAG of the web process: the stale reads below fit in it
PIN = 7  # DATABASE_REPLICA_PIN_SECONDS
RETRY = 1  # DATABASE_REPLICA_RETRY_SECONDS
PIN_COOKIE = "manskonts_primary"
ANNA = "12058512340"  # demo persons (accounts/demo.py)
JANIS = "03039214561"
UNREAD = 'govuk-tag--blue">Jauns</strong>'


def web_environment(cluster: Cluster, media) -> dict:
    return {
        **os.environ,
        "DATABASE_URL": cluster.primary.url,
        "DATABASE_REPLICA_URLS": cluster.standby.url,
        "DATABASE_REPLICA_MAX_LAG": str(MAX_LAG),
        "DATABASE_REPLICA_PIN_SECONDS": str(PIN),
        "DATABASE_REPLICA_RETRY_SECONDS": str(RETRY),
        "REDIS_URL": "",
        "DEBUG": "1",
        "DJANGO_SETTINGS_MODULE": "manskonts.settings",
        "MEDIA_ROOT": str(media),
    }


@pytest.fixture(scope="module")
def cluster(django_db_setup, tmp_path_factory):
    """The primary and its standby, the primary holding the migrated test database's schema (a
    copy, or migrated itself where this pg_dump cannot read the test database's server)."""
    cluster = Cluster()
    try:
        cluster.start()
        if not cluster.copy_database(database_url()):
            subprocess.run(
                [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
                cwd=ROOT,
                env=web_environment(cluster, tmp_path_factory.mktemp("migrate")),
                check=True,
                timeout=120,
            )
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture(scope="module")
def web(cluster, tmp_path_factory):
    """gunicorn, one sync worker (one process: one view of the replica's health)."""
    folder = tmp_path_factory.mktemp("replica-web")
    env = web_environment(cluster, folder / "media")
    port = free_port()
    log = open(folder / "gunicorn.log", "w+")  # noqa: SIM115 — closed below
    process = subprocess.Popen(
        [
            shutil.which("gunicorn", path=os.path.dirname(sys.executable)) or "gunicorn",
            "manskonts.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--timeout",
            "60",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None or time.monotonic() > deadline:
                log.seek(0)
                pytest.fail(f"gunicorn did not start:\n{log.read()}")
            try:
                requests.get(f"{base}/", timeout=30)
                break
            except requests.ConnectionError:
                time.sleep(0.2)
        yield base
        log.seek(0)
        assert " 500 " not in log.read()
    finally:
        process.terminate()
        process.wait(timeout=20)
        log.close()


@pytest.fixture(autouse=True)
def _replay_resumed(request):
    """A test that paused the standby's replay leaves it replaying, whatever happened."""
    yield
    if "cluster" in request.fixturenames:
        request.getfixturevalue("cluster").resume_replay()


def csrf_token(page: requests.Response) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)


def sign_in(web: str, person: str = ANNA) -> requests.Session:
    browser = requests.Session()
    browser.headers["Referer"] = web
    login = browser.get(f"{web}/pieslegties/", timeout=30)
    signed = browser.post(
        f"{web}/pieslegties/demo/",
        {"person": person, "csrfmiddlewaretoken": csrf_token(login)},
        allow_redirects=False,
        timeout=30,
    )
    assert signed.status_code == 302
    return browser


def without_pin(browser: requests.Session) -> requests.Session:
    """The same browser (its session) as it would be once the pin had expired."""
    browser.cookies.pop(PIN_COOKIE, None)
    return browser


def fresh_lag_clock(cluster: Cluster) -> None:
    """A commit the standby replays, then replay paused: from now the standby falls behind the
    primary, and its measured lag starts from zero."""
    with cluster.primary.connect() as primary:
        primary.execute("CREATE TABLE IF NOT EXISTS lag_clock (at timestamptz)")
        primary.execute("INSERT INTO lag_clock VALUES (now())")
    cluster.caught_up()
    cluster.pause_replay()


def overview(browser: requests.Session, web: str) -> requests.Response:
    return browser.get(f"{web}/mans-konts/", allow_redirects=False, timeout=30)


@pytest.fixture
def anna(cluster, web):
    """Anna, signed in, her inbox holding one notification; the standby has all of it."""
    browser = sign_in(web)
    assert overview(browser, web).status_code == 200  # her own client is made at the first page
    with cluster.primary.connect() as primary:
        primary.execute("DELETE FROM notifications_notification")
        primary.execute(
            "INSERT INTO notifications_notification "
            "(client_id, recipient_id, kind, subject, body, link, created_at) "
            "SELECT c.id, u.id, 'status', 'Pasūtījums izpildīts', 'Teksts', '', now() "
            "FROM accounts_user u JOIN accounts_client c ON c.person_id = u.id "
            "WHERE u.personal_code = %s",
            [ANNA],
        )
    cluster.caught_up()
    yield without_pin(browser)
    cluster.resume_replay()


def inbox(browser: requests.Session, web: str) -> str:
    page = browser.get(f"{web}/mans-konts/pazinojumi/", allow_redirects=False, timeout=30)
    assert page.status_code == 200
    return page.text


def replica_state(web: str) -> str:
    return requests.get(f"{web}/healthz", timeout=30).json()["replicas"]["replica_1"]["state"]


def rename_on_primary(cluster: Cluster, subject: str) -> None:
    with cluster.primary.connect() as primary:
        primary.execute("UPDATE notifications_notification SET subject = %s", [subject])


def test_pages_read_from_the_replica_and_a_writer_reads_its_own_write(cluster, web, anna):
    fresh_lag_clock(cluster)
    rename_on_primary(cluster, "Jauns temats")

    # The replica has not replayed the change: the page read from it.
    page = inbox(anna, web)
    assert "Pasūtījums izpildīts" in page
    assert "Jauns temats" not in page

    # Anna marks it read: the POST writes on the primary and pins her browser there.
    [mark_read] = re.findall(r'action="(/mans-konts/pazinojumi/\d+/izlasits/)"', page)
    marked = anna.post(
        f"{web}{mark_read}",
        {"csrfmiddlewaretoken": csrf_token(anna.get(f"{web}/mans-konts/pazinojumi/"))},
        allow_redirects=False,
        timeout=30,
    )
    assert marked.status_code == 303
    assert float(anna.cookies[PIN_COOKIE]) > time.time()

    # Her next page reads from the primary: her own write, and the change, at once.
    page = inbox(anna, web)
    assert "Izlasīts" in page
    assert "Jauns temats" in page

    # Without the pin the same page still comes from the lagging replica.
    page = inbox(without_pin(anna), web)
    assert UNREAD in page
    assert "Izlasīts" not in page
    assert "Pasūtījums izpildīts" in page


def test_a_replica_lagging_more_than_the_limit_is_not_read(cluster, web, anna):
    fresh_lag_clock(cluster)
    rename_on_primary(cluster, "Jauns temats")
    assert "Pasūtījums izpildīts" in inbox(anna, web)

    # The lag passes DATABASE_REPLICA_MAX_LAG (measured at most a second late): the primary.
    time.sleep(MAX_LAG + 1.2)
    assert "Jauns temats" in inbox(anna, web)
    assert replica_state(web) == "lagging"

    # Caught up again, the replica is read again.
    cluster.resume_replay()
    cluster.caught_up()
    time.sleep(1.1)
    fresh_lag_clock(cluster)
    rename_on_primary(cluster, "Vēl jaunāks temats")
    page = inbox(anna, web)
    assert "Jauns temats" in page
    assert "Vēl jaunāks temats" not in page
    assert replica_state(web) == "ok"


def test_signing_in_is_seen_at_once_though_the_replica_lags(cluster, web):
    fresh_lag_clock(cluster)
    browser = sign_in(web, JANIS)  # his first sign-in: the user is made on the primary

    # The pinned browser reads the primary: signed in at once, his name in the header.
    page = overview(browser, web)
    assert page.status_code == 200
    assert "Jānis Kalniņš" in page.text

    # Had the browser not been pinned, the replica would not know him yet.
    page = overview(without_pin(browser), web)
    assert page.status_code == 302
    assert page.headers["Location"].startswith("/pieslegties/")


def test_a_signed_out_session_stays_ended_though_the_replica_still_has_it(cluster, web, anna):
    """The session cache is filled from the primary, never from a replica that has not yet seen the
    sign-out: else the ended session came back from the replica into the cache for its whole
    remaining half hour."""
    fresh_lag_clock(cluster)
    stolen = anna.cookies["sessionid"]
    page = anna.get(f"{web}/mans-konts/", timeout=30)
    signed_out = anna.post(
        f"{web}/iziet/",
        {"csrfmiddlewaretoken": csrf_token(page)},
        allow_redirects=False,
        timeout=30,
    )
    assert signed_out.status_code == 302

    thief = requests.Session()
    thief.cookies.set("sessionid", stolen)
    assert overview(thief, web).status_code == 302
    cluster.resume_replay()
    cluster.caught_up()
    assert overview(thief, web).status_code == 302


def test_a_stopped_replica_falls_back_to_the_primary(cluster, web, anna):
    assert "Pasūtījums izpildīts" in inbox(anna, web)
    cluster.standby.stop()
    try:
        rename_on_primary(cluster, "Kamēr replika stāv")
        started = time.monotonic()
        assert "Kamēr replika stāv" in inbox(anna, web)
        assert "Kamēr replika stāv" in inbox(anna, web)
        assert time.monotonic() - started < 2
        assert replica_state(web) == "down"
    finally:
        cluster.standby.start()

    # Back up: after DATABASE_REPLICA_RETRY_SECONDS the replica is read again.
    cluster.caught_up()
    time.sleep(RETRY + 1.1)
    fresh_lag_clock(cluster)
    rename_on_primary(cluster, "Pēc atgriešanās")
    page = inbox(anna, web)
    assert "Kamēr replika stāv" in page
    assert "Pēc atgriešanās" not in page


# --- The router in this process, against the same standby -----------------------------------------


@app.task(name="tests.read_replicas.where_a_task_reads")
def where_a_task_reads() -> str:
    return Notification.objects.all().db


@pytest.fixture
def replica(cluster, settings):
    """This process has the standby as replica_1 and the router in use; the primary stays the
    test database (so which server answered shows in the alias, not in the rows)."""
    alias = "replica_1"
    # A connection of its own, not in DATABASES: Django's test case lets such a connection open.
    configured = connections.configure_settings(
        {DEFAULT_DB_ALIAS: {}, alias: parse(cluster.standby.url)}
    )[alias]
    setattr(
        connections._connections,
        alias,
        load_backend(configured["ENGINE"]).DatabaseWrapper(configured, alias),
    )
    settings.DATABASE_REPLICAS = [alias]
    settings.DATABASE_ROUTERS = ["manskonts.replicas.ReplicaRouter"]
    settings.DATABASE_REPLICA_MAX_LAG = MAX_LAG
    replicas.connect_task_signals()
    replicas.forget_health()
    cluster.caught_up()
    try:
        yield alias
    finally:
        cluster.resume_replay()
        replicas.forget_health()
        connections[alias].close()
        delattr(connections._connections, alias)


def page_route() -> Route:
    return Route(replica_allowed=True)


def test_a_page_reads_from_the_replica_until_it_writes(replica, cluster):
    with cluster.standby.connect() as standby:
        on_the_standby = standby.execute(
            "SELECT count(*) FROM notifications_notification"
        ).fetchone()
    with routed(page_route()):
        assert Notification.objects.all().db == replica
        # The query runs there: the standby's rows, not the (empty) test database's.
        assert (Notification.objects.count(),) == on_the_standby
        with transaction.atomic():
            assert Notification.objects.all().db == DEFAULT_DB_ALIAS
        assert Notification.objects.select_for_update().db == DEFAULT_DB_ALIAS
        Notification.objects.filter(pk=0).update(subject="x")
        assert Notification.objects.all().db == DEFAULT_DB_ALIAS


def test_sessions_are_read_from_the_primary(replica):
    with routed(page_route()):
        assert Session.objects.all().db == DEFAULT_DB_ALIAS
        assert Notification.objects.all().db == replica


def test_a_transaction_reads_from_the_primary(replica):
    with routed(page_route()), transaction.atomic():
        assert Notification.objects.all().db == DEFAULT_DB_ALIAS
    with routed(page_route()):
        assert Notification.objects.all().db == replica


def test_select_for_update_goes_to_the_primary(replica):
    with routed(page_route()):
        assert Notification.objects.select_for_update().db == DEFAULT_DB_ALIAS


def test_tasks_commands_and_other_requests_read_from_the_primary(replica):
    with routed(page_route()):
        assert where_a_task_reads.apply().get() == DEFAULT_DB_ALIAS
        assert Notification.objects.all().db == replica
    assert Notification.objects.all().db == DEFAULT_DB_ALIAS  # no request: a command, a worker
    with routed(Route(replica_allowed=False)):  # a POST, the admin, a pinned browser
        assert Notification.objects.all().db == DEFAULT_DB_ALIAS


def test_a_view_that_reads_from_the_primary_still_pins_its_browser(replica):
    @reads_from_primary
    def view():
        assert Notification.objects.all().db == DEFAULT_DB_ALIAS
        Notification.objects.filter(pk=0).update(subject="x")

    with routed(page_route()) as route:
        assert Notification.objects.all().db == replica
        view()
        assert route.wrote is True
        assert Notification.objects.all().db == DEFAULT_DB_ALIAS


def test_a_lagging_replica_is_not_used(replica, cluster, settings):
    settings.DATABASE_REPLICA_MAX_LAG = 0
    fresh_lag_clock(cluster)
    with cluster.primary.connect() as primary:
        primary.execute("INSERT INTO lag_clock VALUES (now())")
    cluster.received()
    with routed(page_route()):
        assert Notification.objects.all().db == DEFAULT_DB_ALIAS
