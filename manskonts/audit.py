"""The value-level audit trail: django-auditlog, told who and from where.

django-auditlog records every create, change and delete of the models listed in
`settings.AUDITLOG_INCLUDE_TRACKING_MODELS` with the old and new value of each field, the actor,
the time and the address; m2m changes (a user's groups) too. This module adapts it to the project:

- `AuditMiddleware` takes the address from `client_address` (TRUSTED_PROXY_COUNT), never from the
  leftmost X-Forwarded-For entry that auditlog's own middleware trusts and anyone can forge; it
  leaves the port out (X-Forwarded-Port is as forgeable); the correlation id is the request id of
  the request log line (`manskonts.request_log`), not a client-chosen header. The actor and the
  address are worked out only when an entry is written, so a page that writes nothing costs no
  query more.
- `log_bulk_created` writes the entries `bulk_create` skips (it sends no signals).
- The admin (manskonts/admin.py) shows the entries to superusers only, read-only; the database
  refuses to delete them (migration manskonts 0001); `auditlogflush` is refused.
"""

from __future__ import annotations

from collections.abc import Iterable

from auditlog.cid import correlation_id
from auditlog.context import set_extra_data
from auditlog.middleware import AuditlogMiddleware
from auditlog.receivers import log_create
from django.db import models

from manskonts.client_address import client_address


def hidden(value: str) -> str:
    """What a masked field (a password hash) is written as: that it changed, nothing of it."""
    return "••••••••" if value and value != "None" else ""


class AuditMiddleware(AuditlogMiddleware):
    """auditlog's middleware with the project's client address and request id."""

    @staticmethod
    def _get_remote_addr(request):
        return lambda: client_address(request) or None

    @staticmethod
    def _get_remote_port(request):
        return None

    @staticmethod
    def _get_actor(request):
        # The lazy request.user: auditlog checks isinstance(actor, User) only when it writes an
        # entry, which is when the session and user are loaded if nothing loaded them before.
        return getattr(request, "user", None)

    def __call__(self, request):
        correlation_id.set(getattr(request, "request_id", None))
        with set_extra_data(context_data=self.get_extra_data(request)):
            return self.get_response(request)


def log_bulk_created(objects: Iterable[models.Model]) -> None:
    """An entry per object created with `bulk_create` (which sends no post_save)."""
    for obj in objects:
        log_create(sender=type(obj), instance=obj, created=True)
