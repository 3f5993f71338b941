"""What the order and e-service workflows share: the refusal of a change the graph does not allow."""

from __future__ import annotations

from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


class StatusChangeError(ValidationError):
    """A status change the workflow does not allow; the message is fit to show to a clerk."""


def check_transition(
    transitions: Mapping[str, frozenset[str]], labels: Mapping[str, str], old: str, new: str
) -> None:
    if new not in labels:
        raise StatusChangeError(_("Nezināms statuss: %(status)s.") % {"status": new})
    if old == new:
        raise StatusChangeError(
            _("Statuss jau ir „%(status)s”.") % {"status": labels[new]}, code="unchanged"
        )
    if new not in transitions.get(old, frozenset()):
        allowed = sorted(str(labels[s]) for s in transitions.get(old, frozenset()))
        if allowed:
            hint = _("Atļautie nākamie statusi: %(allowed)s.") % {"allowed": ", ".join(allowed)}
        else:
            hint = _("Tas ir gala statuss, to vairs nevar mainīt.")
        raise StatusChangeError(
            _("Statusu „%(old)s” nevar mainīt uz „%(new)s”. %(hint)s")
            % {"old": labels[old], "new": labels[new], "hint": hint},
            code="illegal_transition",
        )
