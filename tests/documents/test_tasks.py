"""The beat schedule names real tasks, and the idempotent ones survive a lost worker."""

import pytest
from django.conf import settings

from manskonts.celery import app


@pytest.mark.parametrize("entry", sorted(settings.CELERY_BEAT_SCHEDULE))
def test_beat_schedule_names_a_registered_task(entry):
    app.loader.import_default_modules()

    assert settings.CELERY_BEAT_SCHEDULE[entry]["task"] in app.tasks


@pytest.mark.parametrize(
    "name",
    [
        "documents.tasks.purge_expired_files",
        "documents.tasks.remind_expiring_files",
        "notifications.tasks.send_notification_email",
    ],
)
def test_idempotent_tasks_are_acknowledged_late_and_rejected_on_worker_loss(name):
    app.loader.import_default_modules()
    task = app.tasks[name]

    assert (task.acks_late, task.reject_on_worker_lost) == (True, True)


def test_redis_visibility_timeout_exceeds_the_longest_task():
    timeout = settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]

    assert timeout > settings.CELERY_TASK_TIME_LIMIT
