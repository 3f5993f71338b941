"""Service accounts of the back-office API (VZD's case system): made by a superuser, their secret
shown once and stored as SHA-256; a client id and secret exchanged for a 15-minute bearer access
token (OAuth 2.0 client credentials, RFC 6749 4.4); each request checked again. The one place
these rules live: the admin and the API both call it (docs/api.md, "Back office")."""

from __future__ import annotations

import hashlib
import hmac
import logging
import math
import re
import secrets
import time
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from api.models import ServiceAccessToken, ServiceAccount

log = logging.getLogger("manskonts.api")

ACCESS_LIFETIME = timedelta(minutes=15)
CLIENT_ID_RE = re.compile(r"^vzd_[0-9a-f]{16}$")
# mkb_<10 hex: the row's prefix>_<43 url-safe characters>
ACCESS_RE = re.compile(r"^mkb_([0-9a-f]{10})_([A-Za-z0-9_-]{43})$")


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def create_account(*, name: str, scopes: list[str], by) -> tuple[ServiceAccount, str]:
    """A new service account and its secret (shown once, never stored). Superusers only. Its
    actor is a user of its own that cannot sign in (no password, not staff)."""
    if not (by.is_active and by.is_superuser):
        raise PermissionDenied
    client_id = f"vzd_{secrets.token_hex(8)}"
    secret = secrets.token_urlsafe(32)
    with transaction.atomic():
        actor = get_user_model().objects.create(
            username=f"serviss:{client_id}", first_name=name[:150], is_active=True
        )
        actor.set_unusable_password()
        actor.save(update_fields=["password"])
        account = ServiceAccount.objects.create(
            name=name,
            client_id=client_id,
            secret_hash=_digest(secret),
            scopes=sorted(set(scopes)),
            user=actor,
            created_by=by,
        )
    log.info("service account created account_id=%s by=%s", account.pk, by.pk)
    return account, secret


def revoke_account(account: ServiceAccount) -> bool:
    """Stop it now: no new access tokens, and those it holds refused at once."""
    changed = ServiceAccount.objects.filter(pk=account.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    if changed:
        account.refresh_from_db(fields=["revoked_at"])
        account.save(update_fields=["revoked_at"])  # a saved change: the audit trail has it
        ServiceAccessToken.objects.filter(account=account).delete()
        log.info("service account revoked account_id=%s", account.pk)
    return bool(changed)


class CredentialsRefused(Exception):
    pass


class CredentialsThrottled(Exception):
    """Too many failed attempts for this client id or from this address: wait `retry_after` s."""

    def __init__(self, retry_after: int):
        super().__init__(retry_after)
        self.retry_after = retry_after


def _throttled(client_id: str, address: str) -> list[str]:
    """The cache keys counting failures for the client id and for the address. The client id
    is whatever was sent (up to 40 characters): hashed, so any value makes a safe key."""
    keys = [f"api:token-fail:id:{_digest(client_id or '')[:32]}"]
    if address:
        keys.append(f"api:token-fail:ip:{address}")
    return keys


def _check_throttle(keys: list[str]) -> None:
    """Refuse while a cool-off runs for any of `keys` (set when its failures reached
    API_TOKEN_FAILURE_LIMIT). A cache that is away lets the attempt through (logged): the secret
    is still checked, the throttle only stops guessing at speed."""
    try:
        locks = cache.get_many([f"{key}:lock" for key in keys])
    except Exception:
        log.warning("service token throttle: cache unavailable")
        return
    if locks:
        retry = max(math.ceil(until - time.time()) for until in locks.values())
        raise CredentialsThrottled(max(1, retry))


def _count_failure(keys: list[str]) -> None:
    """One more failure for each key, counted for API_TOKEN_LOCKOUT_SECONDS from the first; at
    API_TOKEN_FAILURE_LIMIT the key's cool-off of as long starts."""
    lockout = settings.API_TOKEN_LOCKOUT_SECONDS
    try:
        for key in keys:
            cache.add(key, 0, timeout=lockout)
            if cache.incr(key) >= settings.API_TOKEN_FAILURE_LIMIT:
                cache.set(f"{key}:lock", time.time() + lockout, timeout=lockout)
                cache.delete(key)
                log.warning("service token throttle: cool-off started key=%s", key.split(":")[2])
    except Exception:
        log.warning("service token throttle: cache unavailable")


def issue_access_token(
    client_id: str, secret: str, *, address: str = ""
) -> tuple[ServiceAccessToken, str]:
    """The client credentials grant: a live account's id and secret for an access token.

    Failed attempts are counted per client id and per address (`address`, the caller's); past
    API_TOKEN_FAILURE_LIMIT of either, CredentialsThrottled for API_TOKEN_LOCKOUT_SECONDS, the
    right secret included, as the staff sign-in throttle does. A success clears the client id's
    count."""
    keys = _throttled(client_id, address)
    _check_throttle(keys)
    try:
        issued = _issue(client_id, secret)
    except CredentialsRefused:
        _count_failure(keys)
        raise
    try:
        cache.delete(keys[0])
    except Exception:
        log.warning("service token throttle: cache unavailable")
    return issued


def _issue(client_id: str, secret: str) -> tuple[ServiceAccessToken, str]:
    account = None
    if CLIENT_ID_RE.match(client_id or ""):
        account = ServiceAccount.objects.filter(client_id=client_id).first()
    expected = account.secret_hash if account is not None else "0" * 64
    matches = hmac.compare_digest(expected, _digest(secret or ""))
    if account is None or not matches or account.revoked_at is not None:
        raise CredentialsRefused
    now = timezone.now()
    ServiceAccessToken.objects.filter(account=account, expires_at__lte=now).delete()
    prefix = secrets.token_hex(5)
    raw = f"mkb_{prefix}_{secrets.token_urlsafe(32)}"
    token = ServiceAccessToken.objects.create(
        account=account,
        prefix=prefix,
        secret_hash=_digest(raw),
        created_at=now,
        expires_at=now + ACCESS_LIFETIME,
    )
    log.info("service access token issued account_id=%s", account.pk)
    return token, raw


def authenticate(raw: str) -> ServiceAccount | None:
    """The live account whose unexpired access token `raw` is; None otherwise."""
    match = ACCESS_RE.match(raw.strip())
    if match is None:
        return None
    token = (
        ServiceAccessToken.objects.select_related("account__user")
        .filter(prefix=match.group(1))
        .first()
    )
    if token is None or not hmac.compare_digest(token.secret_hash, _digest(raw.strip())):
        return None
    if token.expires_at <= timezone.now() or token.account.revoked_at is not None:
        return None
    return token.account
