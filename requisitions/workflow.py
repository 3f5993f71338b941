"""The request (Pieprasījums) workflow: its states, what each means, and the legal moves."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class RequestState(models.TextChoices):
    OPEN = "open", _("Gaida klienta atbildi")
    ANSWERED = "answered", _("Atbildēts")
    ACCEPTED = "accepted", _("Pieņemts")
    ASKED_AGAIN = "asked_again", _("Pieprasīts vēlreiz")
    EXPIRED = "expired", _("Termiņš beidzies")
    TERMINATED = "terminated", _("Pārtraukts")
    WITHDRAWN = "withdrawn", _("Atsaukts")


S = RequestState

# open → answered → accepted | asked again (→ answered again); open / asked again → expired →
# terminated, or extended back to open; open → withdrawn. Accepted, terminated, withdrawn are final.
TRANSITIONS: dict[str, frozenset[str]] = {
    S.OPEN: frozenset({S.ANSWERED, S.EXPIRED, S.WITHDRAWN}),
    S.ANSWERED: frozenset({S.ACCEPTED, S.ASKED_AGAIN}),
    S.ASKED_AGAIN: frozenset({S.ANSWERED, S.EXPIRED}),
    S.EXPIRED: frozenset({S.TERMINATED, S.OPEN}),
    S.ACCEPTED: frozenset(),
    S.TERMINATED: frozenset(),
    S.WITHDRAWN: frozenset(),
}

LABELS = dict(RequestState.choices)
FINAL_STATES = frozenset(s for s, nxt in TRANSITIONS.items() if not nxt)
# The client is waited for: an answer may be drafted and submitted.
AWAITING_CLIENT = frozenset({S.OPEN, S.ASKED_AGAIN})
# Not settled yet: the request keeps its part suspended.
ACTIVE_STATES = frozenset(TRANSITIONS) - FINAL_STATES
