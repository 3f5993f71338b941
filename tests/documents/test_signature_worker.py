"""The signature check on a real Celery worker on real Redis: the upload sends it through the
outbox, the page says "Pārbauda parakstu…" until the worker has stored the result, and shows the
words when reloaded."""

from __future__ import annotations

import re
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from documents.models import Document, SignatureStatus
from outbox.models import Message
from tests.documents.signed_samples import JANIS, edoc
from tests.documents.test_signed_documents import signature_cells
from tests.factories import EServiceFactory
from tests.worker import celery_worker  # noqa: F401 — fixture

pytestmark = pytest.mark.worker


@pytest.fixture
def worker_sees_the_files(tmp_path, monkeypatch, pki):
    """The worker reads this test's media folder and trusts the test PKI's root."""
    monkeypatch.setenv("MEDIA_ROOT", str(tmp_path / "media"))
    monkeypatch.setenv("SIGNATURE_TRUST_STORE", str(pki.trust_store))


@pytest.mark.django_db(transaction=True)
def test_the_worker_checks_an_uploaded_edoc_and_the_page_shows_the_result(
    worker_sees_the_files,
    celery_worker,  # noqa: F811
    pki,
    trust_store,
    signed_in,
    owner,
    owner_client,
):
    eservice = EServiceFactory(client=owner_client)
    http = signed_in(owner)
    url = reverse("eservices:detail", args=[eservice.pk])

    response = http.post(
        reverse("documents:upload_eservice", args=[eservice.pk]),
        {"files": [SimpleUploadedFile("iesniegums.edoc", edoc(pki, pki.janis, pki.anna))]},
    )

    assert response.status_code == 303
    document = Document.objects.get()
    message = Message.objects.get(task_name="documents.tasks.check_signature")
    assert message.args == [document.pk]
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        document.refresh_from_db()
        if document.signature_status != SignatureStatus.PENDING:
            break
        time.sleep(0.2)
    assert document.signature_status == SignatureStatus.VALID
    [cell] = signature_cells(http.get(url).content.decode())
    assert re.fullmatch(rf"{JANIS}\nParakstīts — Anna Kalniņa, .+, ar laika zīmogu", cell), cell
