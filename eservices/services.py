"""What happens to e-services: status changes (the one place that makes them) and own labels."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from eservices.models import (
    CLOSED_STATUSES,
    ESERVICE_TRANSITIONS,
    EService,
    EServiceStatus,
    EServiceStatusChange,
)
from eservices.notices import notify_eservice_status
from manskonts.workflow import check_transition

STATUS_LABELS = dict(EServiceStatus.choices)


def change_eservice_status(eservice: EService, new_status: str, *, by=None) -> EService:
    """Move an e-service to a new status, or raise StatusChangeError; records from/to/when/who.

    Completing it marks the moment its result reached the client (received_at).
    """
    with transaction.atomic():
        locked = EService.objects.select_for_update().get(pk=eservice.pk)
        check_transition(ESERVICE_TRANSITIONS, STATUS_LABELS, locked.status, new_status)
        now = timezone.now()
        EServiceStatusChange.objects.create(
            eservice=locked,
            from_status=locked.status,
            to_status=new_status,
            changed_at=now,
            changed_by=by,
        )
        locked.status = new_status
        locked.status_changed_at = now
        fields = ["status", "status_changed_at"]
        if new_status == EServiceStatus.COMPLETED and locked.received_at is None:
            locked.received_at = now
            fields.append("received_at")
        if new_status in CLOSED_STATUSES and locked.awaiting_reply:
            locked.awaiting_reply = False  # a closed e-service takes no answer
            fields.append("awaiting_reply")
        locked.save(update_fields=fields)
        notify_eservice_status(locked)
    eservice.status, eservice.status_changed_at = locked.status, locked.status_changed_at
    eservice.received_at = locked.received_at
    eservice.awaiting_reply = locked.awaiting_reply
    return eservice
