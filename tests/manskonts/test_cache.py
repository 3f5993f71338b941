"""The cache backend (manskonts.cache): Django's Redis cache with one Redis client kept per pool,
on a real redis-server of the test's own — the same answers as Django's, a stopped Redis is a
miss within the timeout, and a restarted one is used again."""

from __future__ import annotations

import time

import pytest
import redis
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache as DjangoRedisCache

from manskonts.cache import RedisCache
from tests.redis_server import RedisServer, own_redis  # noqa: F401


@pytest.fixture
def redis_cache(own_redis, settings):  # noqa: F811
    settings.CACHES = {
        "default": {
            "BACKEND": "manskonts.cache.RedisCache",
            "LOCATION": own_redis.url,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    cache = caches["default"]
    yield cache
    cache.close()


def test_the_project_caches_on_the_kept_client_backend():
    from django.conf import settings

    # Production (REDIS_URL set) uses it; tests without Redis use the local memory cache.
    from manskonts import settings as project

    assert issubclass(RedisCache, DjangoRedisCache)
    if project.REDIS_URL:
        assert settings.CACHES["default"]["BACKEND"] == "manskonts.cache.RedisCache"


def test_every_call_uses_one_kept_client(redis_cache):
    backend = redis_cache._cache
    assert backend.get_client(write=True) is backend.get_client(write=True)
    assert backend.get_client() is backend.get_client()


def test_it_answers_as_djangos_redis_cache(redis_cache, own_redis):  # noqa: F811
    django_cache = DjangoRedisCache(own_redis.url, {})
    redis_cache.set("a", {"x": [1, "ā"]}, 60)
    assert django_cache.get("a") == {"x": [1, "ā"]}
    assert redis_cache.add("a", 2) is False
    redis_cache.set("n", 1)
    assert redis_cache.incr("n", 4) == 5
    assert redis_cache.get_many(["a", "n", "none"]) == {"a": {"x": [1, "ā"]}, "n": 5}
    redis_cache.delete("a")
    assert redis_cache.get("a", "gone") == "gone"


def test_a_stopped_redis_is_an_error_within_the_timeout_and_a_restarted_one_works(
    redis_cache,
    own_redis,  # noqa: F811
):
    redis_cache.set("k", "v")
    port = own_redis.port
    own_redis.stop()

    started = time.monotonic()
    with pytest.raises(redis.exceptions.ConnectionError):  # as Django's own backend raises
        redis_cache.get("k")
    assert time.monotonic() - started < 5

    again = RedisServer(own_redis.folder)
    again.port = port
    again.start()
    try:
        redis_cache.set("k", "again")
        assert redis_cache.get("k") == "again"
    finally:
        again.stop()
