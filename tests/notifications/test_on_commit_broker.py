"""On real Redis: a task triggered inside a transaction that rolls back never reaches the broker;
one triggered in a committed transaction does, exactly once, on its queue (through the outbox)."""

import pytest
import redis
from django.db import transaction

from accounts.models import Client
from manskonts.celery import app
from notifications.models import Notification
from notifications.services import notify
from outbox.models import Message
from tests.factories import UserFactory
from tests.worker import redis_url, reset_connections

pytestmark = pytest.mark.worker


@pytest.fixture
def broker_without_worker():
    """Tasks go to Redis and stay there: nothing consumes them, so the queue can be counted."""
    url = redis_url()
    connection = redis.Redis.from_url(url)
    connection.flushdb()
    saved = {key: app.conf[key] for key in ("broker_url", "result_backend", "task_always_eager")}
    app.conf.update(broker_url=url, result_backend=url, task_always_eager=False)
    reset_connections(app)
    yield lambda: connection.llen("emails")
    app.conf.update(saved)
    reset_connections(app)
    connection.flushdb()


@pytest.mark.django_db(transaction=True)
def test_task_of_a_rolled_back_transaction_is_never_sent(reference_data, broker_without_worker):
    queued = broker_without_worker
    client = Client.objects.get_or_create_for_person(UserFactory(email="anna@example.lv"))

    with pytest.raises(RuntimeError), transaction.atomic():
        notify(client, Notification.Kind.STATUS, "Atcelts", "Teksts")
        assert queued() == 0
        raise RuntimeError("rolled back")

    assert queued() == 0
    assert Notification.objects.count() == 0
    assert Message.objects.count() == 0

    with transaction.atomic():
        notify(client, Notification.Kind.STATUS, "Saglabāts", "Teksts")
        assert queued() == 0  # not before the commit either

    assert queued() == 1
    assert Message.objects.get().is_sent
