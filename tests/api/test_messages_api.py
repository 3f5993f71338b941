"""Conversations through the client API: the client's threads, a thread's messages with their
attachments, sending (messages:write) with the page's checks and VZD told as from the page,
marking VZD's messages read as opening the page does, and attachments under the page's rule."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from auditlog.models import LogEntry
from django.core import mail
from django.test import Client as HttpClient
from django.utils import timezone

from accounts.models import Client
from api.models import ApiToken, Scope
from conversations import services
from conversations.models import Attachment, Message, Thread
from manskonts.validation import validate_upload
from notifications.models import Notification
from tests.api.helpers import api_get, make_token
from tests.documents import samples
from tests.factories import EServiceFactory, OrderFactory, OrderPartFactory, StaffFactory

pytestmark = pytest.mark.django_db

WRITE = (Scope.READ, Scope.MESSAGES_WRITE)


@pytest.fixture
def vzd(db):
    return StaffFactory(first_name="Ilze", last_name="Kalniņa", email="ilze@vzd.example")


def make_order(client, number):
    order = OrderFactory(client=client, number=number)
    OrderPartFactory(order=order, part_number=1)
    return order


@pytest.fixture
def order(owner_client):
    return make_order(owner_client, "2026-0000200")


@pytest.fixture
def theirs(outsider):
    return make_order(Client.objects.get_or_create_for_person(outsider), "2026-0000900")


def send(token, path, text=None, files=(), key=None, as_json=False, language=None):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    if key is not None:
        headers["Idempotency-Key"] = key
    if language:
        headers["Accept-Language"] = language
    if as_json:
        return HttpClient().post(
            path, json.dumps({"text": text}), content_type="application/json", headers=headers
        )
    data = {"text": text or "", "files": [samples.upload(n, c) for n, c in files]}
    return HttpClient().post(path, data, headers=headers)


def post_read(token, thread_id, key=None):
    headers = {"Authorization": f"Bearer {token}"}
    if key is not None:
        headers["Idempotency-Key"] = key
    return HttpClient().post(f"/api/v1/threads/{thread_id}/read", headers=headers)


def messages_path(order) -> str:
    return f"/api/v1/orders/{order.number}/messages"


def pdf(name="plans.pdf"):
    return validate_upload(samples.upload(name, samples.PDF))


def test_threads_are_the_clients_newest_activity_first_with_the_unread_count(
    owner, owner_client, vzd, theirs, outsider
):
    older, newer = make_order(owner_client, "2026-0000201"), make_order(owner_client, "2026-0202")
    eservice = EServiceFactory(client=owner_client)
    services.post_message(older, by=vzd, text="Viens", from_staff=True)
    services.post_message(older, by=vzd, text="Divi", from_staff=True)
    services.post_message(eservice, by=owner, text="Jautājums", from_staff=False)
    services.post_message(newer, by=owner, text="Kad?", from_staff=False)
    services.post_message(theirs, by=outsider, text="Cits klients", from_staff=False)
    token = make_token(owner_client, owner)

    body = api_get(token, "/api/v1/threads").json()
    unread = api_get(token, "/api/v1/threads?unread=true").json()

    assert [(t["order_number"], t["eservice_id"], t["unread_count"]) for t in body["items"]] == [
        ("2026-0202", None, 0),
        (None, eservice.pk, 0),
        ("2026-0000201", None, 2),
    ]
    assert body["items"][0]["status"] == "waiting"
    assert body["items"][0]["messages_url"] == "/api/v1/orders/2026-0202/messages"
    assert body["count"] == 3
    assert [t["order_number"] for t in unread["items"]] == ["2026-0000201"]


def test_the_threads_pages_walk_with_the_cursor(owner, owner_client):
    for n in range(5):
        services.post_message(
            make_order(owner_client, f"2026-00003{n:02d}"), by=owner, text="x", from_staff=False
        )
    token = make_token(owner_client, owner)

    first = api_get(token, "/api/v1/threads?limit=3").json()
    second = api_get(token, f"/api/v1/threads?limit=3&cursor={first['next_cursor']}").json()

    numbers = [t["order_number"] for t in first["items"] + second["items"]]
    assert numbers == [f"2026-00003{n:02d}" for n in (4, 3, 2, 1, 0)]
    assert second["next_cursor"] is None


def test_a_threads_messages_are_read_oldest_first_with_attachments_and_nothing_marked_read(
    order, owner, owner_client, vzd
):
    services.post_message(order, by=owner, text="Kad būs gatavs?", from_staff=False, files=[pdf()])
    services.post_message(order, by=vzd, text="Nākamnedēļ.", from_staff=True)
    token = make_token(owner_client, owner)

    response = api_get(token, messages_path(order))
    again = api_get(token, messages_path(order), headers={"If-None-Match": response["ETag"]})

    body = response.json()
    assert response.status_code == 200
    assert [(m["text"], m["author"], m["from_vzd"], m["new"]) for m in body["items"]] == [
        ("Kad būs gatavs?", "Anna Bērziņa", False, False),
        ("Nākamnedēļ.", "VZD — Ilze", True, True),
    ]
    [attachment] = body["items"][0]["attachments"]
    assert attachment["name"] == "plans.pdf"
    assert attachment["download_url"] == (
        f"/api/v1/message-attachments/{Attachment.objects.get().pk}/content"
    )
    assert body["thread"]["unread_count"] == 1
    assert again.status_code == 304
    assert Message.objects.get(from_staff=True).read_at is None  # a GET marks nothing read


def test_an_order_or_e_service_nobody_wrote_about_has_no_thread(owner, owner_client):
    eservice = EServiceFactory(client=owner_client)
    token = make_token(owner_client, owner)

    body = api_get(token, f"/api/v1/eservices/{eservice.pk}/messages").json()

    assert body == {"thread": None, "items": []}


def test_a_message_sent_as_json_is_posted_as_from_the_page_and_the_assigned_clerk_emailed_once(
    order, owner, owner_client, vzd, django_capture_on_commit_callbacks
):
    services.post_message(order, by=vzd, text="Sveiki", from_staff=True)
    services.assign(Thread.objects.all(), vzd)
    token = make_token(owner_client, owner, scopes=WRITE)

    with django_capture_on_commit_callbacks(execute=True):
        response = send(token, messages_path(order), "  Paldies, plāns klāt  ", as_json=True)

    message = Message.objects.get(from_staff=False)
    assert response.status_code == 201
    assert response.json()["id"] == message.pk
    assert response.json()["text"] == "Paldies, plāns klāt"
    assert (message.author, message.author_name) == (owner, "Anna Bērziņa")
    assert Thread.objects.get().status == Thread.Status.WAITING
    assert [m.to for m in mail.outbox] == [[vzd.email]]
    assert "Paldies, plāns klāt" in mail.outbox[0].body
    assert f"/admin/conversations/thread/{message.thread_id}/change/" in mail.outbox[0].body


def test_a_message_with_files_stores_its_attachments(owner, owner_client, settings):
    settings.CONVERSATIONS_STAFF_EMAIL = "klienti@vzd.example.lv"
    eservice = EServiceFactory(client=owner_client)
    token = make_token(owner_client, owner, scopes=WRITE)

    response = send(
        token,
        f"/api/v1/eservices/{eservice.pk}/messages",
        "Pievienoju plānu.",
        [("plāns.pdf", samples.PDF), ("a.png", samples.PNG)],
    )

    assert response.status_code == 201
    message = Message.objects.get()
    assert message.thread.eservice_id == eservice.pk
    assert [a.original_name for a in message.attachments.order_by("id")] == ["plāns.pdf", "a.png"]
    assert [a["name"] for a in response.json()["attachments"]] == ["plāns.pdf", "a.png"]


def test_an_empty_message_is_refused_in_the_pages_words_and_english_when_asked(
    order, owner, owner_client
):
    token = make_token(owner_client, owner, scopes=WRITE)

    latvian = send(token, messages_path(order), "   ")
    english = send(token, messages_path(order), "", as_json=True, language="en")
    too_long = send(token, messages_path(order), "x" * 5001, as_json=True)

    assert latvian.status_code == english.status_code == too_long.status_code == 400
    assert latvian.json()["code"] == "invalid_values"
    assert latvian.json()["errors"] == {"text": ["Uzrakstiet ziņu."]}
    assert english.json()["detail"] != "Uzrakstiet ziņu."
    assert too_long.json()["detail"] == ("Ziņā var būt ne vairāk kā 5000 rakstzīmes (Jums — 5001).")
    assert not Thread.objects.exists()


def test_a_bad_attachment_refuses_the_whole_message_and_nothing_is_stored(
    order, owner, owner_client, settings
):
    token = make_token(owner_client, owner, scopes=WRITE)

    response = send(
        token,
        messages_path(order),
        "Plāns",
        [("labs.pdf", samples.PDF), ("rēķins.pdf", samples.HTML)],
    )

    assert response.status_code == 400
    assert response.json()["code"] == "upload_refused"
    assert response.json()["errors"]["files"] == [
        "Datnei „rēķins.pdf” jābūt PDF, JPEG, PNG, TIFF, DOCX, XLSX, ODT, ZIP, DWG, DXF, "
        "ASiC-E (EDOC) vai ASiC-S formātā."
    ]
    assert (Message.objects.count(), Attachment.objects.count(), Thread.objects.count()) == (
        0,
        0,
        0,
    )


def test_more_files_than_a_message_takes_are_refused_before_they_are_kept(
    order, owner, owner_client
):
    token = make_token(owner_client, owner, scopes=WRITE)

    response = send(
        token, messages_path(order), "Daudz", [(f"p{n}.pdf", samples.PDF) for n in range(6)]
    )

    assert response.status_code == 413
    assert response.json()["code"] == "upload_too_large"
    assert response.json()["detail"] == (
        "Vienā reizē var iesniegt ne vairāk kā 5 datnes. Jūs izvēlējāties 6."
    )
    assert not Message.objects.exists()


def test_only_messages_write_sends_files_to_a_message_and_not_to_the_documents_upload(
    order, owner, owner_client
):
    documents_only = make_token(owner_client, owner, scopes=(Scope.READ, Scope.DOCUMENTS_WRITE))
    messages_only = make_token(owner_client, owner, scopes=WRITE)
    big = [("liels.pdf", samples.PDF * 3000)]

    to_message = send(documents_only, messages_path(order), "Plāns", big)
    to_documents = send(messages_only, f"/api/v1/orders/{order.number}/documents", "x", big)
    small = send(documents_only, messages_path(order), "Plāns", as_json=True)

    # Both refused before the body is read (the small limits), nothing kept.
    assert (to_message.status_code, to_documents.status_code) == (413, 413)
    assert to_message.json()["code"] == to_documents.json()["code"] == "request_too_large"
    assert small.status_code == 403
    assert small.json()["scope"] == "messages:write"
    assert not Message.objects.exists()


def test_access_matrix_of_the_messages(order, theirs, owner, owner_client, outsider):
    own = make_token(owner_client, owner, scopes=WRITE)
    read_only = make_token(owner_client, owner)
    expired, revoked = (make_token(owner_client, owner, scopes=WRITE) for _ in range(2))
    ApiToken.objects.filter(prefix=expired.split("_")[1]).update(
        created_at=timezone.now() - timedelta(days=2), expires_at=timezone.now() - timedelta(days=1)
    )
    ApiToken.objects.filter(prefix=revoked.split("_")[1]).update(revoked_at=timezone.now())
    message = services.post_message(
        theirs, by=outsider, text="Svešs", from_staff=False, files=[pdf()]
    )
    their_attachment = f"/api/v1/message-attachments/{message.attachments.get().pk}/content"

    cells = {
        "another client's order, read": api_get(own, messages_path(theirs)).status_code,
        "another client's order, post": send(own, messages_path(theirs), "x").status_code,
        "another client's thread, read": post_read(own, message.thread_id).status_code,
        "another client's attachment": api_get(own, their_attachment).status_code,
        "no messages:write": send(read_only, messages_path(order), "x").status_code,
        "expired": send(expired, messages_path(order), "x").status_code,
        "revoked": send(revoked, messages_path(order), "x").status_code,
        "expired, read": api_get(expired, messages_path(order)).status_code,
        "none": send(None, messages_path(order), "x").status_code,
    }

    assert cells == {
        "another client's order, read": 404,
        "another client's order, post": 404,
        "another client's thread, read": 404,
        "another client's attachment": 404,
        "no messages:write": 403,
        "expired": 401,
        "revoked": 401,
        "expired, read": 401,
        "none": 401,
    }
    assert Message.objects.count() == 1
    assert Message.objects.get().read_at is None


def test_the_same_idempotency_key_sends_one_message(order, owner, owner_client):
    token = make_token(owner_client, owner, scopes=WRITE)

    first = send(token, messages_path(order), "Vienreiz", [("a.pdf", samples.PDF)], key="z-1")
    again = send(token, messages_path(order), "Vienreiz", [("a.pdf", samples.PDF)], key="z-1")
    other = send(token, messages_path(order), "Citādi", key="z-1")

    assert first.status_code == again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert again.content == first.content
    assert other.status_code == 422
    assert (Message.objects.count(), Attachment.objects.count()) == (1, 1)


def test_reading_the_thread_marks_vzds_messages_and_their_notifications_read_as_the_page_does(
    order, owner, owner_client, vzd
):
    services.post_message(order, by=vzd, text="Lūdzu, iesniedziet plānu.", from_staff=True)
    services.post_message(order, by=vzd, text="Un vēl.", from_staff=True)
    thread = Thread.objects.get()
    token = make_token(owner_client, owner)

    first = post_read(token, thread.pk)
    again = post_read(token, thread.pk)

    assert first.status_code == again.status_code == 200
    assert first.json()["marked_read"] == 2
    assert again.json()["marked_read"] == 0
    assert first.json()["thread"]["unread_count"] == 0
    assert not Message.objects.unread_by_client().exists()
    assert not Notification.objects.filter(read_at__isnull=True).exists()
    threads = api_get(token, "/api/v1/threads").json()["items"]
    assert [t["unread_count"] for t in threads] == [0]


def test_an_attachment_downloads_and_is_410_once_purged_in_the_pages_words(
    order, owner, owner_client
):
    message = services.post_message(order, by=owner, text="x", from_staff=False, files=[pdf()])
    attachment = message.attachments.get()
    url = f"/api/v1/message-attachments/{attachment.pk}/content"
    token = make_token(owner_client, owner)

    response = api_get(token, url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == samples.PDF

    Attachment.objects.filter(pk=attachment.pk).update(
        uploaded_at=timezone.now() - timedelta(days=91)
    )
    services.purge_expired_attachments()
    gone = api_get(token, url)
    assert gone.status_code == 410
    assert gone.json()["code"] == "file_deleted"
    assert gone.json()["detail"] == "Datne dzēsta pēc 90 dienām."


def test_a_message_is_audited_under_the_tokens_maker(order, owner, owner_client):
    token = make_token(owner_client, owner, scopes=WRITE)

    send(token, messages_path(order), "Jautājums", as_json=True)

    entry = LogEntry.objects.get_for_object(Message.objects.get()).get()
    assert entry.actor_id == owner.pk
