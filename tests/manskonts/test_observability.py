"""Health checks and request logs."""

import json
import logging

import pytest
from django.urls import reverse

from manskonts.logformat import JsonFormatter


@pytest.mark.django_db
def test_healthz_is_ok_when_database_and_storage_answer(client):
    response = client.get(reverse("healthz"))

    assert response.status_code == 200
    assert response.json()["checks"]["database"] == "ok"
    assert response.json()["checks"]["storage"] == "ok"
    assert response["Cache-Control"].startswith("max-age=0")


@pytest.mark.django_db
def test_healthz_answers_503_naming_what_is_down(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1

    response = client.get(reverse("healthz"))

    assert response.status_code == 503
    assert response.json() == {
        "status": "down",
        "checks": {"database": "ok", "redis": "down", "storage": "ok"},
        "celery": {"state": "eager", "workers": 0},
        "purge": {"last_started_at": None, "last_finished_at": None},
        "outbox": {"pending": 0, "oldest_pending_at": None},
        "replicas": {},
    }


@pytest.mark.django_db
def test_healthz_reports_a_storage_failure(client, settings, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the storage expects a folder")
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(blocker / "media")},
        },
    }

    response = client.get(reverse("healthz"))

    assert (response.status_code, response.json()["checks"]["storage"]) == (503, "down")


@pytest.mark.django_db
def test_healthz_writes_nothing_to_storage(client, settings, tmp_path):
    """Issue 11, point 9: every call used to save and delete an object under healthz/."""
    media = tmp_path / "media"
    media.mkdir()
    settings.MEDIA_ROOT = str(media)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(media)},
        },
    }

    response = client.get(reverse("healthz"))

    assert list(media.iterdir()) == []  # not even an empty healthz/ folder
    assert response.json()["checks"]["storage"] == "ok"


@pytest.mark.django_db
def test_healthz_says_tasks_run_eagerly_without_a_broker(client):
    response = client.get(reverse("healthz"))

    assert response.json()["celery"] == {"state": "eager", "workers": 0}


@pytest.mark.django_db
def test_healthz_reports_when_the_purge_last_ran(client, owner):
    from documents.services import purge_expired_files

    assert response_purge(client) == {"last_started_at": None, "last_finished_at": None}
    purge_expired_files()

    purge = response_purge(client)
    assert purge["last_started_at"] is not None
    assert purge["last_finished_at"] >= purge["last_started_at"]


@pytest.mark.django_db
def test_healthz_reports_the_tasks_waiting_for_the_broker(client):
    from datetime import datetime, timedelta

    from django.utils import timezone

    from outbox.models import Message

    email = "notifications.tasks.send_notification_email"
    oldest = (timezone.now() - timedelta(minutes=7)).replace(microsecond=0)  # JSON keeps ms
    Message.objects.create(task_name=email, args=[1], created_at=oldest)
    Message.objects.create(task_name=email, args=[2])
    Message.objects.create(task_name=email, args=[3], sent_at=timezone.now())

    backlog = client.get(reverse("healthz")).json()["outbox"]

    assert backlog["pending"] == 2
    assert datetime.fromisoformat(backlog["oldest_pending_at"]) == oldest


def response_purge(client) -> dict:
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    return response.json()["purge"]


@pytest.mark.django_db
def test_one_log_line_per_request_with_ids_but_no_personal_code(signed_in, owner, caplog):
    http = signed_in(owner)

    with caplog.at_level(logging.INFO, logger="manskonts.request"):
        response = http.get(reverse("overview"), {"q": owner.personal_code})

    [record] = [r for r in caplog.records if r.name == "manskonts.request"]
    line = JsonFormatter().format(record)
    entry = json.loads(line)
    assert (entry["status"], entry["user_id"], entry["route"]) == (200, owner.pk, "mans-konts/")
    assert entry["request_id"] == response["X-Request-ID"]
    assert owner.personal_code not in line
