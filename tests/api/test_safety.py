"""Rate limits per token, Idempotency-Key on POST, and the notifications feed with acknowledge."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client as HttpClient
from django.utils import timezone

from api.models import IdempotentRequest
from notifications.models import Notification
from tests.api.helpers import api_get, make_token

pytestmark = pytest.mark.django_db


def post(token, path, key=None, data=None):
    headers = {"Authorization": f"Bearer {token}"}
    if key is not None:
        headers["Idempotency-Key"] = key
    return HttpClient().post(
        path, data=data or {}, content_type="application/json", headers=headers
    )


@pytest.fixture
def inbox(owner, owner_client):
    return [
        Notification.objects.create(
            client=owner_client, recipient=owner, kind="status", subject=f"Nr. {n}", body="…"
        )
        for n in range(3)
    ]


def test_over_the_rate_limit_is_429_with_retry_after_for_that_token_only(
    settings, monkeypatch, owner, owner_client
):
    settings.API_RATE_LIMIT = 3
    # 30 s into a minute, for every request of the test: no window boundary falls between them.
    monkeypatch.setattr("api.auth.time.time", lambda: 1_800_000_030.0)
    token = make_token(owner_client, owner)
    other = make_token(owner_client, owner, name="Cita")

    answers = [api_get(token, "/api/v1/invoices").status_code for _ in range(4)]
    refused = api_get(token, "/api/v1/invoices")

    assert answers == [200, 200, 200, 429]
    assert refused["Content-Type"] == "application/problem+json"
    assert refused.json()["code"] == "rate_limited"
    assert refused["Retry-After"] == "30"
    assert api_get(other, "/api/v1/invoices").status_code == 200


def test_the_feed_lists_and_acknowledge_marks_read(owner, owner_client, inbox):
    token = make_token(owner_client, owner)

    feed = api_get(token, "/api/v1/notifications?sort=created&unacknowledged=true").json()
    acked = post(token, f"/api/v1/notifications/{inbox[0].pk}/acknowledge")
    after = api_get(token, "/api/v1/notifications?sort=created&unacknowledged=true").json()

    assert [n["id"] for n in feed["items"]] == [n.pk for n in inbox]
    assert acked.status_code == 200
    assert acked.json()["acknowledged_at"] is not None
    assert [n["id"] for n in after["items"]] == [n.pk for n in inbox[1:]]
    inbox[0].refresh_from_db()
    assert inbox[0].read_at is not None


def test_the_feed_pages_with_a_cursor(owner, owner_client, inbox):
    token = make_token(owner_client, owner)

    first = api_get(token, "/api/v1/notifications?sort=created&limit=2").json()
    second = api_get(
        token, f"/api/v1/notifications?sort=created&limit=2&cursor={first['next_cursor']}"
    ).json()

    assert [n["id"] for n in first["items"] + second["items"]] == [n.pk for n in inbox]
    assert second["next_cursor"] is None


def test_another_persons_notification_is_404(owner, owner_client, outsider, inbox):
    token = make_token(owner_client, owner)
    theirs = Notification.objects.create(
        client=owner_client, recipient=outsider, kind="status", subject="x", body="x"
    )

    response = post(token, f"/api/v1/notifications/{theirs.pk}/acknowledge")

    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_the_same_key_and_body_get_the_same_answer_again(owner, owner_client, inbox):
    token = make_token(owner_client, owner)
    url = f"/api/v1/notifications/{inbox[0].pk}/acknowledge"

    first = post(token, url, key="k-1")
    Notification.objects.filter(pk=inbox[0].pk).update(read_at=None)  # as if read elsewhere undone
    again = post(token, url, key="k-1")

    assert again.status_code == first.status_code == 200
    assert again.content == first.content
    assert again["Idempotent-Replayed"] == "true"
    # The replay did nothing: the notification stays as it was made meanwhile.
    assert Notification.objects.get(pk=inbox[0].pk).read_at is None
    assert IdempotentRequest.objects.count() == 1


def test_the_same_key_with_another_request_is_422(owner, owner_client, inbox):
    token = make_token(owner_client, owner)
    post(token, f"/api/v1/notifications/{inbox[0].pk}/acknowledge", key="k-2")

    response = post(token, f"/api/v1/notifications/{inbox[1].pk}/acknowledge", key="k-2")

    assert response.status_code == 422
    assert response.json()["code"] == "idempotency_key_reused"
    inbox[1].refresh_from_db()
    assert inbox[1].read_at is None


def test_keys_are_per_token_and_kept_24_hours(owner, owner_client, inbox):
    token = make_token(owner_client, owner)
    other = make_token(owner_client, owner, name="Cita")
    url = f"/api/v1/notifications/{inbox[0].pk}/acknowledge"
    post(token, url, key="k-3")

    assert "Idempotent-Replayed" not in post(other, url, key="k-3")
    IdempotentRequest.objects.update(created_at=timezone.now() - timedelta(hours=25))
    assert "Idempotent-Replayed" not in post(token, url, key="k-3")


def test_an_overlong_key_is_400(owner, owner_client, inbox):
    token = make_token(owner_client, owner)

    response = post(token, f"/api/v1/notifications/{inbox[0].pk}/acknowledge", key="x" * 256)

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_idempotency_key"
