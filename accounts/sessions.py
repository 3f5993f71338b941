"""Sessions kept in the database and read from the cache, with a 30-minute idle timeout that does
not rewrite them on every request.

Every page reads its session. The database holds each session (the one record a sign-out or a
removal deletes, and what survives a cache restart); the cache (Redis in production, shared by
the web nodes) holds a copy with its stored expiry, so a page reads the session without a database
round trip. Each write goes to the database and then to the cache; a sign-out deletes both. A cache
that is down or has lost the copy costs a database read, never a failed page.

`SESSION_SAVE_EVERY_REQUEST` would turn each page view into a database write (and a commit) only to
move the expiry forward by a few seconds. Here a request renews the stored expiry once it has aged
by more than RENEW_AFTER, so the idle timeout stays between 29 and 30 minutes and a person browsing
the lists writes their session at most once a minute.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.contrib.sessions.middleware import SessionMiddleware
from django.core.cache import caches
from django.utils import timezone

RENEW_AFTER = timedelta(seconds=60)
CACHE_PREFIX = "accounts.sessions:"

logger = logging.getLogger(__name__)


class SessionStore(DatabaseSessionStore):
    """The database store with a cached copy (data and stored expiry), remembering the expiry it
    read so that a request can tell its age."""

    stored_expire_date = None

    def __init__(self, session_key=None):
        self._cache = caches[settings.SESSION_CACHE_ALIAS]
        super().__init__(session_key)

    def _cache_key(self, session_key: str) -> str:
        return CACHE_PREFIX + session_key

    def _cache_call(self, method: str, *args):
        try:
            return getattr(self._cache, method)(*args)
        except Exception:  # a cache that is down: the database answers alone
            logger.warning("session cache %s failed", method, exc_info=True)
            return None

    def _keep(self, data: dict, expire_date) -> None:
        age = int((expire_date - timezone.now()).total_seconds())
        if age > 0:
            self._cache_call("set", self._cache_key(self.session_key), (data, expire_date), age)

    def load(self):
        key = self.session_key
        cached = self._cache_call("get", self._cache_key(key)) if key else None
        if cached is not None:
            data, expire_date = cached
            if expire_date > timezone.now():
                self.stored_expire_date = expire_date
                return data
        stored = self._get_session_from_db()
        self.stored_expire_date = stored.expire_date if stored is not None else None
        if stored is None:
            return {}
        data = self.decode(stored.session_data)
        self._keep(data, stored.expire_date)
        return data

    def save(self, must_create=False):
        super().save(must_create)
        self._keep(self._session, self.get_expiry_date())

    def delete(self, session_key=None):
        key = session_key or self.session_key
        super().delete(session_key)
        if key:
            self._cache_call("delete", self._cache_key(key))

    def exists(self, session_key):
        # New keys are checked against the database, the record of every session.
        return super().exists(session_key)


class IdleSessionMiddleware(SessionMiddleware):
    """Django's session middleware, renewing a used session whose expiry has aged a minute."""

    def process_response(self, request, response):
        session = getattr(request, "session", None)
        stored = getattr(session, "stored_expire_date", None)
        if session is not None and stored is not None and not session.is_empty():
            full = timezone.now() + timedelta(seconds=settings.SESSION_COOKIE_AGE)
            if full - stored > RENEW_AFTER:
                session.modified = True
        return super().process_response(request, response)
