"""The email task: sent after commit only, retried while the mail server fails, sent once."""

import smtplib

import pytest
from django.db import transaction

from notifications.models import Notification
from notifications.services import notify
from notifications.tasks import send_notification_email
from tests.factories import UserFactory
from tests.notifications.flaky_mail import DeadBackend, FlakyBackend

pytestmark = pytest.mark.django_db


@pytest.fixture
def person_client():
    from accounts.models import Client

    return Client.objects.get_or_create_for_person(UserFactory(email="anna@example.lv"))


@pytest.fixture
def eager_retries():
    """Eager retries run one after another only when errors are not propagated at once."""
    from manskonts.celery import app

    app.conf.task_eager_propagates = False
    yield
    app.conf.task_eager_propagates = True


def test_email_is_retried_while_the_mail_server_fails(
    settings, person_client, mailoutbox, eager_retries
):
    settings.EMAIL_BACKEND = "tests.notifications.flaky_mail.FlakyBackend"
    FlakyBackend.attempts = 0
    [pk] = notify(person_client, Notification.Kind.STATUS, "Statuss", "Teksts")

    # apply() runs each retry at once (no countdown), as a worker would after the back-off.
    result = send_notification_email.apply(args=[pk], throw=False)

    assert result.successful()
    assert FlakyBackend.attempts == 3
    assert len(mailoutbox) == 1
    assert Notification.objects.get(pk=pk).emailed_at is not None


def test_email_gives_up_after_the_last_retry_and_stays_unsent(
    settings, person_client, eager_retries
):
    settings.EMAIL_BACKEND = "tests.notifications.flaky_mail.DeadBackend"
    DeadBackend.attempts = 0
    [pk] = notify(person_client, Notification.Kind.STATUS, "Statuss", "Teksts")

    result = send_notification_email.apply(args=[pk], throw=False)

    assert result.failed()
    assert isinstance(result.result, smtplib.SMTPConnectError)
    assert DeadBackend.attempts == send_notification_email.max_retries + 1
    assert Notification.objects.get(pk=pk).emailed_at is None


def test_email_is_sent_once_even_if_the_task_runs_twice(person_client, mailoutbox):
    [pk] = notify(person_client, Notification.Kind.STATUS, "Statuss", "Teksts")

    first = send_notification_email.delay(pk).get()
    second = send_notification_email.delay(pk).get()

    assert (first, second) == (True, False)
    assert len(mailoutbox) == 1


def test_email_task_for_a_gone_notification_does_nothing(mailoutbox):
    assert send_notification_email.delay(987654).get() is False
    assert mailoutbox == []


def test_email_task_queued_after_commit_only(
    person_client, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            notify(person_client, Notification.Kind.STATUS, "Atcelts", "Teksts")
            raise RuntimeError("rolled back")
        notify(person_client, Notification.Kind.STATUS, "Saglabāts", "Teksts")

    assert len(callbacks) == 1
    assert [m.subject for m in mailoutbox] == ["Mans konts: Saglabāts"]
    assert list(Notification.objects.values_list("subject", flat=True)) == ["Saglabāts"]
