"""VZD's replies through the back-office API (messages:write): as a clerk's reply in the admin,
through post_message from staff: the thread answered, the client's messages read by VZD, the
client's people told in the same words (signed with the account's name), audited under the
account's user; attachments under the admin's checks; scopes and a replay."""

from __future__ import annotations

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.test import Client as HttpClient
from django.urls import reverse

from api.models import BackOfficeScope
from conversations import services
from conversations.models import Message, Thread
from notifications.models import Notification
from tests.api.backoffice import access_token, call, make_account
from tests.api.helpers import make_token
from tests.documents import samples
from tests.factories import EServiceFactory, OrderFactory, OrderPartFactory

pytestmark = pytest.mark.django_db

TEXT = "Robežu plāns saņemts, paldies."


def asked(client, person, number):
    order = OrderFactory(client=client, number=number)
    OrderPartFactory(order=order, part_number=1)
    services.post_message(order, by=person, text="Kad būs gatavs?", from_staff=False)
    return order


def test_a_reply_is_the_admins_reply(account, token, clerk, owner, owner_client):
    by_api = asked(owner_client, owner, "2026-7300001")
    by_admin = asked(owner_client, owner, "2026-7300002")
    admin = HttpClient()
    admin.force_login(clerk)
    before = set(Notification.objects.values_list("pk", flat=True))
    thread = Thread.objects.get(order=by_admin)

    page = admin.post(
        reverse("admin:conversations_thread_change", args=[thread.pk]),
        {"assignee": "", "reply_text": TEXT},
    )
    response = call(
        "post", token, "/api/v1/backoffice/orders/2026-7300001/messages", {"text": TEXT}
    )

    assert page.status_code == 302
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["from_vzd"], body["author"], body["text"]) == (True, f"VZD — {account.name}", TEXT)
    for order in (by_api, by_admin):
        thread = Thread.objects.get(order=order)
        assert thread.status == Thread.Status.ANSWERED
        assert not thread.messages.filter(from_staff=False, read_at__isnull=True).exists()
    told = Notification.objects.exclude(pk__in=before).order_by("pk")
    by_number = {
        number: [
            (n.kind, n.recipient_id, n.subject.replace(number, "N"), n.link.replace(number, "N"))
            for n in told
            if number in n.subject
        ]
        for number in ("2026-7300001", "2026-7300002")
    }
    assert by_number["2026-7300001"] == by_number["2026-7300002"] != []
    [api_notice] = [n for n in told if "2026-7300001" in n.subject]
    assert api_notice.body == (
        f"VZD — {account.name} raksta: {TEXT} Atbildēt varat portālā Mans konts."
    )
    message = Message.objects.get(thread__order=by_api, from_staff=True)
    assert message.author_id == account.user_id
    entry = LogEntry.objects.get(
        content_type=ContentType.objects.get_for_model(Message), object_id=message.pk
    )
    assert (entry.action, entry.actor_id) == (LogEntry.Action.CREATE, account.user_id)


def test_a_reply_on_an_e_service_starts_its_thread_with_an_attachment(token, owner, owner_client):
    eservice = EServiceFactory(client=owner_client, requested_by=owner)

    response = HttpClient().post(
        f"/api/v1/backoffice/eservices/{eservice.pk}/messages",
        {"text": TEXT, "files": [samples.upload("karte.pdf", samples.PDF)]},
        headers={"Authorization": f"Bearer {token}"},
    )

    assert response.status_code == 201, response.content
    assert [a["name"] for a in response.json()["attachments"]] == ["karte.pdf"]
    thread = Thread.objects.get(eservice=eservice)
    assert thread.client_id == owner_client.pk
    assert Notification.objects.get(kind=Notification.Kind.MESSAGE).link == reverse(
        "eservices:detail", args=[eservice.pk]
    )


def test_a_blank_message_or_a_bad_file_is_400_and_nothing_posted(token, owner, owner_client):
    asked(owner_client, owner, "2026-7300001")
    path = "/api/v1/backoffice/orders/2026-7300001/messages"

    blank = call("post", token, path, {"text": "  "})
    bad = HttpClient().post(
        path,
        {"text": TEXT, "files": [samples.upload("a.pdf", samples.HTML)]},
        headers={"Authorization": f"Bearer {token}"},
    )

    assert blank.status_code == 400
    assert blank.json()["detail"] == "Uzrakstiet ziņu."
    assert bad.status_code == 400
    assert bad.json()["code"] == "upload_refused"
    assert not Message.objects.filter(from_staff=True).exists()


def test_a_replayed_reply_is_posted_once(token, owner, owner_client):
    asked(owner_client, owner, "2026-7300001")
    path = "/api/v1/backoffice/orders/2026-7300001/messages"

    first = call("post", token, path, {"text": TEXT}, key="msg-1")
    again = call("post", token, path, {"text": TEXT}, key="msg-1")

    assert (first.status_code, again.status_code) == (201, 201)
    assert again["Idempotent-Replayed"] == "true"
    assert Message.objects.filter(from_staff=True).count() == 1


def test_without_messages_write_403_and_a_clients_token_401(superuser, owner, owner_client):
    asked(owner_client, owner, "2026-7300001")
    path = "/api/v1/backoffice/orders/2026-7300001/messages"
    others = [s for s in BackOfficeScope if s != BackOfficeScope.MESSAGES_WRITE]
    without = access_token(make_account(superuser, others, "Bez ziņām"))

    refused = call("post", without, path, {"text": TEXT})
    files = HttpClient().post(
        path,
        {"text": TEXT, "files": [samples.upload("a.pdf", samples.PDF)]},
        headers={"Authorization": f"Bearer {without}"},
    )
    clients = call("post", make_token(owner_client, owner), path, {"text": TEXT})
    unknown = call(
        "post",
        access_token(make_account(superuser)),
        "/api/v1/backoffice/orders/2026-7399999/messages",
        {"text": TEXT},
    )

    assert (refused.status_code, refused.json()["scope"]) == (403, "messages:write")
    assert files.status_code == 403  # and no upload room: the body was not kept
    assert clients.status_code == 401
    assert unknown.status_code == 404
    assert not Message.objects.filter(from_staff=True).exists()


def test_the_admin_offers_messages_write_to_a_service_account(superuser):
    http = HttpClient()
    http.force_login(superuser)

    page = http.get(reverse("admin:api_serviceaccount_add"))

    assert 'value="messages:write"' in page.content.decode()


def test_a_conversation_is_assigned_to_the_clerk_named_as_assign_to_me_does(
    account, token, clerk, owner, owner_client
):
    order = asked(owner_client, owner, "2026-7300001")
    eservice = EServiceFactory(client=owner_client, requested_by=owner)
    services.post_message(eservice, by=owner, text="Jautājums.", from_staff=False)
    path = "/api/v1/backoffice/orders/2026-7300001/conversation/assign"

    assigned = call("post", token, path, {"clerk": clerk.username})
    again = call("post", token, path, {"clerk": clerk.username})
    on_eservice = call(
        "post",
        token,
        f"/api/v1/backoffice/eservices/{eservice.pk}/conversation/assign",
        {"clerk": clerk.username},
    )

    thread = Thread.objects.get(order=order)
    assert assigned.status_code == 200, assigned.content
    assert assigned.json() == {"thread_id": thread.pk, "assignee": clerk.username, "changed": True}
    assert again.json()["changed"] is False
    assert thread.assignee_id == clerk.pk
    assert Thread.objects.get(eservice=eservice).assignee_id == clerk.pk
    assert on_eservice.status_code == 200
    [entry] = LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Thread),
        object_id=thread.pk,
        action=LogEntry.Action.UPDATE,
        changes__has_key="assignee",
    )
    assert entry.actor_id == account.user_id


def test_a_conversation_for_no_clerk_a_client_or_no_thread_is_refused(
    token, clerk, owner, owner_client
):
    asked(owner_client, owner, "2026-7300001")
    OrderFactory(client=owner_client, number="2026-7300002")  # nobody has written
    path = "/api/v1/backoffice/orders/2026-7300001/conversation/assign"

    unknown = call("post", token, path, {"clerk": "nav-tada"})
    client_person = call("post", token, path, {"clerk": owner.username})
    no_thread = call(
        "post",
        token,
        "/api/v1/backoffice/orders/2026-7300002/conversation/assign",
        {"clerk": clerk.username},
    )
    no_order = call(
        "post",
        token,
        "/api/v1/backoffice/orders/2026-7399999/conversation/assign",
        {"clerk": clerk.username},
    )

    assert (unknown.status_code, unknown.json()["code"]) == (400, "unknown_clerk")
    assert unknown.json()["detail"] == "Darbinieks „nav-tada” nav atrasts."
    assert (client_person.status_code, client_person.json()["code"]) == (400, "invalid_values")
    assert client_person.json()["detail"] == "Sarunu var piešķirt tikai VZD darbiniekam."
    assert (no_thread.status_code, no_order.status_code) == (404, 404)
    assert Thread.objects.get().assignee_id is None


def test_a_conversation_assign_without_messages_write_is_403(superuser, clerk, owner, owner_client):
    asked(owner_client, owner, "2026-7300001")
    others = [s for s in BackOfficeScope if s != BackOfficeScope.MESSAGES_WRITE]
    without = access_token(make_account(superuser, others, "Bez ziņām"))

    refused = call(
        "post",
        without,
        "/api/v1/backoffice/orders/2026-7300001/conversation/assign",
        {"clerk": clerk.username},
    )

    assert (refused.status_code, refused.json()["scope"]) == (403, "messages:write")
    assert Thread.objects.get().assignee_id is None


def test_a_replayed_conversation_assign_assigns_once(token, clerk, owner, owner_client):
    asked(owner_client, owner, "2026-7300001")
    path = "/api/v1/backoffice/orders/2026-7300001/conversation/assign"

    first = call("post", token, path, {"clerk": clerk.username}, key="assign-1")
    again = call("post", token, path, {"clerk": clerk.username}, key="assign-1")

    assert (first.status_code, again.status_code) == (200, 200)
    assert again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json() == {**first.json(), "changed": True}
    thread = Thread.objects.get()
    entries = LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Thread),
        object_id=thread.pk,
        action=LogEntry.Action.UPDATE,
        changes__has_key="assignee",
    )
    assert entries.count() == 1
