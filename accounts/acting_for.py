"""Whom the signed-in person acts for. One place decides it; every client-facing query is scoped by it.

The choice lives in the session as a client id and is checked against the person's memberships on
every request, so a removed membership takes effect at the next request. It is also remembered on
the person (`User.last_client`): a new session starts with the client they acted for last time, so
an administrator of a legal person does not land on their own empty account at each sign-in.
"""

from __future__ import annotations

from contextvars import ContextVar
from functools import cache

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest

from accounts.models import Client, Membership, User
from notifications import unread
from notifications.models import Notification

SESSION_KEY = "acting_for_client_id"


# Every page runs this, so it is one plain statement rather than an ORM query with two subqueries,
# whose building alone costs a millisecond a request. Same rule as ClientQuerySet.for_user: the
# person's own client, and each legal person among their memberships. The memberships are read
# first into an array (an InitPlan) so that both arms of the OR are index lookups, a BitmapOr of
# person_id and the primary key: the same rule written over the LEFT JOIN (m.id IS NOT NULL) is a
# sequential scan of every client, over 100 ms a page with a million natural persons. The LEFT
# JOIN is only for the person's role.
# {others}: the unread things other apps count (notifications.unread), e.g. messages from VZD;
# the notification kinds they count instead are left out here. The partial index
# notification_unread answers the notifications' count. The chosen legal person's users are read
# the same way, through an array of their ids rather than a join: a fifth less planning.
CLIENTS_OF_SQL = """
SELECT c.*, m.role AS membership_role,
       (SELECT count(*) FROM {notification} n
         WHERE n.client_id = c.id AND n.recipient_id = %(user)s AND n.read_at IS NULL
           AND NOT (n.kind = ANY(%(counted_elsewhere)s))
       ){others} AS unread_count,
       CASE WHEN c.id = {chosen} AND c.kind = %(legal)s THEN ARRAY(
         SELECT ARRAY[u.id::text, u.first_name, u.last_name, u.username]
           FROM {user} u
          WHERE u.id = ANY(ARRAY(SELECT um.user_id FROM {membership} um WHERE um.client_id = c.id))
          ORDER BY u.last_name, u.first_name
       ) END AS user_rows
  FROM {client} c
  LEFT JOIN {membership} m ON m.client_id = c.id AND m.user_id = %(user)s
 WHERE c.person_id = %(user)s
    OR c.kind = %(legal)s
       AND c.id = ANY(ARRAY(SELECT mc.client_id FROM {membership} mc WHERE mc.user_id = %(user)s))
 ORDER BY c.kind, c.name, c.id
"""


# The same, read in the statement that loads the session's user (accounts.backends): one round trip
# a page fewer. The chosen client is the session's, else the one the person acted for last.
USER_WITH_CLIENTS_SQL = """
SELECT me.*,
       (SELECT coalesce(json_agg(h ORDER BY h.kind, h.name, h.id), '[]'::json)
          FROM ({clients}) h) AS header_clients
  FROM {user} me
 WHERE me.id = %(user)s
"""


def _format(sql: str, chosen: str) -> str:
    return sql.format(
        notification=Notification._meta.db_table,
        client=Client._meta.db_table,
        membership=Membership._meta.db_table,
        user=User._meta.db_table,
        others="".join(f" + {source.sql}" for source in unread.registered()),
        chosen=chosen,
    )


@cache
def _clients_of_sql() -> str:
    return _format(CLIENTS_OF_SQL, "%(chosen)s")


@cache
def _user_with_clients_sql() -> str:
    clients = _format(CLIENTS_OF_SQL, "coalesce(%(chosen)s::bigint, me.last_client_id, 0)")
    return USER_WITH_CLIENTS_SQL.format(clients=clients, user=User._meta.db_table)


# Set by ActingForMiddleware around resolving the client: the session's chosen client id (or None).
# While it is set, the session's user is loaded together with the header's clients.
_HEADER_CHOSEN: ContextVar = ContextVar("header_chosen")
_UNSET = object()


def user_with_clients(user_id) -> User | None:
    """The user `user_id` (as ModelBackend.get_user reads it, the active check aside) with
    `header_clients`: what clients_of would return for them, read in the same statement, when
    ActingForMiddleware is resolving a page's client; None when there is no such user."""
    chosen = _HEADER_CHOSEN.get(_UNSET)
    if chosen is _UNSET:
        return User._default_manager.filter(pk=user_id).first()
    try:
        user_id = User._meta.pk.to_python(user_id)
    except ValidationError:
        return None
    params = {
        "user": user_id,
        "legal": Client.Kind.LEGAL.value,
        "chosen": chosen,
        "counted_elsewhere": unread.kinds_counted_elsewhere(),
    }
    user = next(iter(User._default_manager.raw(_user_with_clients_sql(), params)), None)
    if user is not None:
        user.header_clients = [_client_of(row, user._state.db) for row in user.header_clients]
        user.header_chosen = chosen
    return user


def from_json_row(model, row: dict, db: str):
    """An instance of `model` from a JSON row of its table (row_to_json, or json_agg's items), as
    a raw query or a select_related would make it: the page header's clients, the API's token."""
    fields = model._meta.concrete_fields
    return model.from_db(
        db, [f.attname for f in fields], [f.to_python(row[f.column]) for f in fields]
    )


def _client_of(row: dict, db: str) -> Client:
    """A Client from a JSON row of CLIENTS_OF_SQL, with the header's annotations."""
    client = from_json_row(Client, row, db)
    client.membership_role = row["membership_role"]
    client.unread_count = row["unread_count"]
    client.user_rows = row["user_rows"]
    return client


def clients_of(user, chosen: int | None = None) -> list[Client]:
    """Everyone this person may act for, legal persons first, in one query for the whole header:
    each with `membership_role` (the person's role in it, None for their own client) and
    `unread_count` (the person's unread notifications about it, and what notifications.unread's
    sources count: unread messages from VZD); the legal person `chosen` (the one the session acts
    for) also with `user_rows`, its users as [id, first name, last name, username] by name, which
    the lists' user filter offers (Client.users order)."""
    params = {
        "user": user.pk,
        "legal": Client.Kind.LEGAL.value,
        "chosen": chosen or 0,
        "counted_elsewhere": unread.kinds_counted_elsewhere(),
    }
    return list(Client.objects.raw(_clients_of_sql(), params))


def resolve_client(request: HttpRequest) -> Client | None:
    """The client this request acts for; sets `request.client_choices` to the person's clients."""
    token = _HEADER_CHOSEN.set(request.session.get(SESSION_KEY))
    try:
        return _resolve_client(request)
    finally:
        _HEADER_CHOSEN.reset(token)


def _resolve_client(request: HttpRequest) -> Client | None:
    request.client_choices = []
    user = request.user
    if not user.is_authenticated or not user.personal_code:
        return None
    chosen = request.session.get(SESSION_KEY)
    choices = getattr(user, "header_clients", None)
    if choices is None or getattr(user, "header_chosen", _UNSET) != chosen:
        choices = clients_of(user, chosen if chosen is not None else user.last_client_id)
    request.client_choices = choices
    if chosen is not None:
        client = next((c for c in choices if c.pk == chosen), None)
        if client is not None:
            return client
        request.session.pop(SESSION_KEY, None)
    elif user.last_client_id is not None:
        client = next((c for c in choices if c.pk == user.last_client_id), None)
        if client is not None:
            request.session[SESSION_KEY] = client.pk
            return client
    own = next((c for c in choices if c.person_id == user.pk), None)
    if own is None:
        own = Client.objects.get_or_create_for_person(user)
        own.membership_role, own.unread_count = None, 0
        choices.append(own)
        choices.sort(key=lambda c: (c.kind, c.name))
    return own


def switch_client(request: HttpRequest, client_id: int) -> Client:
    """Act for another client of this person's; any other id is a 404."""
    client = Client.objects.for_user(request.user).filter(pk=client_id).first()
    if client is None:
        raise Http404
    request.session[SESSION_KEY] = client.pk
    request.client = client
    if request.user.last_client_id != client.pk:
        # Not save(): only this column, and no audit entry for where a person looked last.
        User.objects.filter(pk=request.user.pk).update(last_client=client)
        request.user.last_client_id = client.pk
    return client
