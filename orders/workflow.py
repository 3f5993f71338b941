"""The order status workflow: the seven statuses, what each means to the client, and the legal moves."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class OrderStatus(models.TextChoices):
    APPLIED = "applied", _("Pieteikums ir apstrādē")
    REGISTERED = "registered", _("Pasūtījums reģistrēts")
    IN_PROGRESS = "in_progress", _("Izpildē")
    SUSPENDED = "suspended", _("Apturēts")
    ISSUING = "issuing", _("Izsniegšanā")
    COMPLETED = "completed", _("Pabeigts")
    CANCELLED = "cancelled", _("Pārtraukts")

    @classmethod
    def description(cls, value: str) -> str:
        return DESCRIPTIONS.get(value, "")


DESCRIPTIONS = {
    OrderStatus.APPLIED: _(
        "Jūsu pieteikums ir saņemts. Dienesta darbinieks apstrādā Jūsu pieteikumu."
    ),
    OrderStatus.REGISTERED: _(
        "Pamatojoties uz Jūsu pieprasījumu pasūtījums ir reģistrēts sistēmā, taču pasūtījuma "
        "izpilde nav uzsākta. Nav saņemta informācija par priekšapmaksas rēķina apmaksu (ja tāda "
        "ir paredzēta)."
    ),
    OrderStatus.IN_PROGRESS: _("Pasūtījums nodots izpildei."),
    OrderStatus.SUSPENDED: _("Pasūtījuma izpilde ir apturēta."),
    OrderStatus.ISSUING: _(
        "Pasūtījums ir izpildīts. Klients var saņemt pakalpojuma izpildes dokumentus vai datus."
    ),
    OrderStatus.COMPLETED: _(
        "Klientam ir izsniegti pasūtījuma izsniedzamie materiāli (ja tādi ir), vai pasūtījums ir "
        "izpildīts (ja nav izsniedzamie materiāli)."
    ),
    OrderStatus.CANCELLED: _("Pasūtījuma izpilde ir pārtraukta."),
}

# Which status may follow which. Pabeigts and Pārtraukts are final.
TRANSITIONS: dict[str, frozenset[str]] = {
    OrderStatus.APPLIED: frozenset({OrderStatus.REGISTERED, OrderStatus.CANCELLED}),
    OrderStatus.REGISTERED: frozenset(
        {OrderStatus.IN_PROGRESS, OrderStatus.SUSPENDED, OrderStatus.CANCELLED}
    ),
    OrderStatus.IN_PROGRESS: frozenset(
        {OrderStatus.SUSPENDED, OrderStatus.ISSUING, OrderStatus.COMPLETED, OrderStatus.CANCELLED}
    ),
    OrderStatus.SUSPENDED: frozenset(
        {OrderStatus.REGISTERED, OrderStatus.IN_PROGRESS, OrderStatus.CANCELLED}
    ),
    OrderStatus.ISSUING: frozenset({OrderStatus.COMPLETED, OrderStatus.IN_PROGRESS}),
    OrderStatus.COMPLETED: frozenset(),
    OrderStatus.CANCELLED: frozenset(),
}

FINAL_STATUSES = frozenset(s for s, nxt in TRANSITIONS.items() if not nxt)


def can_transition(from_status: str, to_status: str) -> bool:
    return to_status in TRANSITIONS.get(from_status, frozenset())
