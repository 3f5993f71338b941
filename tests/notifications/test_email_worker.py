"""Notification emails go through a real Celery worker on real Redis."""

import time

import pytest

from accounts.models import Client
from notifications.models import Notification
from notifications.services import notify
from tests.factories import UserFactory
from tests.worker import celery_worker  # noqa: F401 — fixture

pytestmark = pytest.mark.worker


@pytest.mark.django_db(transaction=True)
def test_notification_email_is_sent_by_the_worker_after_commit(celery_worker):  # noqa: F811
    client = Client.objects.get_or_create_for_person(UserFactory(email="anna@example.lv"))

    [notification_id] = notify(client, Notification.Kind.STATUS, "Statuss", "Teksts")

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if Notification.objects.get(pk=notification_id).emailed_at is not None:
            break
        time.sleep(0.2)
    assert Notification.objects.get(pk=notification_id).emailed_at is not None
