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
