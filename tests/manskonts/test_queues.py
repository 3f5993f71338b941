"""Separate queues for exports, emails and maintenance, each with its own workers in the
production-like stack, and every queue consumed by somebody."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from django.conf import settings

from outbox.relay import routed_queue

ROOT = Path(__file__).resolve().parents[2]


def compose_services() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]


def consumed_queues(command: list[str]) -> set[str]:
    """The queues a `celery worker` command line consumes (-Q), or the default one."""
    if "-Q" in command:
        return set(command[command.index("-Q") + 1].split(","))
    return {settings.CELERY_TASK_DEFAULT_QUEUE}


def workers() -> dict[str, set[str]]:
    return {
        name: consumed_queues(service["command"])
        for name, service in compose_services().items()
        if service.get("command", [])[:4] == ["celery", "-A", "manskonts", "worker"]
    }


@pytest.mark.parametrize(
    ("task", "queue"),
    [
        ("eservices.tasks.build_export", "exports"),
        ("eservices.tasks.recover_exports", "exports"),
        ("notifications.tasks.send_notification_email", "emails"),
        ("conversations.tasks.email_staff_of_message", "emails"),
        ("documents.tasks.purge_expired_files", "maintenance"),
        ("documents.tasks.remind_expiring_files", "maintenance"),
        ("billing.tasks.import_statement", "maintenance"),
        ("outbox.tasks.relay_pending", "maintenance"),
    ],
)
def test_each_kind_of_work_has_its_queue(task, queue):
    assert routed_queue(task, [], {}) == queue


def test_compose_runs_one_worker_per_queue_and_every_queue_is_consumed():
    queues = {route["queue"] for route in settings.CELERY_TASK_ROUTES.values()}
    consumers = workers()

    assert queues == {"exports", "emails", "maintenance"}
    for queue in queues:
        assert [name for name, consumed in consumers.items() if queue in consumed] == [
            f"worker-{queue}"
        ]
    assert any(settings.CELERY_TASK_DEFAULT_QUEUE in consumed for consumed in consumers.values())


def test_compose_runs_exactly_one_beat():
    beats = [
        name
        for name, service in compose_services().items()
        if service.get("command", [])[:4] == ["celery", "-A", "manskonts", "beat"]
    ]
    assert beats == ["beat"]
    assert compose_services()["beat"]["deploy"]["replicas"] == 1


def test_make_worker_consumes_every_queue():
    recipe = re.search(r"^worker:.*\n\t(.+)$", (ROOT / "Makefile").read_text(), re.M).group(1)
    queues = {route["queue"] for route in settings.CELERY_TASK_ROUTES.values()}

    assert recipe.split()[1:4] == ["-A", "manskonts", "worker"]
    assert consumed_queues(recipe.split()) == queues | {settings.CELERY_TASK_DEFAULT_QUEUE}
