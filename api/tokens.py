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

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from accounts.acting_for import from_json_row
from accounts.memberships import is_client_admin
from accounts.models import Client, Membership, User
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


# Every API request reads its token in this one statement, with the client and the maker joined,
# whether the maker is still the legal person's administrator, and the legal person's users as the
# lists' user filter takes them (`user_rows`, as accounts.acting_for reads them with a page's
# header). Plain SQL, as the page's header statement: the same query through the ORM (two joins,
# two subqueries) cost a fifth of an API list's CPU in its compiling alone (`bench/run.py`'s API
# cases, cProfile), every request.
LOOKUP_SQL = """
SELECT t.*, row_to_json(c) AS client_row, row_to_json(u) AS creator_row,
       EXISTS(SELECT 1 FROM {membership} m
               WHERE m.client_id = t.client_id AND m.user_id = t.created_by_id
                 AND m.role = %(admin)s) AS creator_is_admin,
       ARRAY(SELECT ARRAY[cu.id::text, cu.first_name, cu.last_name, cu.username]
               FROM {membership} cm JOIN {user} cu ON cu.id = cm.user_id
              WHERE cm.client_id = t.client_id
              ORDER BY cu.last_name, cu.first_name) AS client_user_rows
  FROM {token} t
  JOIN {client} c ON c.id = t.client_id
  JOIN {user} u ON u.id = t.created_by_id
 WHERE t.prefix = %(prefix)s
"""


@cache
def _token_sql() -> str:
    return LOOKUP_SQL.format(
        token=ApiToken._meta.db_table,
        client=Client._meta.db_table,
        user=User._meta.db_table,
        membership=Membership._meta.db_table,
    )


def _token_by_prefix(prefix: str) -> ApiToken | None:
    params = {"prefix": prefix, "admin": Membership.Role.ADMIN.value}
    token = next(iter(ApiToken.objects.raw(_token_sql(), params)), None)
    if token is not None:
        db = token._state.db
        token.client = from_json_row(Client, token.client_row, db)
        token.created_by = from_json_row(User, token.creator_row, db)
        del token.client_row, token.creator_row
    return token


def authenticate(raw: str) -> ApiToken:
    """The live token `raw` names, with client and creator; TokenRefused otherwise."""
    match = TOKEN_RE.match(raw.strip())
    if match is None:
        raise TokenRefused("token_invalid")
    token = _token_by_prefix(match.group(1))
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
