"""The transactional outbox: background tasks are written to the database in the caller's
transaction and published to Celery once it commits, or by the minute sweep while the broker is
down. The lowest layer: it imports nothing of the project, only Django and Celery.

    from outbox import send_task
    send_task("notifications.tasks.send_notification_email", args=[notification.pk])

Every task sent this way must tolerate being delivered twice (the relay is at-least-once).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from outbox.models import Message


def send_task(
    name: str,
    args: Sequence[Any] = (),
    kwargs: dict[str, Any] | None = None,
    *,
    queue: str | None = None,
) -> Message | None:
    """Send a Celery task once the current transaction commits; see `outbox.relay.send_task`."""
    # Imported here, not at the top: this package is loaded with INSTALLED_APPS, before models.
    from outbox.relay import send_task as send

    return send(name, args, kwargs, queue=queue)
