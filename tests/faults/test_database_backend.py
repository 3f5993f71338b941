"""A PostgreSQL backend terminated under gunicorn (pg_terminate_backend from another connection):
mid-request, its transaction is rolled back whole; between requests, the persistent connection
(CONN_MAX_AGE) is found dead by CONN_HEALTH_CHECKS and replaced, so the next request works."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import threading
import time
from decimal import Decimal

import psycopg
import pytest
import requests
from django.conf import settings
from django.test import Client as DjangoClient
from django.urls import reverse

from billing.models import CallbackDelivery, Payment, PaymentAttempt
from notifications.models import Notification
from tests.factories import InvoiceFactory, OrderFactory, OrderPartFactory, UserFactory, own_client
from tests.redis_server import free_port, gunicorn_own_control
from tests.worker import ROOT, database_url

pytestmark = pytest.mark.fault

APP_NAME = "mk-fault-web"  # application_name of the web process's connection, to find its backend


@pytest.fixture
def web(reference_data, tmp_path):
    """gunicorn, one sync worker (so one persistent database connection), on the test database."""
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": f"{database_url()}?application_name={APP_NAME}",
        "REDIS_URL": "",
        "DEBUG": "1",
        "DJANGO_SETTINGS_MODULE": "manskonts.settings",
        "MEDIA_ROOT": str(tmp_path / "media"),
    }
    log = open(tmp_path / "gunicorn.log", "w+")  # noqa: SIM115 — closed below
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
            *gunicorn_own_control(),
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
    finally:
        process.terminate()
        process.wait(timeout=20)
        log.close()


def web_backends(connection) -> list[tuple[int, str]]:
    """(pid, state) of the web process's backends."""
    return connection.execute(
        "SELECT pid, state FROM pg_stat_activity WHERE application_name = %s", [APP_NAME]
    ).fetchall()


def backend_waiting_on_a_lock(connection, seconds: float = 20) -> int:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        waiting = connection.execute(
            "SELECT pid FROM pg_stat_activity WHERE application_name = %s "
            "AND wait_event_type = 'Lock'",
            [APP_NAME],
        ).fetchall()
        if waiting:
            [(pid,)] = waiting
            return pid
        time.sleep(0.05)
    pytest.fail("The payment request never waited on the lock.")


def csrf_token(page: requests.Response) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)


def browser_of(person, base: str) -> requests.Session:
    """A requests session signed in as `person` (the session row is written by this process)."""
    django_client = DjangoClient()
    django_client.force_login(person)
    session = requests.Session()
    session.cookies.set(
        settings.SESSION_COOKIE_NAME, django_client.cookies[settings.SESSION_COOKIE_NAME].value
    )
    session.headers["Referer"] = base
    return session


@pytest.mark.django_db(transaction=True)
def test_backend_terminated_mid_payment_saves_nothing_and_the_next_requests_work(web):
    person = UserFactory(email="anna.db@example.lv")
    order = OrderFactory(client=own_client(person))
    OrderPartFactory(order=order)
    first = InvoiceFactory(order=order)
    second = InvoiceFactory(
        order=order,
        kind="final",
        amount_net=Decimal("50.00"),
        vat_amount=Decimal("10.50"),
        total=Decimal("60.50"),
    )
    browser = browser_of(person, web)
    invoices = browser.get(f"{web}{reverse('billing:invoice_list')}", timeout=30)
    start = browser.post(
        f"{web}{reverse('billing:pay')}",
        {"invoice": [first.number, second.number], "csrfmiddlewaretoken": csrf_token(invoices)},
        allow_redirects=False,
        timeout=30,
    )
    assert start.status_code == 302
    bank_url = f"{web}{start.headers['Location']}"
    bank = browser.get(bank_url, timeout=30)
    pay = {"action": "pay", "csrfmiddlewaretoken": csrf_token(bank)}

    with psycopg.connect(database_url(), autocommit=True) as watcher:
        # Hold the second invoice: the payment request writes what it can, then waits on it.
        with psycopg.connect(database_url()) as blocker:
            blocker.execute("SELECT id FROM billing_invoice WHERE id = %s FOR UPDATE", [second.pk])
            outcome = {}
            request = threading.Thread(
                target=lambda: outcome.update(
                    response=browser.post(bank_url, pay, allow_redirects=False, timeout=60)
                )
            )
            request.start()
            pid = backend_waiting_on_a_lock(watcher)

            watcher.execute("SELECT pg_terminate_backend(%s)", [pid])
            request.join(60)
            blocker.rollback()

        assert outcome["response"].status_code == 500
        # Nothing of the interrupted request is kept: no payment, no delivery, no notification.
        assert Payment.objects.count() == 0
        assert CallbackDelivery.objects.count() == 0
        assert Notification.objects.count() == 0
        assert PaymentAttempt.objects.get().status == PaymentAttempt.Status.PENDING

        # The next request gets a working connection.
        assert browser.get(f"{web}{reverse('billing:invoice_list')}", timeout=30).status_code == 200

        # Its persistent connection is killed while idle (as by a PostgreSQL restart): the next
        # request still works, because the health check replaces it first.
        [(idle_pid, _)] = web_backends(watcher)
        watcher.execute("SELECT pg_terminate_backend(%s)", [idle_pid])
        deadline = time.monotonic() + 10
        while idle_pid in [pid for pid, _ in web_backends(watcher)]:
            assert time.monotonic() < deadline
            time.sleep(0.05)

        paid = browser.post(bank_url, pay, allow_redirects=False, timeout=30)

    assert paid.status_code == 302
    assert sorted(Payment.objects.values_list("invoice__number", "amount")) == sorted(
        [(first.number, Decimal("13.45")), (second.number, Decimal("60.50"))]
    )
    assert PaymentAttempt.objects.get().status == PaymentAttempt.Status.PAID
