"""`expired_files()` is what its name says: the e-service files past their retention, not every
e-service file (it used to leave the age to each caller)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from documents.models import Document
from documents.services import expired_files, retention_cutoff
from tests.documents.conftest import make_document

pytestmark = pytest.mark.django_db


def test_expired_files_are_those_past_retention_only(owner_eservice):
    now = timezone.now()
    cutoff = retention_cutoff(now)
    ages = {"old.pdf": cutoff - timedelta(seconds=1), "fresh.pdf": cutoff, "new.pdf": now}
    for name, at in ages.items():
        document = make_document(
            name=name, eservice=owner_eservice, direction=Document.Direction.SUBMITTED
        )
        Document.objects.filter(pk=document.pk).update(uploaded_at=at)

    found = Document.objects.filter(expired_files(now)).values_list("original_name", flat=True)
    assert list(found) == ["old.pdf"]
