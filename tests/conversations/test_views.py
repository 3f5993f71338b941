"""The client's side of conversations: the thread on the order and e-service pages, posting with
and without attachments (no JavaScript: a plain form post), refusals with a Latvian message and a
400 with nothing saved, 'Uzdot jautājumu', attachment downloads, and the header's unread count."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from conversations import services
from conversations.models import Attachment, Message, Thread
from manskonts.validation import validate_upload
from notifications.models import Notification
from tests.factories import (
    EServiceFactory,
    OrderFactory,
    OrderPartFactory,
    StaffFactory,
    UserFactory,
    own_client,
)

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

pytestmark = pytest.mark.django_db


@pytest.fixture
def vzd(db):
    return StaffFactory(first_name="Ilze", last_name="Kalniņa")


def make_order(client, number="2026-0000200"):
    order = OrderFactory(client=client, number=number)
    OrderPartFactory(order=order, part_number=1)
    return order


@pytest.fixture
def order(owner_client):
    return make_order(owner_client)


def page(order) -> str:
    return reverse("orders:detail", args=[order.number])


def post_url(order) -> str:
    return reverse("conversations:order", args=[order.number])


def upload(name="plans.pdf", content=PDF):
    return SimpleUploadedFile(name, content, "application/pdf")


def test_the_order_page_shows_the_thread_oldest_first_with_authors_and_read_state(
    order, owner, vzd, signed_in
):
    services.post_message(order, by=owner, text="Kad būs gatavs?", from_staff=False)
    services.post_message(order, by=vzd, text="Nākamnedēļ.", from_staff=True)

    response = signed_in(owner).get(page(order))

    html = response.content.decode()
    assert response.status_code == 200
    assert html.index("Kad būs gatavs?") < html.index("Nākamnedēļ.")
    assert "Anna Bērziņa" in html and "VZD — Ilze" in html and "Kalniņa" not in html
    assert "VZD izlasīja" in html  # the client's message, answered
    assert 'aria-labelledby="saruna-virsraksts"' in html
    assert [m.is_new for m in response.context["thread_messages"]] == [False, True]
    assert "1 jauna ziņa" in html


def test_opening_the_page_marks_vzds_messages_read_and_the_count_drops(
    order, owner, vzd, signed_in
):
    services.post_message(order, by=vzd, text="Lūdzu, iesniedziet plānu.", from_staff=True)
    http = signed_in(owner)

    # one message from VZD, one notification about it: counted once
    assert http.get(reverse("overview")).context["unread_notifications"] == 1
    opened = http.get(page(order))

    assert "1 jauna ziņa" in opened.content.decode()  # this page says which one is new

    assert http.get(reverse("overview")).context["unread_notifications"] == 0
    assert Message.objects.get().read_at is not None
    assert Notification.objects.get().read_at is not None


def test_the_header_count_adds_unread_messages_to_unread_notifications(
    order, owner, owner_client, vzd, signed_in
):
    services.post_message(order, by=vzd, text="Viens", from_staff=True)
    services.post_message(order, by=vzd, text="Divi", from_staff=True)
    Notification.objects.filter(kind=Notification.Kind.MESSAGE).update(read_at=timezone.now())
    Notification.objects.create(
        client=owner_client, recipient=owner, kind="status", subject="S", body="B"
    )

    response = signed_in(owner).get(reverse("overview"))

    assert response.context["unread_notifications"] == 3
    assert '3<span class="govuk-visually-hidden"> nelasīti' in response.content.decode()


def test_a_message_posted_without_javascript_is_saved_and_sends_back_to_the_thread(
    order, owner, signed_in
):
    response = signed_in(owner).post(
        post_url(order), {"text": "Pievienoju plānu.", "files": [upload()]}
    )

    assert response.status_code == 303
    assert response["Location"] == page(order) + "#saruna"
    message = Message.objects.get()
    assert (message.text, message.from_staff, message.author) == ("Pievienoju plānu.", False, owner)
    assert message.attachments.get().original_name == "plans.pdf"
    assert Thread.objects.get().status == Thread.Status.WAITING


def test_an_empty_message_is_refused_with_a_latvian_message_and_a_400(order, owner, signed_in):
    response = signed_in(owner).post(post_url(order), {"text": "  "})

    assert response.status_code == 400
    assert "Uzrakstiet ziņu." in response.content.decode()
    assert 'href="#zina-text"' in response.content.decode()  # the summary links to the field
    assert not Thread.objects.exists()


def test_a_bad_attachment_refuses_the_whole_message(order, owner, signed_in):
    fake = upload("plans.pdf", b"<html><script>alert(1)</script></html>")

    response = signed_in(owner).post(post_url(order), {"text": "Plāns", "files": [fake]})

    assert response.status_code == 400
    assert "jābūt PDF" in response.content.decode() or "formātā" in response.content.decode()
    assert response.context["message_form"]["text"].value() == "Plāns"  # kept for the retry
    assert (Message.objects.count(), Attachment.objects.count()) == (0, 0)


def test_too_many_attachments_are_refused(order, owner, signed_in):
    files = [upload(f"p{i}.pdf") for i in range(6)]

    response = signed_in(owner).post(post_url(order), {"text": "Daudz", "files": files})

    assert response.status_code in (400, 413)
    assert Message.objects.count() == 0


def test_every_user_of_a_legal_person_sees_its_thread_and_acting_as_oneself_does_not(
    legal, legal_admin, colleague, vzd, signed_in
):
    order = make_order(legal, "2026-0000300")
    services.post_message(order, by=legal_admin, text="Jautājums no vadītāja", from_staff=False)

    as_colleague = signed_in(colleague, acting_for=legal).get(page(order))
    as_self = signed_in(colleague).get(post_url(order))

    assert "Jautājums no vadītāja" in as_colleague.content.decode()
    assert as_self.status_code == 404


def test_another_clients_thread_page_post_and_attachment_are_404(order, owner, outsider, signed_in):
    message = services.post_message(
        order,
        by=owner,
        text="Privāti",
        from_staff=False,
        files=[validate_upload(upload())],
    )
    http = signed_in(outsider)

    assert http.get(post_url(order)).status_code == 404
    assert http.post(post_url(order), {"text": "Iejaucos"}).status_code == 404
    attachment = message.attachments.get()
    assert http.get(reverse("conversations:attachment", args=[attachment.pk])).status_code == 404
    assert Message.objects.count() == 1


def test_an_attachment_downloads_as_an_attachment_and_says_when_deleted(order, owner, signed_in):
    message = services.post_message(
        order, by=owner, text="x", from_staff=False, files=[validate_upload(upload())]
    )
    attachment = message.attachments.get()
    url = reverse("conversations:attachment", args=[attachment.pk])
    http = signed_in(owner)

    response = http.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == PDF

    Attachment.objects.filter(pk=attachment.pk).update(
        uploaded_at=timezone.now() - timedelta(days=91)
    )
    services.purge_expired_attachments()
    gone = http.get(url)
    assert gone.status_code == 410
    assert "Datne dzēsta pēc 90 dienām." in gone.content.decode()
    assert "dzēsta pēc 90 dienām" in http.get(page(order)).content.decode()


def test_the_eservice_page_has_its_thread(owner_client, owner, vzd, signed_in):
    eservice = EServiceFactory(client=owner_client)
    services.post_message(eservice, by=vzd, text="Par e-pakalpojumu", from_staff=True)

    response = signed_in(owner).get(reverse("eservices:detail", args=[eservice.pk]))
    posted = signed_in(owner).post(
        reverse("conversations:eservice", args=[eservice.pk]), {"text": "Paldies"}
    )

    assert "Par e-pakalpojumu" in response.content.decode()
    assert posted.status_code == 303
    assert posted["Location"] == reverse("eservices:detail", args=[eservice.pk]) + "#saruna"


def test_a_page_without_messages_offers_to_ask(order, owner, signed_in):
    html = signed_in(owner).get(page(order)).content.decode()

    assert "Uzdot jautājumu" in html
    assert 'action="/mans-konts/sarunas/pasutijums/2026-0000200/"' in html


def test_ask_about_any_order_by_its_number(order, owner, signed_in):
    http = signed_in(owner)
    form = http.get(reverse("conversations:ask") + "?pasutijums=2026-0000200")
    assert form.context["form"]["order"].value() == "2026-0000200"
    assert reverse("conversations:ask") in http.get(reverse("orders:list")).content.decode()

    response = http.post(
        reverse("conversations:ask"), {"order": "2026-0000200", "text": "Vai var ātrāk?"}
    )

    assert response.status_code == 303
    assert response["Location"] == page(order) + "#saruna"
    assert Thread.objects.get().order == order


def test_ask_about_another_clients_order_is_refused_as_not_found(owner, signed_in):
    foreign = make_order(own_client(UserFactory()), "2026-0000999")

    response = signed_in(owner).post(
        reverse("conversations:ask"), {"order": foreign.number, "text": "Kas tas ir?"}
    )

    assert response.status_code == 400
    assert "nav atrasts starp Jūsu pasūtījumiem" in response.content.decode()
    assert not Thread.objects.exists()


def count_queries(http, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert http.get(url).status_code == 200
    return len(queries)


def test_the_order_page_query_count_does_not_grow_with_messages(order, owner, vzd, signed_in):
    http = signed_in(owner)
    services.post_message(order, by=owner, text="Pirmā", from_staff=False)
    http.get(page(order))
    one = count_queries(http, page(order))
    for i in range(10):
        services.post_message(
            order, by=vzd, text=f"Ziņa {i}", from_staff=True, files=[validate_upload(upload())]
        )
    http.get(page(order))  # marks them read: the next view writes nothing

    many = count_queries(http, page(order))

    assert one == many


def test_an_attachment_over_the_limit_is_cut_off_and_named_on_the_form(
    order, owner, signed_in, settings
):
    settings.UPLOAD_URL_LIMITS = {**settings.UPLOAD_URL_LIMITS, "conversations:order": (2000, 5)}
    big = upload("liels.pdf", PDF + b"0" * 5000)

    response = signed_in(owner).post(post_url(order), {"text": "Liels plāns", "files": [big]})

    assert response.status_code == 400
    assert "Datnei „liels.pdf” jābūt mazākai par" in response.content.decode()
    assert response.context["message_form"]["text"].value() == "Liels plāns"
    assert (Message.objects.count(), Attachment.objects.count()) == (0, 0)


def test_one_colleague_reading_the_thread_reads_it_for_the_whole_legal_person(
    legal, legal_admin, colleague, vzd, signed_in
):
    order = make_order(legal, "2026-0000310")
    services.post_message(order, by=vzd, text="Lūdzu, iesniedziet pilnvaru.", from_staff=True)
    admin_http = signed_in(legal_admin, acting_for=legal)
    colleague_http = signed_in(colleague, acting_for=legal)
    assert colleague_http.get(reverse("overview")).context["unread_notifications"] == 1

    admin_http.get(page(order))

    assert colleague_http.get(reverse("overview")).context["unread_notifications"] == 0
    assert not Notification.objects.filter(read_at__isnull=True).exists()
    html = colleague_http.get(page(order)).content.decode()
    assert "Jauna</strong>" not in html and "Izlasīta" in html
