"""Conversations' rules: a thread per order and e-service made with its first message, status and
read state per side, attachments all or nothing, the order's thread moving with the order, and
attachments purged after FILE_RETENTION_DAYS by the same daily purge (the text kept)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from auditlog.models import LogEntry
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from conversations import services
from conversations.models import Attachment, Message, Thread
from conversations.tasks import email_staff_of_message
from documents.services import purge_expired_files
from manskonts.validation import validate_upload
from notifications.models import Notification
from orders.services import change_order_client
from tests.factories import (
    EServiceFactory,
    LegalClientFactory,
    MembershipFactory,
    OrderFactory,
    OrderPartFactory,
    StaffFactory,
    UserFactory,
    own_client,
)

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

pytestmark = pytest.mark.django_db


def stored_files() -> list[str]:
    """Every object under conversations/ in the test's storage."""
    found, folders = [], ["conversations"]
    while folders:
        folder = folders.pop()
        if not default_storage.exists(folder):
            continue
        subfolders, files = default_storage.listdir(folder)
        folders += [f"{folder}/{name}" for name in subfolders]
        found += [f"{folder}/{name}" for name in files]
    return found


def pdf(name: str = "plans.pdf"):
    return validate_upload(SimpleUploadedFile(name, PDF, "application/pdf"))


@pytest.fixture
def order(owner_client):
    order = OrderFactory(client=owner_client, number="2026-0000100")
    OrderPartFactory(order=order, part_number=1)
    return order


@pytest.fixture
def vzd(db):
    return StaffFactory(first_name="Ilze", last_name="Kalniņa")


def test_the_first_message_makes_the_thread_waiting_for_vzd(order, owner):
    message = services.post_message(order, by=owner, text="  Kad būs gatavs?  ", from_staff=False)

    thread = Thread.objects.get()
    assert (thread.order, thread.client, thread.status) == (
        order,
        order.client,
        Thread.Status.WAITING,
    )
    assert thread.waiting_since == message.created_at
    assert (message.text, message.client, message.author_name) == (
        "Kad būs gatavs?",
        order.client,
        "Anna Bērziņa",
    )


def test_a_second_client_message_keeps_the_oldest_waiting_time(order, owner):
    first = services.post_message(order, by=owner, text="Viens", from_staff=False)
    services.post_message(order, by=owner, text="Divi", from_staff=False)

    assert Thread.objects.get().waiting_since == first.created_at
    assert Thread.objects.count() == 1


def test_vzds_answer_reads_the_clients_messages_and_signs_with_the_first_name(order, owner, vzd):
    asked = services.post_message(order, by=owner, text="Jautājums", from_staff=False)

    answer = services.post_message(order, by=vzd, text="Atbilde", from_staff=True)

    thread = Thread.objects.get()
    assert (thread.status, thread.waiting_since) == (Thread.Status.ANSWERED, None)
    assert Message.objects.get(pk=asked.pk).read_at is not None
    assert answer.shown_author == "VZD — Ilze"
    assert answer.read_at is None


def test_an_empty_or_too_long_text_is_refused_and_nothing_is_made(order, owner):
    with pytest.raises(ValidationError, match="Uzrakstiet ziņu"):
        services.post_message(order, by=owner, text="   ", from_staff=False)
    with pytest.raises(ValidationError, match="ne vairāk kā 5000"):
        services.post_message(order, by=owner, text="x" * 5001, from_staff=False)

    assert (Thread.objects.count(), Message.objects.count()) == (0, 0)


def test_attachments_are_stored_under_a_generated_key(order, owner):
    message = services.post_message(
        order, by=owner, text="Plāns klāt", from_staff=False, files=[pdf("../../plāns.pdf")]
    )

    [attachment] = message.attachments.all()
    assert attachment.original_name == "plāns.pdf"
    assert attachment.client == order.client
    assert attachment.file.name.startswith("conversations/")
    assert "plāns" not in attachment.file.name
    assert default_storage.exists(attachment.file.name)


def test_a_failure_after_storing_removes_the_files_and_the_message(order, owner, monkeypatch):
    def fail(*args, **kwargs):
        raise RuntimeError("notification failed")

    monkeypatch.setattr("conversations.services.notices.tell_staff_of_message", fail)

    with pytest.raises(RuntimeError):
        services.post_message(order, by=owner, text="Te", from_staff=False, files=[pdf()])

    assert (Thread.objects.count(), Message.objects.count(), Attachment.objects.count()) == (
        0,
        0,
        0,
    )
    assert stored_files() == []


def test_vzds_message_notifies_every_user_of_a_legal_person_with_a_link(
    vzd, django_capture_on_commit_callbacks
):
    legal = LegalClientFactory()
    people = [MembershipFactory(client=legal).user for _ in range(2)]
    order = OrderFactory(client=legal)

    with django_capture_on_commit_callbacks(execute=True):
        services.post_message(order, by=vzd, text="Lūdzu, iesniedziet plānu.", from_staff=True)

    notes = Notification.objects.filter(client=legal, kind=Notification.Kind.MESSAGE)
    assert {n.recipient for n in notes} == set(people)
    assert {n.link for n in notes} == {f"/mans-konts/pasutijumi/{order.number}/"}
    assert all("VZD — Ilze raksta: Lūdzu, iesniedziet plānu." in n.body for n in notes)
    assert sorted(m.to for m in mail.outbox) == sorted([p.email] for p in people)


def test_a_clients_message_emails_the_assigned_clerk_once(
    order, owner, vzd, django_capture_on_commit_callbacks
):
    services.post_message(order, by=vzd, text="Sveiki", from_staff=True)
    services.assign(Thread.objects.all(), vzd)

    with django_capture_on_commit_callbacks(execute=True):
        message = services.post_message(
            order, by=owner, text="Paldies, plāns klāt", from_staff=False
        )

    assert [m.to for m in mail.outbox] == [[vzd.email]]
    assert "Paldies, plāns klāt" in mail.outbox[0].body
    assert f"/admin/conversations/thread/{message.thread_id}/change/" in mail.outbox[0].body
    assert email_staff_of_message(message.pk) is False  # delivered again: sent once
    assert len(mail.outbox) == 1


def test_with_nobody_assigned_the_shared_address_is_emailed(
    order, owner, settings, django_capture_on_commit_callbacks
):
    settings.CONVERSATIONS_STAFF_EMAIL = "klienti@vzd.example.lv"

    with django_capture_on_commit_callbacks(execute=True):
        services.post_message(order, by=owner, text="Jautājums", from_staff=False)

    assert [m.to for m in mail.outbox] == [["klienti@vzd.example.lv"]]


def test_reading_marks_vzds_messages_and_their_notifications_for_all_the_clients_people(vzd):
    legal = LegalClientFactory()
    MembershipFactory.create_batch(2, client=legal)
    order = OrderFactory(client=legal)
    services.post_message(order, by=vzd, text="Ziņa", from_staff=True)
    thread = Thread.objects.get()
    assert Notification.objects.filter(read_at__isnull=True).count() == 2

    assert services.mark_read_by_client(thread) == 1
    assert services.mark_read_by_client(thread) == 0  # idempotent

    assert not Message.objects.unread_by_client().exists()
    assert not Notification.objects.filter(read_at__isnull=True).exists()


def test_an_order_moved_to_another_client_takes_its_conversation(order, owner, vzd):
    services.post_message(order, by=owner, text="Ar pielikumu", from_staff=False, files=[pdf()])
    other = own_client(UserFactory())

    change_order_client(order, other, by=vzd, reason="Kļūdaini reģistrēts")

    assert set(Thread.objects.values_list("client", flat=True)) == {other.pk}
    assert set(Message.objects.values_list("client", flat=True)) == {other.pk}
    assert set(Attachment.objects.values_list("client", flat=True)) == {other.pk}


def test_an_eservice_has_its_own_thread(owner_client, owner):
    eservice = EServiceFactory(client=owner_client)

    services.post_message(eservice, by=owner, text="Par e-pakalpojumu", from_staff=False)

    assert Thread.objects.get().eservice == eservice


# --- Retention ------------------------------------------------------------------------------------


def _aged(attachment: Attachment, days: int) -> Attachment:
    Attachment.objects.filter(pk=attachment.pk).update(
        uploaded_at=timezone.now() - timedelta(days=days)
    )
    return Attachment.objects.get(pk=attachment.pk)


def test_the_daily_purge_deletes_attachments_after_90_days_and_keeps_the_text(order, owner):
    old = services.post_message(
        order, by=owner, text="Vecs", from_staff=False, files=[pdf("a.pdf")]
    )
    young = services.post_message(
        order, by=owner, text="Jauns", from_staff=False, files=[pdf("b.pdf")]
    )
    expired = _aged(old.attachments.get(), 91)
    kept = _aged(young.attachments.get(), 89)
    key = expired.file.name

    report = purge_expired_files()

    assert report.others["message_attachments"] == (1, 0)
    expired.refresh_from_db()
    kept.refresh_from_db()
    assert expired.is_deleted and expired.file.name == ""
    assert not default_storage.exists(key)
    assert (expired.original_name, expired.size) == ("a.pdf", len(PDF))
    assert kept.deleted_at is None and default_storage.exists(kept.file.name)
    assert Message.objects.get(pk=old.pk).text == "Vecs"
    # an audit entry for the deletion: the key cleared
    entry = LogEntry.objects.get_for_object(expired).order_by("-timestamp").first()
    assert entry.changes_dict["file"] == [key, ""]


def test_a_storage_failure_leaves_the_attachment_for_the_next_run(order, owner, monkeypatch):
    message = services.post_message(order, by=owner, text="x", from_staff=False, files=[pdf()])
    attachment = _aged(message.attachments.get(), 91)

    def refuse(name, storage=None):
        raise OSError("disk busy")

    monkeypatch.setattr("conversations.services.delete_stored", refuse)
    assert services.purge_expired_attachments() == (0, 1)
    attachment.refresh_from_db()
    assert attachment.deleted_at is None and attachment.file.name

    monkeypatch.undo()
    assert services.purge_expired_attachments() == (1, 0)
    assert services.purge_expired_attachments() == (0, 0)  # idempotent


def test_a_run_killed_after_marking_is_finished_by_the_next(order, owner):
    message = services.post_message(order, by=owner, text="x", from_staff=False, files=[pdf()])
    attachment = message.attachments.get()
    Attachment.objects.filter(pk=attachment.pk).update(deleted_at=timezone.now())

    assert services.purge_expired_attachments() == (1, 0)
    attachment.refresh_from_db()
    assert attachment.file.name == ""
