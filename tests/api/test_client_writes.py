"""The own label of an e-service through the client API (documents:write): the page's form, its
words and its sort key; another client's e-service 404; Idempotency-Key honoured."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from auditlog.models import LogEntry
from django.test import Client as HttpClient
from django.utils import timezone

from accounts.models import Client
from api.models import ApiToken, Scope
from eservices.models import EService
from tests.api.helpers import api_get, make_token
from tests.factories import EServiceFactory

pytestmark = pytest.mark.django_db

WRITE = (Scope.READ, Scope.DOCUMENTS_WRITE)


def put_label(token, eservice_id, label, key=None, language=None):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    if key is not None:
        headers["Idempotency-Key"] = key
    if language:
        headers["Accept-Language"] = language
    return HttpClient().put(
        f"/api/v1/eservices/{eservice_id}/label",
        json.dumps({"label": label}),
        content_type="application/json",
        headers=headers,
    )


def expire(token):
    ApiToken.objects.filter(prefix=token.split("_")[1]).update(
        created_at=timezone.now() - timedelta(days=2), expires_at=timezone.now() - timedelta(days=1)
    )


def revoke(token):
    ApiToken.objects.filter(prefix=token.split("_")[1]).update(revoked_at=timezone.now())


def test_a_label_is_saved_stripped_with_its_sort_key_and_the_detail_answered(owner, owner_client):
    eservice = EServiceFactory(client=owner_client)
    token = make_token(owner_client, owner, scopes=WRITE)
    before = api_get(token, f"/api/v1/eservices/{eservice.pk}")

    response = put_label(token, eservice.pk, "  Šķūnis  ")

    eservice.refresh_from_db()
    after = api_get(token, f"/api/v1/eservices/{eservice.pk}")
    assert response.status_code == 200
    assert response.json()["label"] == "Šķūnis"
    assert response.json()["id"] == eservice.pk
    assert eservice.label == "Šķūnis"
    assert eservice.label_key != "~"
    assert response["ETag"] == after["ETag"] != before["ETag"]


def test_the_label_sorts_the_list_as_the_page_sorts_it(owner, owner_client):
    first, second = EServiceFactory(client=owner_client), EServiceFactory(client=owner_client)
    token = make_token(owner_client, owner, scopes=WRITE)

    put_label(token, first.pk, "Zeme")
    put_label(token, second.pk, "Ābele")

    listed = api_get(token, "/api/v1/eservices?sort=label").json()["items"]
    assert [i["label"] for i in listed] == ["Ābele", "Zeme"]


@pytest.mark.parametrize("cleared", ["", None, "   "])
def test_an_empty_or_null_label_clears_it(owner, owner_client, cleared):
    eservice = EServiceFactory(client=owner_client, label="Māja")
    token = make_token(owner_client, owner, scopes=WRITE)

    response = put_label(token, eservice.pk, cleared)

    eservice.refresh_from_db()
    assert response.status_code == 200
    assert response.json()["label"] is None
    assert eservice.label is None
    assert eservice.label_key == "~"


def test_a_label_taken_by_another_of_the_clients_e_services_is_refused_in_the_forms_words(
    owner, owner_client
):
    taken = EServiceFactory(client=owner_client, label="Māja")
    eservice = EServiceFactory(client=owner_client, label="Birojs")
    token = make_token(owner_client, owner, scopes=WRITE)

    response = put_label(token, eservice.pk, "MĀJA")

    eservice.refresh_from_db()
    message = f"Identifikators „MĀJA” jau piešķirts e-pakalpojumam {taken.pk}. Izvēlieties citu."
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "invalid_values"
    assert response.json()["detail"] == message
    assert response.json()["errors"] == {"label": [message]}
    assert eservice.label == "Birojs"


def test_a_label_too_long_is_refused_in_the_forms_words_and_in_english_when_asked(
    owner, owner_client
):
    eservice = EServiceFactory(client=owner_client)
    token = make_token(owner_client, owner, scopes=WRITE)

    latvian = put_label(token, eservice.pk, "x" * 101)
    english = put_label(token, eservice.pk, "x" * 101, language="en")

    assert latvian.status_code == english.status_code == 400
    assert latvian.json()["errors"] == {
        "label": ["Identifikators var būt ne garāks par 100 zīmēm."]
    }
    assert english["Content-Language"] == "en"
    assert english.json()["detail"] != latvian.json()["detail"]
    assert EService.objects.get(pk=eservice.pk).label is None


def test_the_same_label_is_allowed_for_another_client(owner, owner_client, outsider):
    EServiceFactory(client=Client.objects.get_or_create_for_person(outsider), label="Māja")
    eservice = EServiceFactory(client=owner_client)
    token = make_token(owner_client, owner, scopes=WRITE)

    assert put_label(token, eservice.pk, "Māja").status_code == 200


def test_access_matrix_of_the_label(owner, owner_client, outsider):
    eservice = EServiceFactory(client=owner_client, label="Sākums")
    theirs = EServiceFactory(client=Client.objects.get_or_create_for_person(outsider))
    own = make_token(owner_client, owner, scopes=WRITE)
    read_only = make_token(owner_client, owner, scopes=[Scope.READ, Scope.MESSAGES_WRITE])
    expired, revoked = (make_token(owner_client, owner, scopes=WRITE) for _ in range(2))
    expire(expired)
    revoke(revoked)

    cells = {
        "another client's e-service": put_label(own, theirs.pk, "A").status_code,
        "no documents:write": put_label(read_only, eservice.pk, "B").status_code,
        "expired": put_label(expired, eservice.pk, "C").status_code,
        "revoked": put_label(revoked, eservice.pk, "D").status_code,
        "none": put_label(None, eservice.pk, "E").status_code,
    }

    assert cells == {
        "another client's e-service": 404,
        "no documents:write": 403,
        "expired": 401,
        "revoked": 401,
        "none": 401,
    }
    assert put_label(read_only, eservice.pk, "B").json()["scope"] == "documents:write"
    assert EService.objects.get(pk=eservice.pk).label == "Sākums"
    assert EService.objects.get(pk=theirs.pk).label is None


def test_the_same_idempotency_key_answers_the_first_put_again(owner, owner_client):
    eservice = EServiceFactory(client=owner_client)
    token = make_token(owner_client, owner, scopes=WRITE)

    first = put_label(token, eservice.pk, "Māja", key="etikete-1")
    EService.objects.filter(pk=eservice.pk).update(label="Cits")
    again = put_label(token, eservice.pk, "Māja", key="etikete-1")
    other = put_label(token, eservice.pk, "Šķūnis", key="etikete-1")

    assert first.status_code == again.status_code == 200
    assert again["Idempotent-Replayed"] == "true"
    assert again.content == first.content
    assert other.status_code == 422
    assert EService.objects.get(pk=eservice.pk).label == "Cits"  # the replay did nothing


def test_the_label_is_audited_under_the_tokens_maker(owner, owner_client):
    eservice = EServiceFactory(client=owner_client)
    token = make_token(owner_client, owner, scopes=WRITE)

    put_label(token, eservice.pk, "Māja")

    entry = LogEntry.objects.get_for_object(eservice).latest("timestamp")
    assert entry.actor_id == owner.pk
    assert entry.changes_dict["label"] == ["None", "Māja"]
