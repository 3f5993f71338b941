"""What else joins the header's unread count, registered by the apps above (conversations' unread
messages), so accounts, which computes the count, imports none of them.

A source is a scalar SQL subquery counting, for the client row `c` of the header's one statement
(accounts.acting_for.CLIENTS_OF_SQL) and the person `%(user)s`, what that person has not read yet.
A source may count instead of some notification kinds (a new message is both a message and a
notification about it): those kinds are left out of the notifications' own count, so one unread
thing is counted once.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class UnreadSource:
    key: str
    sql: str  # "(SELECT count(*) FROM … WHERE … = c.id …)": bound parameters only %(user)s
    instead_of_kinds: tuple[str, ...] = ()


_sources: dict[str, UnreadSource] = {}


def register(source: UnreadSource) -> UnreadSource:
    """Add (or replace, by key) a source; call it from an AppConfig.ready, before any request."""
    _sources[source.key] = source
    return source


def registered() -> list[UnreadSource]:
    return [_sources[key] for key in sorted(_sources)]


def kinds_counted_elsewhere() -> list[str]:
    return sorted({kind for source in registered() for kind in source.instead_of_kinds})
