"""Redis (broker, results and cache) stopped or paused under the pages that need it, then back.

Each test runs its own redis-server (tests/redis_server.py) and a real Celery worker on it: what a
page could not hand to the broker waits in the outbox, and the minute sweep (sent here as beat
would send it) gets it done once, after Redis answers again.
"""

from __future__ import annotations

import json
import threading
import time

import pytest
import redis
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connections
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone

from accounts.roles import ACCOUNTANT
from billing.models import BankStatement, Payment
from eservices.models import ExportJob
from manskonts.celery import app
from notifications.models import Notification
from outbox.models import Message
from outbox.relay import relay_pending
from tests.billing.helpers import camt053
from tests.factories import (
    EServiceFactory,
    InvoiceFactory,
    LegalClientFactory,
    MembershipFactory,
    OrderFactory,
    OrderPartFactory,
    StaffFactory,
    UserFactory,
    own_client,
)
from tests.redis_server import broker, own_redis  # noqa: F401 — fixtures
from tests.worker import running_worker

pytestmark = [pytest.mark.fault, pytest.mark.worker]

EMAIL = "notifications.tasks.send_notification_email"
BUILD_EXPORT = "eservices.tasks.build_export"
HANG = 10  # seconds: a bound that only a hang exceeds, not a speed target


@pytest.fixture
def redis_everywhere(broker, settings):  # noqa: F811
    """Broker, results and cache all on the test's own Redis, as production has them."""
    settings.CACHES = {
        "default": {
            "BACKEND": "manskonts.cache.RedisCache",
            "LOCATION": broker.url,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    return broker


def sweep() -> int:
    """One outbox sweep on the worker, as beat sends it every minute; how many it published."""
    return app.send_task("outbox.tasks.relay_pending").get(timeout=30)


def wait_for(condition, timeout: float = 30) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return condition()


def answered(request, server):
    """The response of `request()`, run in a thread; fails the test if it hangs past HANG."""
    outcome = {}

    def run():
        try:
            outcome["response"] = request()
        except Exception as error:  # reported below, in the test's thread
            outcome["error"] = error
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(HANG)
    if thread.is_alive():
        server.resume()
        thread.join(30)
        pytest.fail(f"The request hung for more than {HANG} s on a paused broker.")
    if "error" in outcome:
        raise outcome["error"]
    return outcome["response"]


@pytest.mark.django_db(transaction=True)
def test_broker_down_a_demo_bank_payment_is_recorded_and_emailed_once_redis_is_back(
    reference_data, redis_everywhere, signed_in, tmp_path
):
    person = UserFactory(email="anna.outage@example.lv")
    order = OrderFactory(client=own_client(person))
    OrderPartFactory(order=order)
    invoice = InvoiceFactory(order=order)
    http = signed_in(person)
    start = http.post(reverse("billing:pay"), {"invoice": invoice.number})
    redis_everywhere.stop()

    paid = http.post(start.url, {"action": "pay"})

    assert paid.status_code == 302
    assert http.get(paid.url).status_code == 200
    assert Payment.objects.filter(invoice=invoice).count() == 1
    notification = Notification.objects.get(kind=Notification.Kind.PAYMENT)
    assert notification.emailed_at is None
    [email] = Message.objects.filter(task_name=EMAIL)
    assert (email.args, email.is_sent) == ([notification.pk], False)

    redis_everywhere.start()
    log = tmp_path / "worker.log"
    with running_worker(redis_everywhere.url, output=log):
        assert sweep() == 1
        assert wait_for(lambda: Notification.objects.get(pk=notification.pk).emailed_at)
        assert sweep() == 0

    assert Message.objects.get(pk=email.pk).is_sent
    assert log.read_text().count("To: anna.outage@example.lv") == 1


@pytest.mark.django_db(transaction=True)
def test_broker_down_a_large_export_is_queued_once_redis_is_back(
    reference_data, redis_everywhere, signed_in, settings
):
    settings.ESERVICE_EXPORT_DIRECT_LIMIT = 3
    legal = LegalClientFactory(registration_number="40003517893")
    admin = MembershipFactory(client=legal, role="admin").user
    for _ in range(8):
        EServiceFactory(client=legal, received_at=timezone.now(), status="completed")
    http = signed_in(admin, acting_for=legal)
    redis_everywhere.stop()

    response = http.post(reverse("eservices:report_export"), follow=True)

    job = ExportJob.objects.get()
    assert response.status_code == 200
    assert "Atskaite tiks sagatavota, tiklīdz tas būs pieejams" in response.content.decode()
    assert job.state == ExportJob.State.PENDING
    [message] = Message.objects.filter(task_name=BUILD_EXPORT)
    assert (message.args, message.is_sent) == ([str(job.pk)], False)

    redis_everywhere.start()
    assert relay_pending() == 1  # what the minute sweep does, here in this process
    [queued] = redis.Redis.from_url(redis_everywhere.url).lrange("exports", 0, -1)
    assert json.loads(queued)["headers"]["id"] == str(message.task_id)


@pytest.mark.django_db(transaction=True)
def test_broker_down_an_uploaded_bank_statement_is_saved_and_queued_once_redis_is_back(
    reference_data, redis_everywhere
):
    accountant = StaffFactory()
    accountant.groups.set([Group.objects.get(name=ACCOUNTANT)])
    http = HttpClient()
    http.force_login(accountant)
    content = camt053("STMT-OUTAGE", [("1", "13.45", "2026-06-19", "bez rēķina numura")])
    redis_everywhere.stop()

    response = http.post(
        reverse("admin:billing_bankstatement_add"),
        {"xml_file": SimpleUploadedFile("izraksts.xml", content, "application/xml")},
    )

    statement = BankStatement.objects.get()
    assert response.status_code == 302
    assert statement.state == BankStatement.State.QUEUED
    page = http.get(response.url).content.decode()
    assert "imports sāksies, tiklīdz tas būs pieejams" in page
    [message] = Message.objects.filter(task_name="billing.tasks.import_bank_statement")
    assert (message.args, message.is_sent) == ([statement.pk], False)

    redis_everywhere.start()
    assert relay_pending() == 1
    [queued] = redis.Redis.from_url(redis_everywhere.url).lrange("maintenance", 0, -1)
    assert json.loads(queued)["headers"]["id"] == str(message.task_id)
    assert "imports sāksies" not in http.get(response.url).content.decode()


@pytest.mark.django_db(transaction=True)
def test_broker_paused_the_export_answers_and_the_job_runs_once_after_resume(
    reference_data, redis_everywhere, signed_in, settings, monkeypatch, tmp_path
):
    monkeypatch.setenv("MEDIA_ROOT", str(settings.MEDIA_ROOT))  # the worker stores it there
    settings.ESERVICE_EXPORT_DIRECT_LIMIT = 3
    legal = LegalClientFactory(registration_number="40003517893")
    admin = MembershipFactory(client=legal, role="admin").user
    for _ in range(8):
        EServiceFactory(client=legal, received_at=timezone.now(), status="completed")
    http = signed_in(admin, acting_for=legal)
    log = tmp_path / "worker.log"
    with running_worker(redis_everywhere.url, output=log):
        redis_everywhere.pause()

        response = answered(
            lambda: http.post(reverse("eservices:report_export"), follow=True), redis_everywhere
        )

        job = ExportJob.objects.get()
        assert response.status_code == 200
        assert response.redirect_chain == [(reverse("eservices:export", args=[job.pk]), 302)]
        assert "Atskaite tiks sagatavota, tiklīdz tas būs pieejams" in response.content.decode()
        assert job.state == ExportJob.State.PENDING
        assert not Message.objects.get(task_name=BUILD_EXPORT).is_sent

        redis_everywhere.resume()
        assert sweep() == 1
        assert wait_for(lambda: ExportJob.objects.get(pk=job.pk).state == ExportJob.State.DONE)
        assert sweep() == 0
        page = http.get(reverse("eservices:export", args=[job.pk])).content.decode()

    assert "Atskaite tiks sagatavota" not in page
    assert Notification.objects.filter(kind=Notification.Kind.EXPORT_READY).count() == 1
    runs = [line for line in log.read_text().splitlines() if f"{BUILD_EXPORT}[" in line]
    assert len([line for line in runs if "succeeded" in line]) == 1
