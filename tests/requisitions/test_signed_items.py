"""A request item that demands a signed document (RequestItem.signed_required): the answer's
files for it are checked in save_draft, an unsigned or invalid one refused with the eParaksts
message and nothing stored; documents.signing.check_uploads is what the answer form calls."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from documents.models import Document, SignatureStatus
from documents.signing import check_uploads
from manskonts.validation import validate_upload
from orders.workflow import OrderStatus
from requisitions import services
from requisitions.models import RequestItem
from requisitions.services import ItemSpec
from tests.documents.signed_samples import edoc
from tests.factories import OrderPartFactory, StaffFactory
from tests.signatures import builders

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("trust_store")]


@pytest.fixture(autouse=True)
def _latvian(settings):
    """The refusals are worded in the active language: Latvian here, whatever ran before."""
    with translation.override(settings.LANGUAGE_CODE):
        yield


ITEMS = [
    ItemSpec("Parakstīts iesniegums", signed_required=True),
    ItemSpec("Fotofiksācija"),
]


@pytest.fixture
def request_with_signed_item():
    part = OrderPartFactory(
        status=OrderStatus.IN_PROGRESS, planned_completion_date=date(2026, 12, 30)
    )
    return services.raise_request(part, ITEMS, "Iesniedziet iesniegumu.", by=StaffFactory())


def items(request) -> tuple[RequestItem, RequestItem]:
    signed, plain = request.items.order_by("position")
    return signed, plain


def checked(name: str, data: bytes):
    return validate_upload(SimpleUploadedFile(name, data))


def stored_files(settings) -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_an_unsigned_file_for_a_signed_item_is_refused_and_nothing_kept(
    request_with_signed_item, settings
):
    request = request_with_signed_item
    signed_item, plain_item = items(request)
    person = request.order_part.client.person

    with pytest.raises(ValidationError) as refused:
        services.save_draft(
            request,
            by=person,
            message="Pielikumā.",
            files={
                plain_item.pk: [checked("foto.pdf", builders.plain_pdf())],
                signed_item.pk: [checked("iesniegums.pdf", builders.plain_pdf())],
            },
        )

    [message] = refused.value.messages
    assert message.startswith("Datni „iesniegums.pdf” nevar pieņemt: nav parakstīts.")
    assert "eParaksts" in message
    assert not Document.objects.exists()
    assert stored_files(settings) == []
    assert not request.answers.filter(message="Pielikumā.").exists()


def test_an_invalidly_signed_file_for_a_signed_item_is_refused(pki, request_with_signed_item):
    request = request_with_signed_item
    signed_item, _plain = items(request)

    with pytest.raises(
        ValidationError, match="nevar pieņemt: parakstītāja sertifikāts nav uzticams"
    ):
        services.save_draft(
            request,
            by=request.order_part.client.person,
            files={signed_item.pk: [checked("iesniegums.edoc", edoc(pki, pki.stranger))]},
        )

    assert not Document.objects.exists()


def test_a_validly_signed_file_is_kept_with_its_result(pki, request_with_signed_item):
    request = request_with_signed_item
    signed_item, plain_item = items(request)
    # what the answer form does: the signature is checked once, there
    files, errors = check_uploads(
        [SimpleUploadedFile("iesniegums.edoc", edoc(pki, pki.janis))],
        signature_required=signed_item.signed_required,
    )
    assert errors == []

    answer = services.save_draft(
        request,
        by=request.order_part.client.person,
        files={signed_item.pk: files, plain_item.pk: [checked("foto.pdf", builders.plain_pdf())]},
    )

    document = answer.items.get(item=signed_item).documents.get()
    assert document.signature_status == SignatureStatus.VALID
    assert document.signature_words.startswith("Parakstīts — Jānis Bērziņš, ")


def test_check_uploads_without_the_requirement_is_the_plain_check(pki):
    files, errors = check_uploads([SimpleUploadedFile("a.pdf", builders.plain_pdf())])

    assert errors == []
    assert [f.display_name for f in files] == ["a.pdf"]


def test_check_uploads_with_it_names_each_refused_file(pki):
    files, errors = check_uploads(
        [
            SimpleUploadedFile("labs.edoc", edoc(pki, pki.janis)),
            SimpleUploadedFile("bez-zimoga.edoc", edoc(pki, pki.janis, tsa=None)),
        ],
        signature_required=True,
    )

    assert len(files) == 2
    [error] = errors
    assert error.startswith("Datni „bez-zimoga.edoc” nevar pieņemt: bez laika zīmoga.")
