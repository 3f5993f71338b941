"""The Redis cache stopped or paused: pages that use it carry on without it."""

from __future__ import annotations

import pytest
from django.test import Client as HttpClient

from accounts.models import User
from tests.accounts.oidc_provider import CLIENT_ID, CLIENT_SECRET, start_provider
from tests.accounts.test_oidc import ANNA, sign_in_at_provider
from tests.redis_server import own_redis  # noqa: F401 — fixture

pytestmark = pytest.mark.fault


@pytest.fixture
def provider(settings):
    provider, server = start_provider()
    settings.OIDC_OP_ISSUER = provider.issuer
    settings.OIDC_RP_CLIENT_ID = CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = CLIENT_SECRET
    yield provider
    server.shutdown()
    server.server_close()


@pytest.fixture
def cache_on_own_redis(own_redis, settings):  # noqa: F811
    settings.CACHES = {
        "default": {
            "BACKEND": "manskonts.cache.RedisCache",
            "LOCATION": own_redis.url,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    return own_redis


@pytest.mark.django_db
@pytest.mark.parametrize("outage", ["stopped", "paused"])
def test_oidc_sign_in_works_while_the_cache_is_down(provider, cache_on_own_redis, outage):
    if outage == "stopped":
        cache_on_own_redis.stop()
    else:
        cache_on_own_redis.pause()

    response = sign_in_at_provider(HttpClient(), provider, ANNA)

    assert response.status_code == 302
    assert response["Location"] == "/mans-konts/"
    assert User.objects.filter(personal_code="12058512340").exists()
