"""Uploads through the client API (documents:write): the page's validation, signature check,
storage and size limits; refusals as problems with the page's words, and nothing stored."""

from __future__ import annotations

from pathlib import Path

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.test import Client as HttpClient

from accounts.models import Client
from api.models import BackOfficeScope, Scope
from api.service_accounts import create_account, issue_access_token
from documents.models import Document
from orders.workflow import OrderStatus
from tests.api.helpers import make_token
from tests.documents import samples
from tests.factories import EServiceFactory, OrderFactory, OrderPartFactory, StaffFactory

pytestmark = pytest.mark.django_db

WRITE = (Scope.READ, Scope.DOCUMENTS_WRITE)


def stored_files(settings) -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def post(token, path, files=(), key=None, **fields):
    headers = {"Authorization": f"Bearer {token}"}
    if key is not None:
        headers["Idempotency-Key"] = key
    data = {**fields, "files": [samples.upload(name, content) for name, content in files]}
    return HttpClient().post(path, data, headers=headers)


@pytest.fixture
def order(owner_client):
    order = OrderFactory(client=owner_client, number="2026-0000042")
    OrderPartFactory(order=order, part_number=1)
    return order


@pytest.fixture
def eservice(owner_client):
    return EServiceFactory(client=owner_client)


def order_path(order) -> str:
    return f"/api/v1/orders/{order.number}/documents"


def test_a_token_with_documents_write_submits_files_to_an_order(owner, owner_client, order):
    token = make_token(owner_client, owner, scopes=WRITE)

    response = post(token, order_path(order), [("plāns.pdf", samples.PDF), ("a.png", samples.PNG)])

    assert response.status_code == 201
    documents = list(Document.objects.order_by("id"))
    assert [d.original_name for d in documents] == ["plāns.pdf", "a.png"]
    assert {d.direction for d in documents} == {Document.Direction.SUBMITTED}
    assert {d.order_part_id for d in documents} == {order.parts.get().pk}
    assert {d.uploaded_by_id for d in documents} == {owner.pk}
    assert documents[0].file.read() == samples.PDF
    body = response.json()
    assert [(d["id"], d["order_number"], d["part_number"]) for d in body["items"]] == [
        (documents[0].pk, order.number, 1),
        (documents[1].pk, order.number, 1),
    ]


def test_a_token_submits_files_to_an_e_service(owner, owner_client, eservice):
    token = make_token(owner_client, owner, scopes=WRITE)

    response = post(token, f"/api/v1/eservices/{eservice.pk}/documents", [("a.pdf", samples.PDF)])

    assert response.status_code == 201
    [document] = Document.objects.all()
    assert document.eservice_id == eservice.pk
    assert response.json()["items"][0]["eservice_id"] == eservice.pk


def test_another_clients_order_or_e_service_is_404_and_nothing_stored(
    owner, owner_client, outsider, settings
):
    token = make_token(owner_client, owner, scopes=WRITE)
    theirs = Client.objects.get_or_create_for_person(outsider)
    other_order = OrderFactory(client=theirs)
    OrderPartFactory(order=other_order, part_number=1)
    other_eservice = EServiceFactory(client=theirs)

    answers = [
        post(token, order_path(other_order), [("a.pdf", samples.PDF)]),
        post(token, f"/api/v1/eservices/{other_eservice.pk}/documents", [("a.pdf", samples.PDF)]),
    ]

    assert [a.status_code for a in answers] == [404, 404]
    assert {a.json()["code"] for a in answers} == {"not_found"}
    assert not Document.objects.exists()
    assert stored_files(settings) == []


def test_a_token_without_documents_write_is_403_and_nothing_stored(
    owner, owner_client, order, settings
):
    token = make_token(owner_client, owner, scopes=(Scope.READ,))

    response = post(token, order_path(order), [("a.pdf", samples.PDF)])

    assert response.status_code == 403
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "insufficient_scope"
    assert response.json()["scope"] == "documents:write"
    assert not Document.objects.exists()
    assert stored_files(settings) == []


def test_without_documents_write_a_large_body_is_refused_before_it_is_read(
    owner, owner_client, order
):
    token = make_token(owner_client, owner, scopes=(Scope.READ,))

    response = post(token, order_path(order), [("liels.pdf", samples.PDF * 3000)])

    assert response.status_code == 413
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "request_too_large"
    assert not Document.objects.exists()


def test_a_bad_file_among_good_ones_is_refused_with_the_pages_words_and_nothing_stored(
    owner, owner_client, order, settings
):
    token = make_token(owner_client, owner, scopes=WRITE)

    response = post(
        token, order_path(order), [("labs.pdf", samples.PDF), ("rēķins.pdf", samples.HTML)]
    )

    assert response.status_code == 400
    problem = response.json()
    message = (
        "Datnei „rēķins.pdf” jābūt PDF, JPEG, PNG, TIFF, DOCX, XLSX, ODT, ZIP, DWG, DXF, "
        "ASiC-E (EDOC) vai ASiC-S formātā."
    )
    assert problem["code"] == "upload_refused"
    assert problem["detail"] == message
    assert problem["errors"] == {"files": [message]}
    assert not Document.objects.exists()
    assert stored_files(settings) == []


def test_no_file_is_refused_with_the_pages_words(owner, owner_client, eservice):
    token = make_token(owner_client, owner, scopes=WRITE)

    response = post(token, f"/api/v1/eservices/{eservice.pk}/documents")

    assert response.status_code == 400
    assert response.json()["detail"] == "Izvēlieties vismaz vienu datni."


def test_a_refusal_is_in_english_when_asked(owner, owner_client, eservice):
    token = make_token(owner_client, owner, scopes=WRITE)

    response = HttpClient().post(
        f"/api/v1/eservices/{eservice.pk}/documents",
        {"files": []},
        headers={"Authorization": f"Bearer {token}", "Accept-Language": "en"},
    )

    assert response.status_code == 400
    assert response["Content-Language"] == "en"
    assert response.json()["detail"] == "Choose at least one file."


def test_a_file_over_the_limit_is_cut_off_refused_and_nothing_stored(
    owner, owner_client, eservice, settings
):
    settings.UPLOAD_URL_LIMITS = {
        **settings.UPLOAD_URL_LIMITS,
        "api-v1:upload_eservice_documents": (2048, 10),
    }
    token = make_token(owner_client, owner, scopes=WRITE)

    response = post(
        token,
        f"/api/v1/eservices/{eservice.pk}/documents",
        [("mazs.pdf", samples.PDF), ("liels.pdf", samples.PDF * 200)],
    )

    assert response.status_code == 413
    assert response.json()["code"] == "upload_too_large"
    assert response.json()["detail"] == "Datnei „liels.pdf” jābūt mazākai par 2,0\xa0KB."
    assert not Document.objects.exists()
    assert stored_files(settings) == []


def test_too_many_files_are_refused_with_the_pages_words(owner, owner_client, eservice, settings):
    settings.UPLOAD_URL_LIMITS = {
        **settings.UPLOAD_URL_LIMITS,
        "api-v1:upload_eservice_documents": (settings.FILE_UPLOAD_MAX_BYTES, 2),
    }
    token = make_token(owner_client, owner, scopes=WRITE)

    response = post(
        token,
        f"/api/v1/eservices/{eservice.pk}/documents",
        [(f"{n}.pdf", samples.PDF) for n in range(3)],
    )

    assert response.status_code == 413
    assert response.json()["detail"] == (
        "Vienā reizē var iesniegt ne vairāk kā 2 datnes. Jūs izvēlējāties 3."
    )
    assert not Document.objects.exists()


def test_an_order_with_several_parts_needs_the_part(owner, owner_client, order):
    OrderPartFactory(order=order, part_number=2)
    token = make_token(owner_client, owner, scopes=WRITE)

    refused = post(token, order_path(order), [("a.pdf", samples.PDF)])
    stored = post(token, order_path(order), [("a.pdf", samples.PDF)], part="2")

    assert refused.status_code == 400
    assert refused.json()["errors"] == {
        "part": ["Izvēlieties pasūtījuma daļu, kurai iesniedzat dokumentus."]
    }
    assert stored.status_code == 201
    assert Document.objects.get().order_part.part_number == 2


def test_a_completed_part_takes_no_documents(owner, owner_client, order):
    order.parts.update(status=OrderStatus.COMPLETED)
    token = make_token(owner_client, owner, scopes=WRITE)

    response = post(token, order_path(order), [("a.pdf", samples.PDF)])

    assert response.status_code == 409
    assert response.json()["code"] == "documents_closed"
    assert response.json()["detail"].startswith(
        "Dokumentus vairs nevar iesniegt: pasūtījuma daļas 1 statuss ir „"
    )
    assert not Document.objects.exists()


def test_a_service_requiring_a_signature_refuses_an_unsigned_file(owner, owner_client, eservice):
    service = eservice.service
    service.signature_required = True
    service.save(update_fields=["signature_required"])
    token = make_token(owner_client, owner, scopes=WRITE)

    response = post(
        token, f"/api/v1/eservices/{eservice.pk}/documents", [("foto.png", samples.PNG)]
    )

    assert response.status_code == 400
    assert response.json()["detail"].startswith("Datni „foto.png” nevar pieņemt: nav parakstīts.")
    assert not Document.objects.exists()


def test_the_same_idempotency_key_stores_the_files_once(owner, owner_client, eservice):
    token = make_token(owner_client, owner, scopes=WRITE)
    path = f"/api/v1/eservices/{eservice.pk}/documents"

    first = post(token, path, [("a.pdf", samples.PDF)], key="augšupielāde-1".encode().hex())
    again = post(token, path, [("a.pdf", samples.PDF)], key="augšupielāde-1".encode().hex())
    other = post(token, path, [("b.pdf", samples.PDF)], key="augšupielāde-1".encode().hex())

    assert first.status_code == again.status_code == 201
    assert again.content == first.content
    assert again["Idempotent-Replayed"] == "true"
    assert other.status_code == 422
    assert Document.objects.count() == 1


def test_a_declared_length_over_the_limit_is_refused_before_reading(
    owner, owner_client, eservice, settings
):
    settings.UPLOAD_URL_LIMITS = {
        **settings.UPLOAD_URL_LIMITS,
        "api-v1:upload_eservice_documents": (1024 * 1024, 2),
    }
    token = make_token(owner_client, owner, scopes=WRITE)

    response = HttpClient().post(
        f"/api/v1/eservices/{eservice.pk}/documents",
        {"files": [samples.upload("a.pdf", samples.PDF)]},
        headers={"Authorization": f"Bearer {token}"},
        CONTENT_LENGTH=str(400 * 1024 * 1024),
    )

    assert response.status_code == 413
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "upload_too_large"
    assert response.json()["detail"] == "Vienā reizē var iesniegt ne vairāk kā 2,1\xa0MB."
    assert not Document.objects.exists()


def test_an_upload_is_audited_under_the_tokens_maker(owner, owner_client, eservice):
    token = make_token(owner_client, owner, scopes=WRITE)

    post(token, f"/api/v1/eservices/{eservice.pk}/documents", [("a.pdf", samples.PDF)])

    document = Document.objects.get()
    [entry] = LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Document), object_pk=str(document.pk)
    )
    assert entry.actor_id == owner.pk


def test_a_service_token_may_not_send_files_to_a_clients_upload(
    owner, owner_client, eservice, settings
):
    superuser = StaffFactory(is_superuser=True)
    account, secret = create_account(name="Sistēma", scopes=list(BackOfficeScope), by=superuser)
    _row, service_token = issue_access_token(account.client_id, secret)

    response = HttpClient().post(
        f"/api/v1/eservices/{eservice.pk}/documents",
        {"files": [samples.upload("liels.pdf", samples.PDF * 3000)]},
        headers={"Authorization": f"Bearer {service_token}"},
    )

    assert response.status_code == 413  # the small limits: refused before the body is read
    assert not Document.objects.exists()
