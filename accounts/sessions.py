"""Database sessions with a 30-minute idle timeout that are not rewritten on every request.

`SESSION_SAVE_EVERY_REQUEST` would turn each page view into a database write (and a commit) only to
move the expiry forward by a few seconds. Here a request renews the stored expiry once it has aged
by more than RENEW_AFTER, so the idle timeout stays between 29 and 30 minutes and a person browsing
the lists writes their session at most once a minute. Sign-out and removal still delete the row.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.contrib.sessions.middleware import SessionMiddleware
from django.utils import timezone

RENEW_AFTER = timedelta(seconds=60)


class SessionStore(DatabaseSessionStore):
    """The database store, remembering the expiry it read so that a request can tell its age."""

    stored_expire_date = None

    def _get_session_from_db(self):
        stored = super()._get_session_from_db()
        self.stored_expire_date = stored.expire_date if stored is not None else None
        return stored


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
