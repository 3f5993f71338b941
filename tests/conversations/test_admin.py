"""The clerk's side: the list of conversations (unanswered first, oldest first; filtered by
service group, status and assignee), a thread's page with the conversation and a reply with
attachments, 'Piešķirt man', starting a conversation, and the desk's 'Neatbildētas klientu ziņas'."""

from __future__ import annotations

from datetime import timedelta

import lxml.html
import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from accounts.roles import CLIENT_CONTACT
from conversations import services
from conversations.models import Message, Thread
from manskonts.validation import validate_upload
from notifications.models import Notification
from orders.models import Service
from tests.admin_pages import form_data
from tests.factories import EServiceFactory, OrderFactory, OrderPartFactory, StaffFactory

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
LIST = reverse("admin:conversations_thread_changelist")

pytestmark = pytest.mark.django_db


@pytest.fixture
def vzd(client):
    user = StaffFactory(first_name="Ilze", last_name="Kalniņa")
    user.groups.set([Group.objects.get(name=CLIENT_CONTACT)])
    client.force_login(user)
    return user


def asked(client_, number, *, days_ago=0, service_code="kadastra-info-ipasums"):
    order = OrderFactory(client=client_, number=number)
    OrderPartFactory(order=order, part_number=1, service=Service.objects.get(code=service_code))
    message = services.post_message(
        order, by=client_.person, text=f"Par {number}", from_staff=False
    )
    when = timezone.now() - timedelta(days=days_ago)
    Thread.objects.filter(pk=message.thread_id).update(waiting_since=when, last_message_at=when)
    return message.thread


def change_url(thread) -> str:
    return reverse("admin:conversations_thread_change", args=[thread.pk])


def test_the_thread_page_shows_the_conversation_and_marks_it_read_by_vzd(client, vzd, owner_client):
    thread = asked(owner_client, "2026-0000401")
    services.post_message(
        thread.order, by=owner_client.person, text="<b>Rinda</b>\notrā", from_staff=False
    )

    response = client.get(change_url(thread))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Par 2026-0000401" in html and "Anna Bērziņa" in html
    assert "&lt;b&gt;Rinda&lt;/b&gt;<br>otrā" in html
    assert 'enctype="multipart/form-data"' in html
    assert not Message.objects.unread_by_staff().exists()


def test_a_reply_with_an_attachment_answers_the_thread_and_notifies_the_client(
    client, vzd, owner, owner_client
):
    thread = asked(owner_client, "2026-0000402")
    page = client.get(change_url(thread))
    data = form_data(page, Thread, reply_text="Lūdzu, iesniedziet robežu plānu.")
    data["reply_files"] = [SimpleUploadedFile("veidlapa.pdf", PDF, "application/pdf")]

    response = client.post(change_url(thread), data)

    assert response.status_code == 302
    reply = Message.objects.get(from_staff=True)
    assert (reply.text, reply.author, reply.shown_author) == (
        "Lūdzu, iesniedziet robežu plānu.",
        vzd,
        "VZD — Ilze",
    )
    assert reply.attachments.get().original_name == "veidlapa.pdf"
    thread.refresh_from_db()
    assert (thread.status, thread.waiting_since) == (Thread.Status.ANSWERED, None)
    note = Notification.objects.get(recipient=owner)
    assert (note.kind, note.link) == ("message", "/mans-konts/pasutijumi/2026-0000402/")


def test_a_bad_attachment_refuses_the_reply_with_the_form(client, vzd, owner_client):
    thread = asked(owner_client, "2026-0000403")
    data = form_data(client.get(change_url(thread)), Thread, reply_text="Skat. pielikumu")
    data["reply_files"] = [SimpleUploadedFile("a.pdf", b"<html></html>", "application/pdf")]

    response = client.post(change_url(thread), data)

    assert response.status_code == 200
    assert response.context["errors"]
    assert not Message.objects.filter(from_staff=True).exists()


def test_assign_to_me_asks_first_then_assigns(client, vzd, owner_client):
    thread = asked(owner_client, "2026-0000404")
    chosen = {"action": "assign_to_me", "_selected_action": [thread.pk], "index": "0"}

    confirm = client.post(LIST, chosen)
    assert confirm.status_code == 200
    assert "2026-0000404" in confirm.content.decode()
    assert Thread.objects.get().assignee is None

    done = client.post(LIST, {**chosen, "apply": "1"})

    assert done.status_code == 302
    assert Thread.objects.get().assignee == vzd


def test_the_list_puts_the_oldest_unanswered_first_and_filters(client, vzd, owner_client):
    answered = asked(owner_client, "2026-0000501", days_ago=10)
    services.post_message(answered.order, by=vzd, text="Atbilde", from_staff=True)
    newer = asked(owner_client, "2026-0000502", days_ago=1)
    older = asked(owner_client, "2026-0000503", days_ago=5, service_code="buves-uzmerisana")
    services.assign([newer], vzd)

    rows = list(client.get(LIST).context["cl"].result_list)
    waiting = list(client.get(LIST + "?status__exact=waiting").context["cl"].result_list)
    mine = list(client.get(LIST + f"?assignee__id__exact={vzd.pk}").context["cl"].result_list)
    group = Service.objects.get(code="buves-uzmerisana").group_id
    surveys = list(client.get(LIST + f"?grupa={group}").context["cl"].result_list)

    assert [t.pk for t in rows] == [older.pk, newer.pk, answered.pk]
    assert [t.pk for t in waiting] == [older.pk, newer.pk]
    assert [t.pk for t in mine] == [newer.pk]
    assert [t.pk for t in surveys] == [older.pk]


def test_the_desk_counts_unanswered_conversations(client, vzd, owner_client):
    asked(owner_client, "2026-0000601")
    answered = asked(owner_client, "2026-0000602")
    services.post_message(answered.order, by=vzd, text="Atbilde", from_staff=True)

    page = lxml.html.fromstring(client.get(reverse("admin:index")).content.decode())
    [row] = page.xpath("//div[@id='desk']//tr[@data-desk='messages_unanswered']")
    link = row.xpath("td/a")[0]

    assert "Neatbildētas klientu ziņas" in row.text_content()
    assert int(link.text) == 1
    assert client.get(link.get("href")).context["cl"].result_count == 1


def test_a_clerk_starts_a_conversation_on_an_eservice(client, vzd, owner, owner_client):
    eservice = EServiceFactory(client=owner_client)

    response = client.post(
        reverse("admin:conversations_thread_add"),
        {"eservice": eservice.pk, "reply_text": "Lūdzam precizēt objektu.", "_save": "Saglabāt"},
    )

    assert response.status_code == 302
    thread = Thread.objects.get()
    assert (thread.eservice, thread.client) == (eservice, owner_client)
    assert Notification.objects.get(recipient=owner).kind == "message"


def test_starting_one_needs_exactly_one_order_or_eservice_and_a_text(client, vzd):
    response = client.post(reverse("admin:conversations_thread_add"), {"_save": "Saglabāt"})

    assert response.status_code == 200
    assert response.context["errors"]
    assert not Thread.objects.exists()


def test_a_clerk_downloads_an_attachment_from_the_thread(client, vzd, owner, owner_client):
    order = OrderFactory(client=owner_client)
    message = services.post_message(
        order,
        by=owner,
        text="Plāns",
        from_staff=False,
        files=[validate_upload(SimpleUploadedFile("plans.pdf", PDF, "application/pdf"))],
    )
    attachment = message.attachments.get()
    url = reverse("admin:conversations_thread_attachment", args=[message.thread_id, attachment.pk])

    response = client.get(url)

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert url in client.get(change_url(message.thread)).content.decode()


def test_a_clerk_starts_a_conversation_on_an_order_by_its_number(client, vzd, owner_client):
    order = OrderFactory(client=owner_client, number="2026-0000701")

    wrong = client.post(
        reverse("admin:conversations_thread_add"),
        {"order": "2026-0000799", "reply_text": "Sveiki", "_save": "Saglabāt"},
    )
    response = client.post(
        reverse("admin:conversations_thread_add"),
        {"order": "2026-0000701", "reply_text": "Lūdzam pilnvaru.", "_save": "Saglabāt"},
    )

    assert wrong.status_code == 200
    assert "Pasūtījums ar šādu numuru nav atrasts." in wrong.content.decode()
    assert response.status_code == 302
    assert Thread.objects.get().order == order
