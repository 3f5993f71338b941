"""Publishing outbox messages to Celery: right after the commit that wrote them, else by the sweep.

`send_task` writes a row in the caller's transaction; nothing reaches the broker if that
transaction rolls back. Once it commits, `relay` tries to publish the row at once, with the short
broker time-outs of the settings (CELERY_BROKER_* and the transport's socket time-outs), so a page
never waits on a broker that is down or paused: the row stays and `relay_pending` (the beat sweep,
every minute) publishes it when the broker answers. Rows are locked with SKIP LOCKED while
published, so two sweepers, or a sweeper and the after-commit relay, never send one row twice.

Delivery is at least once: a publish that reached the broker just before the database lost the
"sent" mark is published again, with the same task id. Every task sent here must be idempotent.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from datetime import timedelta
from functools import partial
from typing import Any

from celery import current_app
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from kombu.exceptions import OperationalError

from outbox.models import Message

log = logging.getLogger(__name__)

# One attempt per publish: a message that fails stays in the outbox for the next sweep, so
# retrying inside a web request would only make the page wait longer.
RETRY_POLICY = {"max_retries": 0, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}
# What a broker that is down, paused or unreachable raises through kombu (it wraps the transport's
# connection errors in OperationalError); the sweep stops there rather than wait on every row.
BROKER_DOWN = (OperationalError, OSError)
SWEEP_BATCH = 100
KEEP_SENT = timedelta(days=7)
# After a failed publish this process leaves new messages to the sweep for a while instead of
# trying each one: a transaction that wrote ten messages waits for the broker once, not ten times.
PAUSE_AFTER_FAILURE = 10.0
_broker_failed_at: float | None = None


def broker_recently_failed() -> bool:
    return (
        _broker_failed_at is not None and time.monotonic() - _broker_failed_at < PAUSE_AFTER_FAILURE
    )


def _note_broker(ok: bool) -> None:
    global _broker_failed_at
    _broker_failed_at = None if ok else time.monotonic()


def forget_broker_failure() -> None:
    """Try the broker again at the next message (the tests' fresh start; a sweep's success)."""
    _note_broker(ok=True)


def send_task(
    name: str,
    args: Sequence[Any] = (),
    kwargs: dict[str, Any] | None = None,
    *,
    queue: str | None = None,
) -> Message | None:
    """Send Celery task `name` once the current transaction commits (at once outside one).

    With a broker: store it in the outbox now and publish it after the commit; returns the stored
    message (`is_sent` tells whether the publish after commit succeeded). Without one (tasks run
    eagerly: no REDIS_URL, and most tests): run the task in this process after the commit, as
    `delay_on_commit` would; nothing is stored and None is returned.
    """
    app = current_app
    task = registered_task(name)
    args, kwargs = list(args), dict(kwargs or {})
    if app.conf.task_always_eager:
        transaction.on_commit(lambda: task.apply_async(args, kwargs))
        return None
    message = Message.objects.create(
        task_name=name, args=args, kwargs=kwargs, queue=queue or routed_queue(name, args, kwargs)
    )
    transaction.on_commit(partial(relay, message))
    return message


def registered_task(name: str):
    """The task called `name`; a typo fails in the caller, not later in a worker."""
    app = current_app
    if name not in app.tasks:
        # Web processes import the apps' tasks modules only when asked; a worker does at start.
        app.loader.import_default_modules()
    if name not in app.tasks:
        raise LookupError(f"No Celery task is registered as {name!r}.")
    return app.tasks[name]


def routed_queue(name: str, args: list, kwargs: dict) -> str:
    """The queue CELERY_TASK_ROUTES gives this task (the default queue when no route matches)."""
    app = current_app
    route = app.amqp.router.route({}, name, args, kwargs)
    queue = route.get("queue")
    return getattr(queue, "name", queue) or app.conf.task_default_queue


def publish(message: Message, producer=None) -> None:
    """Publish one locked row to the broker and mark it sent; raises when the broker fails."""
    current_app.send_task(
        message.task_name,
        args=message.args,
        kwargs=message.kwargs,
        task_id=str(message.task_id),
        queue=message.queue or None,
        producer=producer,
        # Nobody waits on the result of an outbox task; asking for one would also subscribe to
        # the result backend, a second Redis round trip that can wait.
        ignore_result=True,
        retry=True,
        retry_policy=RETRY_POLICY,
    )
    _note_broker(ok=True)
    message.sent_at = timezone.now()
    message.attempts += 1
    message.last_error = ""
    message.save(update_fields=["sent_at", "attempts", "last_error"])


def describe(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"[:1000]


def relay(message: Message) -> None:
    """Publish one just-committed message, unless the sweep is at it or has done it.

    Runs after the commit of the caller's transaction, so it never raises: whatever fails here
    (broker, network, even the database), the row is committed and the sweep publishes it later.
    Shortly after a broker failure in this process it does not even try (PAUSE_AFTER_FAILURE).
    """
    if broker_recently_failed():
        log.info("outbox message %s (%s) left for the sweep", message.pk, message.task_name)
        return
    try:
        with transaction.atomic():
            row = (
                Message.objects.pending()
                .select_for_update(skip_locked=True)
                .filter(pk=message.pk)
                .first()
            )
            if row is None:
                return
            publish(row)
        message.sent_at, message.attempts, message.last_error = row.sent_at, row.attempts, ""
    except Exception as error:  # the page must not fail after its commit; the sweep retries
        if isinstance(error, BROKER_DOWN):
            _note_broker(ok=False)
        message.last_error = describe(error)
        log.warning(
            "outbox message %s (%s) not published, left for the sweep: %s",
            message.pk,
            message.task_name,
            message.last_error,
        )
        try:
            Message.objects.filter(pk=message.pk, sent_at__isnull=True).update(
                attempts=F("attempts") + 1, last_error=message.last_error
            )
        except Exception:  # the database is down as well: the row still waits, unmarked
            log.warning("outbox message %s: failure not recorded", message.pk, exc_info=True)


def relay_pending(limit: int = 1000) -> int:
    """Publish unsent messages, oldest first, until the broker fails; returns how many were sent.

    Rows another sweeper (or an after-commit relay) holds are skipped, never sent twice. A broker
    failure ends the sweep (the next one retries); any other failure of one row is recorded on it
    and the sweep goes on with the rest. Sent rows older than KEEP_SENT are deleted.
    """
    Message.objects.filter(sent_at__lt=timezone.now() - KEEP_SENT).delete()
    sent = 0
    broker_down = False
    with current_app.producer_or_acquire() as producer:
        while sent < limit and not broker_down:
            with transaction.atomic():
                batch = list(
                    Message.objects.pending()
                    .select_for_update(skip_locked=True)
                    .order_by("created_at", "id")[: min(SWEEP_BATCH, limit - sent)]
                )
                if not batch:
                    break
                for message in batch:
                    try:
                        publish(message, producer)
                    except Exception as error:  # recorded on the row; see BROKER_DOWN
                        message.attempts += 1
                        message.last_error = describe(error)
                        message.save(update_fields=["attempts", "last_error"])
                        log.warning(
                            "outbox sweep: message %s (%s) not published: %s",
                            message.pk,
                            message.task_name,
                            message.last_error,
                        )
                        if isinstance(error, BROKER_DOWN):
                            _note_broker(ok=False)
                            broker_down = True
                            break
                    else:
                        sent += 1
            if len(batch) < SWEEP_BATCH:
                break
    if sent or broker_down:
        log.info("outbox sweep: %s sent, broker down: %s", sent, broker_down)
    return sent
