"""The transactional outbox on real PostgreSQL and a real Redis of the test's own (no worker: the
tests read the queues). Outages are the `fault` tests; tests/faults/ runs whole pages through them."""

from __future__ import annotations

import base64
import json
import threading
from datetime import timedelta

import psycopg
import pytest
import redis
from django.db import connections, transaction
from django.utils import timezone

from outbox import send_task
from outbox.models import Message
from outbox.relay import relay_pending
from tests.redis_server import broker, own_redis  # noqa: F401 — fixtures
from tests.worker import database_url

EMAIL = "notifications.tasks.send_notification_email"


def queued(server, queue: str = "emails") -> list[dict]:
    """The messages waiting on a queue, oldest first: their task name, id and arguments."""
    raw = redis.Redis.from_url(server.url).lrange(queue, 0, -1)
    return [
        {
            "task": m["headers"]["task"],
            "id": m["headers"]["id"],
            "args": json.loads(base64.b64decode(m["body"]))[0],
        }
        for m in map(json.loads, reversed(raw))
    ]


@pytest.mark.django_db(transaction=True)
def test_message_is_published_on_its_queue_once_the_transaction_commits(broker):  # noqa: F811
    with transaction.atomic():
        message = send_task(EMAIL, args=[41])
        assert queued(broker) == []

    stored = Message.objects.get()
    assert (stored.task_name, stored.args, stored.queue, stored.attempts) == (
        EMAIL,
        [41],
        "emails",
        1,
    )
    assert message.is_sent and stored.is_sent
    assert queued(broker) == [{"task": EMAIL, "id": str(stored.task_id), "args": [41]}]


@pytest.mark.django_db(transaction=True)
def test_message_of_a_rolled_back_transaction_is_neither_kept_nor_sent(broker):  # noqa: F811
    with pytest.raises(RuntimeError), transaction.atomic():
        send_task(EMAIL, args=[41])
        raise RuntimeError("rolled back")

    assert Message.objects.count() == 0
    assert queued(broker) == []
    assert relay_pending() == 0


@pytest.mark.fault
@pytest.mark.django_db(transaction=True)
def test_broker_down_at_commit_keeps_the_message_until_the_sweep_sends_it(broker):  # noqa: F811
    broker.stop()

    with transaction.atomic():
        message = send_task(EMAIL, args=[41])

    stored = Message.objects.get()
    assert not message.is_sent and not stored.is_sent
    assert stored.attempts == 1
    assert "Connection refused" in stored.last_error
    assert relay_pending() == 0  # still down: tried, recorded, nothing lost
    assert Message.objects.get().attempts == 2

    broker.start()
    assert relay_pending() == 1
    assert relay_pending() == 0
    assert queued(broker) == [{"task": EMAIL, "id": str(stored.task_id), "args": [41]}]
    stored.refresh_from_db()
    assert (stored.is_sent, stored.last_error) == (True, "")


@pytest.mark.fault
@pytest.mark.django_db(transaction=True)
def test_after_a_failed_publish_the_same_transactions_other_messages_wait_for_the_sweep(broker):  # noqa: F811
    """With the broker paused, a transaction with five messages waits for it once, not five times."""
    broker.pause()

    with transaction.atomic():
        for pk in range(5):
            send_task(EMAIL, args=[pk])

    assert list(Message.objects.order_by("id").values_list("attempts", "sent_at")) == [
        (1, None),
        (0, None),
        (0, None),
        (0, None),
        (0, None),
    ]
    broker.resume()
    assert relay_pending() == 5
    assert [m["args"] for m in queued(broker)] == [[0], [1], [2], [3], [4]]


@pytest.mark.django_db(transaction=True)
def test_a_message_another_sweeper_holds_is_skipped_not_sent_twice(broker):  # noqa: F811
    pending = Message.objects.create(task_name=EMAIL, args=[41], queue="emails")
    with psycopg.connect(database_url()) as other:
        other.execute("SELECT id FROM outbox_message WHERE id = %s FOR UPDATE", [pending.pk])

        assert relay_pending() == 0
        assert queued(broker) == []

    assert relay_pending() == 1
    assert len(queued(broker)) == 1


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_send_every_message_exactly_once(broker):  # noqa: F811
    Message.objects.bulk_create(
        Message(task_name=EMAIL, args=[pk], queue="emails") for pk in range(250)
    )
    counts = []
    start = threading.Barrier(2)

    def sweep():
        try:
            start.wait()
            counts.append(relay_pending())
        finally:
            connections.close_all()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sum(counts) == 250
    assert sorted(m["args"] for m in queued(broker)) == [[pk] for pk in range(250)]
    assert Message.objects.pending().count() == 0


@pytest.mark.django_db(transaction=True)
def test_sweep_deletes_messages_sent_more_than_a_week_ago(broker):  # noqa: F811
    now = timezone.now()
    Message.objects.create(task_name=EMAIL, sent_at=now - timedelta(days=8))
    recent = Message.objects.create(task_name=EMAIL, sent_at=now - timedelta(days=6))
    waiting = Message.objects.create(
        task_name=EMAIL, args=[1], queue="emails", created_at=now - timedelta(days=30)
    )

    assert relay_pending() == 1

    assert set(Message.objects.values_list("pk", flat=True)) == {recent.pk, waiting.pk}


@pytest.mark.django_db(transaction=True)
def test_without_a_broker_the_task_runs_in_process_after_commit_and_nothing_is_stored(
    mailoutbox, reference_data
):
    from accounts.models import Client
    from notifications.models import Notification
    from tests.factories import UserFactory

    client = Client.objects.get_or_create_for_person(UserFactory(email="anna@example.lv"))
    notification = Notification.objects.create(
        client=client, recipient=client.person, kind="status", subject="Statuss", body="Teksts"
    )

    with transaction.atomic():
        assert send_task(EMAIL, args=[notification.pk]) is None
        assert mailoutbox == []

    assert len(mailoutbox) == 1
    assert Message.objects.count() == 0


def test_an_unknown_task_name_fails_in_the_caller():
    with pytest.raises(LookupError):
        send_task("notifications.tasks.send_notificaton_email", args=[1])
