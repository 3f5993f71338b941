"""Shared fixtures: the personas every access test speaks of, and signing them in.

owner      — a natural person with their own e-services and orders
colleague  — another user of the same legal person as `legal_admin`
legal_admin — administrator of the legal person `legal`
outsider   — a natural person with no relation to any of them
clerk      — VZD staff in the admin
"""

from __future__ import annotations

import pytest
from django.conf import settings as django_settings
from django.test import Client as HttpClient

from accounts.acting_for import SESSION_KEY
from accounts.models import Client, Membership
from tests.factories import LegalClientFactory, MembershipFactory, StaffFactory, UserFactory


def pytest_configure(config):
    django_settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Tests run tasks in-process unless they ask for the real worker (see tests/worker.py).
    from manskonts.celery import app

    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Throttling counters and cached pages never leak from one test into the next."""
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture(autouse=True)
def _force_login_includes_the_second_factor(monkeypatch):
    """`force_login` stands for a finished sign-in; for staff that includes the second factor.

    Tests of the sign-in itself post the password (and the code) to the real pages instead.
    """
    from django.test.client import ClientMixin
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_static.models import StaticDevice

    original = ClientMixin._login

    def login_with_second_factor(self, user, backend=None):
        original(self, user, backend)
        if user.is_staff:
            device, _created = StaticDevice.objects.get_or_create(
                user=user, name="tests: force_login"
            )
            session = self.session
            session[DEVICE_ID_SESSION_KEY] = device.persistent_id
            session.save()

    monkeypatch.setattr(ClientMixin, "_login", login_with_second_factor)


@pytest.fixture(autouse=True)
def _outbox_trusts_the_broker():
    """A broker failure seen by one test does not make the next one skip publishing."""
    from outbox.relay import forget_broker_failure

    forget_broker_failure()
    yield


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    """Every test stores files in its own folder, never in the developer's media/."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media")},
        },
    }
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def owner(db):
    return UserFactory(first_name="Anna", last_name="Bērziņa")


@pytest.fixture
def owner_client(owner) -> Client:
    return Client.objects.get_or_create_for_person(owner)


@pytest.fixture
def legal(db) -> Client:
    return LegalClientFactory(registration_number="40003517893", name="SIA „Zemes Mērnieki”")


@pytest.fixture
def legal_admin(legal):
    return MembershipFactory(client=legal, role=Membership.Role.ADMIN).user


@pytest.fixture
def colleague(legal):
    return MembershipFactory(client=legal, role=Membership.Role.USER).user


@pytest.fixture
def outsider(db):
    return UserFactory(first_name="Pēteris", last_name="Zariņš")


@pytest.fixture
def clerk(db):
    from django.contrib.auth.models import Group

    user = StaffFactory()
    user.groups.set(Group.objects.all())
    return user


def sign_in(http: HttpClient, user, acting_for: Client | None = None) -> HttpClient:
    """Sign a person in (as the identity provider would) and act for a client of theirs."""
    http.force_login(user)
    if acting_for is not None:
        session = http.session
        session[SESSION_KEY] = acting_for.pk
        session.save()
    return http


@pytest.fixture
def signed_in():
    """signed_in(user, acting_for=None) -> a fresh test client signed in as that person."""

    def make(user, acting_for: Client | None = None) -> HttpClient:
        return sign_in(HttpClient(), user, acting_for)

    return make


def restore_reference_data() -> None:
    """Services and staff groups come from data migrations; a transactional test's flush removes
    them, so tests on the live server (browser, worker) put them back first."""
    import importlib

    from django.apps import apps

    from accounts.roles import sync_staff_groups

    importlib.import_module("orders.migrations.0002_load_services").load_services(apps, None)
    sync_staff_groups(apps)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """A reused test database may have been flushed by a transactional test of the last run."""
    with django_db_blocker.unblock():
        restore_reference_data()


@pytest.fixture
def reference_data(transactional_db):
    restore_reference_data()
