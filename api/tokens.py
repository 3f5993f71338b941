"""Personal access tokens: who may make them, making one (shown once), revoking, and the check
each API request makes. The one place these rules live; the page and the API both call it."""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import secrets
from datetime import timedelta
from functools import cache

from django.contrib.postgres.expressions import ArraySubquery
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Exists, F, Func, OuterRef, TextField, Value
from django.db.models.functions import Cast
from django.utils import timezone

from accounts.memberships import is_client_admin
from accounts.models import Client, Membership
from api.models import ApiToken

log = logging.getLogger("manskonts.api")

MAX_LIFETIME = timedelta(days=365)
PREFIX = "mk_"
# mk_<10 hex: the row's prefix>_<43 url-safe characters: the secret>
TOKEN_RE = re.compile(r"^mk_([0-9a-f]{10})_([A-Za-z0-9_-]{43})$")
# last_used_at is written at most once a minute per token, not on every request.
LAST_USED_PRECISION = timedelta(minutes=1)


def may_manage_tokens(user, client: Client | None) -> bool:
    """A person for themselves; for a legal person, only its administrator."""
    if client is None or not getattr(user, "is_authenticated", False):
        return False
    if client.is_legal:
        return is_client_admin(user, client)
    return client.person_id == user.pk


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(
    client: Client, *, by, name: str, scopes: list[str], expires_at
) -> tuple[ApiToken, str]:
    """A new token for `client`; returns the row and the token itself, which is shown once and
    never stored. Refuses (PermissionDenied) anyone who may not manage the client's tokens."""
    now = timezone.now()
    if not may_manage_tokens(by, client):
        raise PermissionDenied
    if not (now < expires_at <= now + MAX_LIFETIME + timedelta(days=1)):
        raise ValueError("expiry outside the allowed lifetime")
    with transaction.atomic():
        while True:
            prefix = secrets.token_hex(5)
            if not ApiToken.objects.filter(prefix=prefix).exists():
                break
        token = f"{PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
        row = ApiToken.objects.create(
            client=client,
            created_by=by,
            name=name,
            prefix=prefix,
            secret_hash=digest(token),
            scopes=sorted(set(scopes)),
            created_at=now,
            expires_at=expires_at,
        )
    log.info("api token created token_id=%s client_id=%s by=%s", row.pk, client.pk, by.pk)
    return row, token


def _revoke_rows(rows, reason: str) -> int:
    """Revoke the live ones among `rows` (a queryset), each saved so the audit trail has it."""
    now = timezone.now()
    count = 0
    with transaction.atomic():
        for row in rows.filter(revoked_at__isnull=True).select_for_update().order_by("id"):
            row.revoked_at, row.revoked_reason = now, reason
            row.save(update_fields=["revoked_at", "revoked_reason"])
            count += 1
    return count


def revoke(token: ApiToken, *, reason: str = ApiToken.Reason.BY_PERSON) -> bool:
    """Revoke now; False if it was revoked already."""
    changed = _revoke_rows(ApiToken.objects.filter(pk=token.pk), reason)
    if changed:
        log.info("api token revoked token_id=%s reason=%s", token.pk, reason)
    return bool(changed)


def revoke_for_person(client_id: int, user_id: int) -> int:
    """Every live token this person made for this legal person (removed, or no longer its
    administrator): revoked in the caller's transaction."""
    rows = ApiToken.objects.filter(client_id=client_id, created_by_id=user_id)
    count = _revoke_rows(rows, ApiToken.Reason.MEMBERSHIP)
    if count:
        log.info("api tokens revoked client_id=%s user_id=%s count=%s", client_id, user_id, count)
    return count


class TokenRefused(Exception):
    """Why a presented token does not authenticate: `code` is the API's stable problem code."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def _creator_still_entitled(token: ApiToken) -> bool:
    client = token.client
    if not token.created_by.is_active:
        return False
    if client.is_legal:
        return token.creator_is_admin
    return client.person_id == token.created_by_id


def _with_checks(tokens):
    """Tokens read with what each request needs of them in the same statement: whether the maker
    is still the legal person's administrator, and the legal person's users as the lists' user
    filter takes them (`user_rows`, as accounts.acting_for reads them with a page's header)."""
    users = (
        Membership.objects.filter(client_id=OuterRef("client_id"))
        .order_by("user__last_name", "user__first_name")
        .annotate(
            row=Func(
                Cast("user_id", TextField()),
                F("user__first_name"),
                F("user__last_name"),
                F("user__username"),
                function="ARRAY",
                template="%(function)s[%(expressions)s]",
                output_field=TextField(),
            )
        )
        .values("row")
    )
    return tokens.annotate(
        creator_is_admin=Exists(
            Membership.objects.filter(
                client_id=OuterRef("client_id"),
                user_id=OuterRef("created_by_id"),
                role=Value(Membership.Role.ADMIN),
            )
        ),
        client_user_rows=ArraySubquery(users),
    )


@cache
def _tokens_with_checks():
    """The tokens' query with its checks, built once: building its two subqueries cost a tenth of
    an API list's CPU on every request (`bench/run.py`'s API cases); each call filters a clone."""
    return _with_checks(ApiToken.objects.select_related("client", "created_by"))


def authenticate(raw: str) -> ApiToken:
    """The live token `raw` names, with client and creator; TokenRefused otherwise."""
    match = TOKEN_RE.match(raw.strip())
    if match is None:
        raise TokenRefused("token_invalid")
    token = _tokens_with_checks().filter(prefix=match.group(1)).first()
    if token is None or not hmac.compare_digest(token.secret_hash, digest(raw.strip())):
        raise TokenRefused("token_invalid")
    if token.client.is_legal:
        token.client.user_rows = token.client_user_rows
    now = timezone.now()
    if token.revoked_at is not None:
        raise TokenRefused("token_revoked")
    if token.expires_at <= now:
        raise TokenRefused("token_expired")
    if not _creator_still_entitled(token):
        # A receiver revokes these at once (api/receivers.py); this holds if one was missed.
        raise TokenRefused("token_revoked")
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_PRECISION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token
