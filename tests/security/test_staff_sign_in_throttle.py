"""Attacks on the staff sign-in throttle (docs/security-tests.md "Sessions"; issue 12 point 3).

An attacker guesses a staff member's password at /admin/login/. Ten wrong passwords lock that
username at the attacker's address for five minutes; the staff member at another address still
gets in; parallel guesses get no more password checks than the limit; the lock is logged and the
staff member emailed once; and all of it works with Redis down.
"""

from __future__ import annotations

import logging
import threading
from datetime import timedelta

import pytest
import redis
from django.contrib.auth import SESSION_KEY as AUTH_SESSION_KEY
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.db import connection
from django.test import Client as HttpClient
from django.utils import timezone

from accounts.tasks import send_lockout_email
from manskonts.celery import app
from outbox.models import Message
from tests.factories import StaffFactory
from tests.security.counting_hasher import CountingHasher
from tests.worker import redis_url, reset_connections

ADMIN_LOGIN = "/admin/login/"
WRONG = "wrong-password"
PASSWORD = "clerk-password-123"
LOCKED = "Pārāk daudz neveiksmīgu pieslēgšanās mēģinājumu"
ATTACKER = "203.0.113.66"
VICTIM = "198.51.100.20"


def attempt(http: HttpClient, username: str, password: str = WRONG):
    return http.post(ADMIN_LOGIN, {"username": username, "password": password, "next": "/admin/"})


def from_address(address: str, **extra) -> HttpClient:
    return HttpClient(REMOTE_ADDR=address, **extra)


def signed_in(response) -> bool:
    return AUTH_SESSION_KEY in response.wsgi_request.session


def guess_ten_times(username: str, address: str = ATTACKER, **extra) -> None:
    for _ in range(10):
        attempt(from_address(address, **extra), username)


@pytest.mark.django_db
def test_ten_wrong_passwords_lock_that_username_at_that_address():
    staff = StaffFactory()
    guess_ten_times(staff.username)

    response = attempt(from_address(ATTACKER), staff.username, PASSWORD)

    assert response.status_code == 429
    assert LOCKED in response.content.decode()
    assert "Mēģiniet vēlreiz pēc 5 minūtēm" in response.content.decode()
    assert not signed_in(response)


@pytest.mark.django_db
def test_the_staff_member_at_another_address_still_gets_in_during_an_attack():
    staff = StaffFactory()
    guess_ten_times(staff.username)

    response = attempt(from_address(VICTIM), staff.username, PASSWORD)

    assert response.status_code == 302
    assert signed_in(response)


@pytest.mark.django_db
def test_guessing_other_usernames_does_not_lock_a_colleague_at_the_same_address():
    staff = StaffFactory()
    for n in range(10):
        attempt(from_address(ATTACKER), f"guess{n}")

    response = attempt(from_address(ATTACKER), staff.username, PASSWORD)

    assert response.status_code == 302


@pytest.mark.django_db
def test_nine_failures_still_allow_the_right_password():
    staff = StaffFactory()
    for _ in range(9):
        attempt(from_address(ATTACKER), staff.username)

    assert attempt(from_address(ATTACKER), staff.username, PASSWORD).status_code == 302


@pytest.mark.django_db
def test_the_lock_ends_when_the_cool_off_passes():
    from axes.models import AccessAttempt

    staff = StaffFactory()
    guess_ten_times(staff.username)
    # Five minutes later, as the database sees it.
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=5, seconds=1))

    assert attempt(from_address(ATTACKER), staff.username, PASSWORD).status_code == 302


@pytest.mark.django_db
def test_the_lock_is_logged_and_the_staff_member_emailed_once(
    caplog, django_capture_on_commit_callbacks
):
    staff = StaffFactory(email="dace@vzd.example.lv")
    for _ in range(9):
        attempt(from_address(ATTACKER), staff.username)

    with (
        caplog.at_level(logging.INFO, logger="manskonts.security"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        attempt(from_address(ATTACKER), staff.username)
        attempt(from_address(ATTACKER), staff.username, PASSWORD)
        # The same attack from a second address within the cool-off: logged, no second email.
        guess_ten_times(staff.username, "203.0.113.67")

    locks = [r.getMessage() for r in caplog.records if "staff sign-in locked" in r.getMessage()]
    assert locks == [
        f"staff sign-in locked username={staff.username!r} ip={ATTACKER} failures=10 minutes=5",
        f"staff sign-in locked username={staff.username!r} ip=203.0.113.67 failures=10 minutes=5",
    ]
    assert [(m.to, m.subject) for m in mail.outbox] == [
        (
            ["dace@vzd.example.lv"],
            "Mans konts: pieslēgšanās Jūsu darbinieka kontam uz laiku bloķēta",
        )
    ]
    body = mail.outbox[0].body
    assert f"Jūsu darbinieka kontam „{staff.username}” no adreses {ATTACKER}" in body
    assert "bloķēta uz 5 minūtēm" in body


@pytest.mark.django_db
def test_behind_a_proxy_each_client_address_counts_not_the_proxy(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    staff = StaffFactory()
    guess_ten_times(staff.username, "10.9.9.9", HTTP_X_FORWARDED_FOR=ATTACKER)

    blocked = attempt(
        from_address("10.9.9.9", HTTP_X_FORWARDED_FOR=ATTACKER), staff.username, PASSWORD
    )
    colleague = from_address("10.9.9.9", HTTP_X_FORWARDED_FOR=VICTIM)
    # Forging the header's left entry does not give the attacker a fresh address.
    forged = from_address("10.9.9.9", HTTP_X_FORWARDED_FOR=f"192.0.2.99, {ATTACKER}")

    assert blocked.status_code == 429
    assert attempt(colleague, staff.username, PASSWORD).status_code == 302
    assert attempt(forged, staff.username, PASSWORD).status_code == 429


@pytest.mark.django_db
def test_staff_sign_in_works_and_throttles_with_redis_down(settings):
    # Port 7601 is in this test run's range and nothing listens there.
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:7601/6",
        }
    }
    staff = StaffFactory()

    assert attempt(from_address(VICTIM), staff.username, PASSWORD).status_code == 302
    guess_ten_times(staff.username)
    assert attempt(from_address(ATTACKER), staff.username, PASSWORD).status_code == 429
    assert attempt(from_address(VICTIM), staff.username, PASSWORD).status_code == 302


@pytest.mark.django_db(transaction=True)
def test_forty_parallel_guesses_get_no_more_password_checks_than_the_limit(settings):
    settings.PASSWORD_HASHERS = [
        "tests.security.counting_hasher.CountingHasher",
        "django.contrib.auth.hashers.MD5PasswordHasher",
    ]
    staff = StaffFactory()
    CountingHasher.checked = 0
    start = threading.Barrier(40)
    statuses: list[int] = []

    def guess():
        try:
            http = from_address(ATTACKER)
            start.wait()
            statuses.append(attempt(http, staff.username).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=guess) for _ in range(40)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    checked = CountingHasher.checked

    assert len(statuses) == 40
    assert checked == 10
    assert attempt(from_address(ATTACKER), staff.username, PASSWORD).status_code == 429
    assert attempt(from_address(VICTIM), staff.username, PASSWORD).status_code == 302


class MailServerDown(BaseEmailBackend):
    def send_messages(self, messages):
        raise ConnectionRefusedError("SMTP server down")


@pytest.fixture
def broker_without_worker():
    """Tasks go to real Redis and stay there (no worker), so the emails queue can be read."""
    url = redis_url()
    queue = redis.Redis.from_url(url)
    queue.flushdb()
    saved = {key: app.conf[key] for key in ("broker_url", "result_backend", "task_always_eager")}
    app.conf.update(broker_url=url, result_backend=url, task_always_eager=False)
    reset_connections(app)
    yield queue
    app.conf.update(saved)
    reset_connections(app)
    queue.flushdb()


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_with_the_mail_server_down_the_lockout_email_waits_in_the_queue_not_lost(
    settings, broker_without_worker
):
    """The email was sent from the sign-in request after its commit; with the mail server down it
    was logged and lost. Now the lock queues it (outbox → 'emails'), retried by a worker."""
    settings.EMAIL_BACKEND = f"{__name__}.MailServerDown"
    staff = StaffFactory(email="dace@vzd.example.lv")
    for _ in range(9):
        attempt(from_address(ATTACKER), staff.username)

    locking = attempt(from_address(ATTACKER), staff.username)

    assert locking.status_code in (200, 429)
    [message] = Message.objects.filter(task_name="accounts.tasks.send_lockout_email")
    assert message.is_sent and broker_without_worker.llen("emails") == 1
    # The worker, once the mail server is back:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert send_lockout_email(*message.args) is True
    [email] = mail.outbox
    assert email.to == ["dace@vzd.example.lv"]
    assert f"Jūsu darbinieka kontam „{staff.username}” no adreses {ATTACKER}" in email.body
