"""/healthz reports whether Celery workers answer, against a real worker on real Redis."""

import pytest
from django.urls import reverse

from manskonts import health
from tests.worker import celery_worker, redis_url  # noqa: F401 — fixture

pytestmark = pytest.mark.worker


@pytest.mark.django_db(transaction=True)
def test_healthz_reports_a_live_worker_then_none(client, celery_worker, settings):  # noqa: F811
    settings.REDIS_URL = redis_url()
    health._ping_cache.clear()

    response = client.get(reverse("healthz"))

    assert response.status_code == 200
    assert response.json()["celery"] == {"state": "ok", "workers": 1}

    celery_worker.terminate()
    celery_worker.wait(timeout=20)
    health._ping_cache.clear()

    response = client.get(reverse("healthz"))

    assert response.status_code == 200  # the web worker still serves; the outbox waits
    assert response.json()["celery"] == {"state": "down", "workers": 0}
