"""Demo identity provider, session rotation, server-side sign-out and the 30-minute idle timeout."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth import SESSION_KEY as AUTH_SESSION_KEY
from django.contrib.sessions.models import Session
from django.core.cache import cache, caches
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Client, User
from accounts.sessions import CACHE_PREFIX
from tests.factories import UserFactory

ANNA = "12058512340"


def demo_sign_in(http: HttpClient, code: str = ANNA, **extra):
    return http.post("/pieslegties/demo/", {"person": code, **extra})


@pytest.mark.django_db
def test_demo_first_sign_in_creates_the_person():
    response = demo_sign_in(HttpClient())

    person = User.objects.get(personal_code=ANNA)
    assert response.status_code == 302
    assert (person.first_name, person.last_name) == ("Anna", "Bērziņa")
    assert not person.has_usable_password()
    assert Client.objects.filter(person=person).count() == 1


@pytest.mark.django_db
def test_demo_second_sign_in_does_not_duplicate():
    demo_sign_in(HttpClient())

    demo_sign_in(HttpClient())

    assert User.objects.filter(personal_code=ANNA).count() == 1
    assert Client.objects.filter(person__personal_code=ANNA).count() == 1


@pytest.mark.django_db
def test_demo_provider_is_unreachable_when_switched_off(settings):
    settings.DEMO_IDP_ENABLED = False
    http = HttpClient()

    response = demo_sign_in(http)
    page = http.get("/pieslegties/").content.decode()

    assert response.status_code == 404
    assert not User.objects.filter(personal_code=ANNA).exists()
    assert "/pieslegties/demo/" not in page


@pytest.mark.django_db
def test_demo_provider_refuses_a_person_not_on_its_list():
    response = demo_sign_in(HttpClient(), "32000000001")

    assert response.status_code == 404
    assert not User.objects.filter(personal_code="32000000001").exists()


@pytest.mark.django_db
def test_demo_sign_in_refuses_get():
    assert HttpClient().get("/pieslegties/demo/").status_code == 405


@pytest.mark.django_db
def test_demo_sign_in_ignores_an_offsite_next():
    response = demo_sign_in(HttpClient(), next="https://evil.example/")

    assert response["Location"] == "/mans-konts/"


@pytest.mark.django_db
def test_sign_in_rotates_the_session_id():
    http = HttpClient()
    http.get("/pieslegties/")
    session = http.session
    session["planted"] = "before sign-in"
    session.save()
    before = session.session_key

    demo_sign_in(http)

    after = http.session.session_key
    assert after != before
    assert not Session.objects.filter(session_key=before).exists()
    assert Session.objects.filter(session_key=after).exists()


@pytest.mark.django_db
def test_sign_in_as_another_person_starts_a_new_session():
    http = HttpClient()
    demo_sign_in(http)
    first = http.session.session_key

    demo_sign_in(http, "03039214561")

    assert http.session.session_key != first
    assert int(http.session[AUTH_SESSION_KEY]) == User.objects.get(personal_code="03039214561").pk


@pytest.mark.django_db
def test_sign_out_deletes_the_session_server_side():
    http = HttpClient()
    demo_sign_in(http)
    old_key = http.session.session_key

    response = http.post("/iziet/")

    assert response.status_code == 302
    assert not Session.objects.filter(session_key=old_key).exists()
    replay = HttpClient()
    replay.cookies["sessionid"] = old_key
    assert replay.get("/mans-konts/").status_code == 302


@pytest.mark.django_db
def test_sign_out_refuses_get():
    http = HttpClient()
    demo_sign_in(http)

    assert http.get("/iziet/").status_code == 405
    assert http.get("/mans-konts/").status_code == 200


@pytest.mark.django_db
def test_session_expires_after_thirty_idle_minutes(settings):
    http = HttpClient()
    demo_sign_in(http)
    key = http.session.session_key
    session = Session.objects.get(session_key=key)

    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert session.expire_date - timezone.now() == pytest.approx(
        timedelta(minutes=30), abs=timedelta(seconds=30)
    )
    # 31 minutes of silence: the stored expiry lies in the past (and the cached copy, kept as
    # long as the session, has run out).
    Session.objects.filter(session_key=key).update(
        expire_date=timezone.now() - timedelta(minutes=1)
    )
    cache.delete(CACHE_PREFIX + key)

    response = http.get("/mans-konts/")

    assert response.status_code == 302
    assert response["Location"].startswith("/pieslegties/")


@pytest.mark.django_db
def test_activity_renews_the_idle_timeout():
    http = HttpClient()
    demo_sign_in(http)
    key = http.session.session_key
    # 29 minutes of silence: one minute left (the cached copy read again from the database).
    Session.objects.filter(session_key=key).update(
        expire_date=timezone.now() + timedelta(minutes=1)
    )
    cache.delete(CACHE_PREFIX + key)

    assert http.get("/mans-konts/").status_code == 200

    renewed = Session.objects.get(session_key=http.session.session_key).expire_date
    assert renewed - timezone.now() > timedelta(minutes=29)


@pytest.mark.django_db
def test_browsing_within_a_minute_does_not_rewrite_the_session():
    http = HttpClient()
    demo_sign_in(http)
    key = http.session.session_key
    # Renewed 40 seconds ago: the idle timeout has 29 min 20 s left, close enough to 30.
    written = timezone.now() + timedelta(minutes=29, seconds=20)
    Session.objects.filter(session_key=key).update(expire_date=written)

    assert http.get("/mans-konts/").status_code == 200
    assert http.get("/mans-konts/e-pakalpojumi/").status_code == 200

    assert Session.objects.get(session_key=key).expire_date == written


@pytest.mark.django_db
def test_a_deactivated_person_cannot_sign_in():
    UserFactory(personal_code=ANNA, is_active=False)
    http = HttpClient()

    response = demo_sign_in(http)

    assert response.status_code == 403
    assert AUTH_SESSION_KEY not in http.session


@pytest.mark.django_db
def test_a_page_reads_its_session_from_the_cache_not_the_database():
    http = HttpClient()
    demo_sign_in(http)
    http.get("/mans-konts/")

    with CaptureQueriesContext(connection) as queries:
        assert http.get("/mans-konts/").status_code == 200

    assert not [q for q in queries if "django_session" in q["sql"]]


@pytest.mark.django_db
def test_with_the_cache_down_a_session_is_read_from_the_database(settings):
    http = HttpClient()
    demo_sign_in(http)
    down = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens on port 1: refused at once
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    }
    settings.CACHES = {**settings.CACHES, "default": down}
    try:
        response = http.get("/mans-konts/")
        assert response.status_code == 200
        assert http.post("/iziet/").status_code == 302
    finally:
        caches["default"].close()
