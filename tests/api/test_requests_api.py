"""VZD's requests through the client API: the list and one request as the pages show them, and
the answer (messages:write) through the answer page's form, file checks and services, saved and
submitted in one call, all or nothing; the clerk told as from the page."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from auditlog.models import LogEntry
from django.core import mail
from django.test import Client as HttpClient
from django.utils import timezone

from accounts.models import Client
from api.models import ApiToken, Scope
from documents.models import Document
from manskonts.validation import validate_upload
from orders.services import change_order_part_status
from orders.workflow import OrderStatus
from requisitions import services
from requisitions.models import Answer, Request, RequestItem
from requisitions.services import ItemSpec
from requisitions.workflow import RequestState
from tests.api.helpers import api_get, make_token
from tests.documents import samples
from tests.factories import EServiceFactory, OrderFactory, OrderPartFactory, StaffFactory

pytestmark = pytest.mark.django_db

WRITE = (Scope.READ, Scope.MESSAGES_WRITE)
ITEMS = [
    ItemSpec("Zemes robežu plāns"),
    ItemSpec("Kontakttālrunis", RequestItem.Kind.INFORMATION),
]


@pytest.fixture
def clerk(db):
    return StaffFactory(email="klerks@vzd.example", first_name="Ilze")


def make_part(client, number):
    order = OrderFactory(client=client, number=number)
    return OrderPartFactory(
        order=order,
        client=client,
        part_number=1,
        status=OrderStatus.IN_PROGRESS,
        planned_completion_date=timezone.localdate() + timedelta(days=40),
    )


@pytest.fixture
def part(owner_client):
    return make_part(owner_client, "2026-0004001")


@pytest.fixture
def raised(part, clerk) -> Request:
    return services.raise_request(
        part,
        ITEMS,
        "Iesniedziet zemes robežu plānu un kontakttālruni.",
        by=clerk,
        deadline=timezone.localdate() + timedelta(days=10),
    )


@pytest.fixture
def theirs(outsider, clerk) -> Request:
    other = make_part(Client.objects.get_or_create_for_person(outsider), "2026-0009001")
    return services.raise_request(other, ITEMS, "Svešs pieprasījums.", by=clerk)


def fields(req):
    file_item, info_item = req.items.order_by("position")
    return f"item_{file_item.pk}_files", f"item_{info_item.pk}_text"


def answer(token, req, data=None, files=None, key=None, language=None):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    if key is not None:
        headers["Idempotency-Key"] = key
    if language:
        headers["Accept-Language"] = language
    body = dict(data or {})
    for name, uploads in (files or {}).items():
        body[name] = [samples.upload(n, c) for n, c in uploads]
    return HttpClient().post(f"/api/v1/requests/{req.pk}/answer", body, headers=headers)


def full_answer(req, message="Plāns pielikumā."):
    file_field, text_field = fields(req)
    return {"message": message, text_field: "+371 20000000"}, {
        file_field: [("plāns.pdf", samples.PDF)]
    }


def checked(name):
    return validate_upload(samples.upload(name, samples.PDF))


def stored_files(settings) -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_the_list_holds_the_clients_requests_newest_first(raised, theirs, owner, owner_client):
    eservice = EServiceFactory(client=owner_client)
    later = services.raise_request(eservice, ITEMS[:1], "Vajag plānu.", by=None)
    token = make_token(owner_client, owner)

    body = api_get(token, "/api/v1/requests").json()

    assert [r["id"] for r in body["items"]] == [later.pk, raised.pk]
    first, second = body["items"]
    assert (first["eservice_id"], first["order_number"]) == (eservice.pk, None)
    assert (second["order_number"], second["part_number"]) == ("2026-0004001", 1)
    assert second["state"] == "open"
    # Ten days ahead, or the working day after them when they end on a weekend or holiday.
    days = (raised.deadline - timezone.localdate()).days
    assert 10 <= days <= 14
    assert second["days_left"] == f"Atlikušas {days} dienas"
    assert second["can_answer"] is True
    assert body["count"] == 2


def test_the_list_filters_by_state_open_order_and_e_service(raised, clerk, owner, owner_client):
    eservice = EServiceFactory(client=owner_client)
    on_eservice = services.raise_request(eservice, ITEMS[:1], "Vajag plānu.", by=None)
    services.withdraw(on_eservice, by=clerk)
    token = make_token(owner_client, owner)

    def ids(query):
        response = api_get(token, f"/api/v1/requests?{query}")
        assert response.status_code == 200, response.content
        return [r["id"] for r in response.json()["items"]]

    assert ids("open=true") == [raised.pk]
    assert ids("state=withdrawn") == [on_eservice.pk]
    assert ids("order=2026-0004001") == [raised.pk]
    assert ids(f"eservice={eservice.pk}") == [on_eservice.pk]
    assert api_get(token, "/api/v1/requests?state=nav").status_code == 400


def test_one_request_reads_as_its_page_shows_it(raised, owner, owner_client, clerk):
    file_field, text_field = fields(raised)
    services.save_draft(
        raised,
        by=owner,
        message="Ziņa",
        texts={raised.items.get(kind="information").pk: "+371 2"},
        files={raised.items.get(kind="file").pk: [checked("plāns.pdf")]},
    )
    services.submit_answer(raised, by=owner)
    services.ask_again(raised, "Plāns nav parakstīts.", by=clerk)
    token = make_token(owner_client, owner)

    response = api_get(token, f"/api/v1/requests/{raised.pk}")
    again = api_get(
        token, f"/api/v1/requests/{raised.pk}", headers={"If-None-Match": response["ETag"]}
    )

    body = response.json()
    assert response.status_code == 200
    assert body["text"] == "Iesniedziet zemes robežu plānu un kontakttālruni."
    assert [(i["name"], i["kind"], i["field"]) for i in body["items"]] == [
        ("Zemes robežu plāns", "file", file_field),
        ("Kontakttālrunis", "information", text_field),
    ]
    assert body["state"] == "asked_again"
    assert [e["note"] for e in body["asked_again"]] == ["Plāns nav parakstīts."]
    [submitted] = body["answers"]
    assert submitted["message"] == "Ziņa"
    entries = {e["item_id"]: e for e in submitted["items"]}
    assert entries[raised.items.get(kind="information").pk]["text"] == "+371 2"
    [document] = entries[raised.items.get(kind="file").pk]["documents"]
    assert document["name"] == "plāns.pdf"
    assert document["download_url"] == f"/api/v1/documents/{document['id']}/content"
    assert [e["action"] for e in body["history"]] == ["raised", "answered", "asked_again"]
    assert again.status_code == 304


def test_an_answer_is_saved_and_submitted_in_one_call_and_the_clerk_told_as_from_the_page(
    raised, owner, owner_client, django_capture_on_commit_callbacks
):
    token = make_token(owner_client, owner, scopes=WRITE)
    data, files = full_answer(raised)

    with django_capture_on_commit_callbacks(execute=True):
        response = answer(token, raised, data, files)

    assert response.status_code == 201, response.content
    raised.refresh_from_db()
    assert raised.state == RequestState.ANSWERED
    submitted = Answer.objects.get(request=raised)
    assert (submitted.submitted_by, submitted.message) == (owner, "Plāns pielikumā.")
    assert [d.original_name for d in Document.objects.filter(order_part=raised.order_part)] == [
        "plāns.pdf"
    ]
    assert [m.to for m in mail.outbox if "Saņemta atbilde" in m.subject] == [["klerks@vzd.example"]]
    body = response.json()
    assert body["state"] == "answered"
    assert body["can_answer"] is False
    assert body["refusal"] == (
        "Atbilde ir iesniegta; VZD to izskata. Ja VZD vajadzēs vēl ko, Jūs to redzēsiet šeit."
    )


def test_a_point_left_out_is_refused_in_the_pages_words_and_nothing_is_kept(
    raised, owner, owner_client, settings
):
    token = make_token(owner_client, owner, scopes=WRITE)
    file_field, text_field = fields(raised)

    response = answer(token, raised, {text_field: "+371 2"})
    no_text = answer(token, raised, {}, {file_field: [("plāns.pdf", samples.PDF)]})

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_values"
    assert response.json()["detail"] == (
        "Atbildiet uz visiem pieprasījuma punktiem; trūkst: Zemes robežu plāns."
    )
    assert response.json()["errors"] == {file_field: ["Pievienojiet datni."]}
    assert no_text.status_code == 400
    assert no_text.json()["errors"] == {text_field: ["Ierakstiet informāciju."]}
    assert not Answer.objects.filter(request=raised).exists()
    assert not Document.objects.exists()
    assert stored_files(settings) == []  # the file of the second call was deleted again
    assert Request.objects.get(pk=raised.pk).state == RequestState.OPEN


def test_an_answer_with_one_bad_file_stores_nothing(raised, owner, owner_client, settings):
    token = make_token(owner_client, owner, scopes=WRITE)
    file_field, text_field = fields(raised)

    response = answer(
        token,
        raised,
        {text_field: "+371 2"},
        {file_field: [("labs.pdf", samples.PDF), ("rēķins.pdf", samples.HTML)]},
    )

    message = (
        "Datnei „rēķins.pdf” jābūt PDF, JPEG, PNG, TIFF, DOCX, XLSX, ODT, ZIP, DWG, DXF, "
        "ASiC-E (EDOC) vai ASiC-S formātā."
    )
    assert response.status_code == 400
    assert response.json()["code"] == "upload_refused"
    assert response.json()["detail"] == message
    assert response.json()["errors"] == {file_field: [message]}
    assert not Answer.objects.exists()
    assert not Document.objects.exists()
    assert stored_files(settings) == []


def test_a_point_needing_a_signature_refuses_an_unsigned_file(part, clerk, owner, owner_client):
    req = services.raise_request(
        part, [ItemSpec("Parakstīts iesniegums", signed_required=True)], "Vajag.", by=clerk
    )
    [item] = req.items.all()
    token = make_token(owner_client, owner, scopes=WRITE)

    response = answer(token, req, {}, {f"item_{item.pk}_files": [("foto.png", samples.PNG)]})

    assert response.status_code == 400
    assert response.json()["code"] == "upload_refused"
    assert response.json()["detail"].startswith("Datni „foto.png” nevar pieņemt: nav parakstīts.")
    assert not Document.objects.exists()


def test_a_message_too_long_is_refused_with_the_forms_words(raised, owner, owner_client):
    token = make_token(owner_client, owner, scopes=WRITE)
    data, files = full_answer(raised, message="x" * 5001)

    response = answer(token, raised, data, files)

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_values"
    assert list(response.json()["errors"]) == ["message"]
    assert not Document.objects.exists()


@pytest.mark.parametrize(
    ("settle", "refusal"),
    [
        (
            lambda req, clerk: services.withdraw(req, by=clerk),
            "VZD atsauca pieprasījumu; atbilde vairs nav vajadzīga.",
        ),
        (
            lambda req, clerk: services.expire_due(req.deadline + timedelta(days=1)),
            "Atbildes termiņš beidzās",
        ),
        (
            lambda req, clerk: change_order_part_status(
                req.order_part, OrderStatus.CANCELLED, by=clerk
            ),
            "Pasūtījuma daļas izpilde ir pārtraukta, tāpēc atbildi uz pieprasījumu vairs nevar "
            "iesniegt.",
        ),
    ],
    ids=["withdrawn", "expired", "part-cancelled"],
)
def test_a_settled_request_or_closed_part_is_409_with_the_services_sentence(
    raised, clerk, owner, owner_client, settle, refusal, settings
):
    settle(raised, clerk)
    token = make_token(owner_client, owner, scopes=WRITE)
    data, files = full_answer(raised)

    response = answer(token, raised, data, files)

    assert response.status_code == 409
    assert response.json()["code"] == "answer_refused"
    assert response.json()["detail"].startswith(refusal)
    assert not Answer.objects.exists()
    assert not Document.objects.exists()


def test_an_answered_request_is_409(raised, owner, owner_client):
    token = make_token(owner_client, owner, scopes=WRITE)
    data, files = full_answer(raised)
    assert answer(token, raised, data, files).status_code == 201

    again = answer(token, raised, data, files)

    assert again.status_code == 409
    assert again.json()["detail"].startswith("Atbilde ir iesniegta; VZD to izskata.")
    assert Document.objects.count() == 1


def test_the_same_idempotency_key_submits_one_answer(raised, owner, owner_client):
    token = make_token(owner_client, owner, scopes=WRITE)
    data, files = full_answer(raised)

    first = answer(token, raised, data, files, key="atbilde-1")
    again = answer(token, raised, data, files, key="atbilde-1")

    assert first.status_code == again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert again.content == first.content
    assert Answer.objects.count() == 1
    assert Document.objects.count() == 1


def test_access_matrix_of_the_requests(raised, theirs, owner, owner_client):
    own = make_token(owner_client, owner, scopes=WRITE)
    read_only = make_token(owner_client, owner)
    documents_write = make_token(owner_client, owner, scopes=(Scope.READ, Scope.DOCUMENTS_WRITE))
    expired, revoked = (make_token(owner_client, owner, scopes=WRITE) for _ in range(2))
    ApiToken.objects.filter(prefix=expired.split("_")[1]).update(
        created_at=timezone.now() - timedelta(days=2), expires_at=timezone.now() - timedelta(days=1)
    )
    ApiToken.objects.filter(prefix=revoked.split("_")[1]).update(revoked_at=timezone.now())
    data, _files = full_answer(raised)
    their_data, their_files = full_answer(theirs)

    cells = {
        "another client's request, read": api_get(own, f"/api/v1/requests/{theirs.pk}").status_code,
        "another client's request, answer": answer(
            own, theirs, their_data, their_files
        ).status_code,
        "no messages:write": answer(read_only, raised, data).status_code,
        "documents:write only": answer(documents_write, raised, data).status_code,
        "expired": answer(expired, raised, data).status_code,
        "revoked": api_get(revoked, f"/api/v1/requests/{raised.pk}").status_code,
        "none": answer(None, raised, data).status_code,
    }

    assert cells == {
        "another client's request, read": 404,
        "another client's request, answer": 404,
        "no messages:write": 403,
        "documents:write only": 403,
        "expired": 401,
        "revoked": 401,
        "none": 401,
    }
    assert theirs.id not in [r["id"] for r in api_get(own, "/api/v1/requests").json()["items"]]
    assert not Answer.objects.exists()


def test_files_to_the_answer_need_messages_write_before_the_body_is_read(
    raised, owner, owner_client
):
    documents_write = make_token(owner_client, owner, scopes=(Scope.READ, Scope.DOCUMENTS_WRITE))
    file_field, _text = fields(raised)

    response = answer(
        documents_write, raised, {}, {file_field: [("liels.pdf", samples.PDF * 3000)]}
    )

    assert response.status_code == 413
    assert response.json()["code"] == "request_too_large"
    assert not Document.objects.exists()


def test_more_files_than_the_answer_takes_are_cut_off_and_nothing_stored(
    raised, owner, owner_client, settings
):
    settings.UPLOAD_URL_LIMITS = {
        **settings.UPLOAD_URL_LIMITS,
        "api-v1:answer_request": (settings.FILE_UPLOAD_MAX_BYTES, 2),
    }
    token = make_token(owner_client, owner, scopes=WRITE)
    file_field, text_field = fields(raised)

    response = answer(
        token,
        raised,
        {text_field: "+371 2"},
        {file_field: [(f"{n}.pdf", samples.PDF) for n in range(3)]},
    )

    assert response.status_code == 413
    assert response.json()["code"] == "upload_too_large"
    assert response.json()["detail"] == (
        "Vienā reizē var iesniegt ne vairāk kā 2 datnes. Jūs izvēlējāties 3."
    )
    assert not Answer.objects.exists()


def test_an_answer_is_audited_under_the_tokens_maker(raised, owner, owner_client):
    token = make_token(owner_client, owner, scopes=WRITE)
    data, files = full_answer(raised)

    answer(token, raised, data, files)

    submitted = Answer.objects.get()
    actors = set(LogEntry.objects.get_for_object(submitted).values_list("actor_id", flat=True))
    assert actors == {owner.pk}
