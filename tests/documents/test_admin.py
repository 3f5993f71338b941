"""Staff see submitted files in the admin, download them, and attach results there."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from documents.models import Document
from notifications.models import Notification
from tests.documents import samples
from tests.documents.conftest import make_document

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_http(client, clerk):
    client.force_login(clerk)
    return client


def inline_post(instance_fields: dict, prefix_list: str, prefix_upload: str, upload) -> dict:
    data = dict(instance_fields)
    for prefix, initial in ((prefix_list, 0), (prefix_upload, 0)):
        data.update(
            {
                f"{prefix}-TOTAL_FORMS": "1" if prefix == prefix_upload else "0",
                f"{prefix}-INITIAL_FORMS": str(initial),
                f"{prefix}-MIN_NUM_FORMS": "0",
                f"{prefix}-MAX_NUM_FORMS": "1000",
            }
        )
    if upload is not None:
        data[f"{prefix_upload}-0-file"] = upload
    return data


def part_change_data(part, upload) -> dict:
    fields = {
        "order": part.order_id,
        "part_number": part.part_number,
        "service": part.service_id,
        "object_code": part.object_code,
        "delivery_method": part.delivery_method,
        "planned_completion_date": "",
        "new_status": "",
        "status_changes-TOTAL_FORMS": "0",
        "status_changes-INITIAL_FORMS": "0",
        "status_changes-MIN_NUM_FORMS": "0",
        "status_changes-MAX_NUM_FORMS": "1000",
        "_save": "Saglabāt",
    }
    return inline_post(fields, "documents", "documents-2", upload)


def test_clerk_sees_and_downloads_submitted_files(admin_http, paid_order):
    part = paid_order.parts.get()
    document = make_document(
        name="iesniegums.pdf", order_part=part, direction=Document.Direction.SUBMITTED
    )

    page = admin_http.get(reverse("admin:orders_orderpart_change", args=[part.pk]))
    download = admin_http.get(reverse("admin:documents_document_download", args=[document.pk]))

    assert page.status_code == 200
    assert "iesniegums.pdf" in page.content.decode()
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"%PDF-1.4\n%%EOF\n"
    assert download["Content-Disposition"] == (
        "attachment; filename=\"iesniegums.pdf\"; filename*=UTF-8''iesniegums.pdf"
    )
    assert download["X-Content-Type-Options"] == "nosniff"


def test_admin_download_needs_staff(signed_in, owner, owner_eservice):
    document = make_document(eservice=owner_eservice, direction=Document.Direction.SUBMITTED)

    response = signed_in(owner).get(
        reverse("admin:documents_document_download", args=[document.pk])
    )

    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_clerk_attaches_a_result_and_the_client_is_notified(
    admin_http, clerk, owner, paid_order, mailoutbox, django_capture_on_commit_callbacks
):
    part = paid_order.parts.get()
    upload = SimpleUploadedFile("izziņa.pdf", samples.PDF, content_type="text/html")

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_http.post(
            reverse("admin:orders_orderpart_change", args=[part.pk]),
            part_change_data(part, upload),
        )

    assert response.status_code == 302, response.context["errors"] if response.context else ""
    document = Document.objects.get()
    assert (document.direction, document.order_part_id, document.uploaded_by) == (
        Document.Direction.RESULT,
        part.pk,
        clerk,
    )
    assert (document.original_name, document.content_type) == ("izziņa.pdf", "application/pdf")
    notification = Notification.objects.get()
    assert (notification.kind, notification.recipient) == (Notification.Kind.RESULT, owner)
    assert notification.link == reverse("orders:detail", args=[paid_order.number])
    assert len(mailoutbox) == 1
    assert mailoutbox[0].subject == "Mans konts: Pasūtījumam 2026-0000100 pievienots rezultāts"


def test_clerk_cannot_attach_a_disallowed_file(admin_http, paid_order):
    part = paid_order.parts.get()
    upload = SimpleUploadedFile("izziņa.pdf", samples.HTML)

    response = admin_http.post(
        reverse("admin:orders_orderpart_change", args=[part.pk]), part_change_data(part, upload)
    )

    assert response.status_code == 200
    assert "jābūt PDF, JPEG" in response.content.decode()
    assert Document.objects.count() == 0
    assert Notification.objects.count() == 0


def test_clerk_attaches_a_result_to_an_eservice(admin_http, owner_eservice, owner):
    data = {
        "client": owner_eservice.client_id,
        "requested_by": "",
        "service": owner_eservice.service_id,
        "object_code": owner_eservice.object_code,
        "received_at_0": "",
        "received_at_1": "",
        "new_status": "",
        "status_changes-TOTAL_FORMS": "0",
        "status_changes-INITIAL_FORMS": "0",
        "status_changes-MIN_NUM_FORMS": "0",
        "status_changes-MAX_NUM_FORMS": "1000",
        "_save": "Saglabāt",
    }
    data = inline_post(
        data, "documents", "documents-2", SimpleUploadedFile("karte.png", samples.PNG)
    )

    response = admin_http.post(
        reverse("admin:eservices_eservice_change", args=[owner_eservice.pk]), data
    )

    assert response.status_code == 302
    assert list(Document.objects.values_list("eservice_id", "direction")) == [
        (owner_eservice.pk, "result")
    ]
    assert Notification.objects.get().kind == Notification.Kind.RESULT
