"""One "expiring soon" window: the overview lists exactly the files the daily reminder tells of."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from documents.models import Document
from documents.services import remind_expiring_files, retention_cutoff
from notifications.models import Notification
from tests.documents.conftest import make_document

pytestmark = pytest.mark.django_db
TICK = timedelta(microseconds=1)


def test_overview_and_reminder_agree_at_the_boundaries(
    monkeypatch, owner, owner_eservice, signed_in
):
    now = timezone.now()
    monkeypatch.setattr(timezone, "now", lambda: now)
    cutoff = retention_cutoff(now)
    soon = cutoff + timedelta(days=settings.FILE_EXPIRY_REMINDER_DAYS)
    uploaded = {
        "purgeable.pdf": cutoff - TICK,  # a purge now deletes it: gone, not "soon"
        "first-day.pdf": cutoff,
        "last-day.pdf": soon - TICK,
        "later.pdf": soon,  # beyond the reminder days
    }
    for name, at in uploaded.items():
        document = make_document(
            name=name, eservice=owner_eservice, direction=Document.Direction.SUBMITTED
        )
        Document.objects.filter(pk=document.pk).update(uploaded_at=at)

    page = signed_in(owner).get(reverse("overview"))
    listed = {d.original_name for d in page.context["expiring_documents"]}
    assert remind_expiring_files(now=now) == 2
    body = Notification.objects.get(kind=Notification.Kind.FILES_EXPIRING).body
    reminded = {name for name in uploaded if name in body}

    assert listed == reminded == {"first-day.pdf", "last-day.pdf"}
