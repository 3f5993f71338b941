"""Files (docs/security-tests.md; ASVS 5.0 5.2.x, 5.3.2, 5.4.x; OWASP File Upload Cheat Sheet), through the
views end to end: what the unit tests of manskonts/validation.py check, seen from the browser."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client as HttpClient
from django.urls import reverse

from documents.models import Document
from documents.uploads import SESSION_KEY
from eservices.models import ExportJob
from tests.factories import (
    DocumentFactory,
    EServiceFactory,
    InvoiceFactory,
    OrderFactory,
    OrderPartFactory,
    PaymentFactory,
    StaffFactory,
)

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
HTML = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
SHELL = b"#!/bin/sh\nrm -rf /\n"


def stored_files(settings) -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def assert_private_attachment(response) -> None:
    assert response["Content-Disposition"].startswith("attachment; filename=")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"


@pytest.mark.parametrize(
    ("name", "data", "content_type"),
    [
        ("lapa.pdf", HTML, "application/pdf"),  # spoofed Content-Type and name
        ("attēls.png", SVG, "image/png"),
        ("skripts.pdf", SHELL, "application/pdf"),
        ("x.pdf.html", PDF, "application/pdf"),
    ],
)
def test_upload_with_a_spoofed_type_is_refused_with_a_message_and_nothing_stored(
    signed_in, owner, owner_client, settings, name, data, content_type
):
    eservice = EServiceFactory(client=owner_client)
    http = signed_in(owner)
    url = reverse("documents:upload_eservice", args=[eservice.pk])

    response = http.post(url, {"files": [SimpleUploadedFile(name, data, content_type)]})
    page = http.get(reverse("eservices:detail", args=[eservice.pk])).content.decode()

    assert response.status_code == 303
    assert Document.objects.count() == 0
    assert stored_files(settings) == []
    assert "govuk-error-summary" in page
    assert f"„{name}”" in page


@pytest.mark.parametrize(
    "name",
    [
        "../../x.pdf",
        "..\\..\\windows\\system32\\x.pdf",
        "ļoti-" + "garš-" * 80 + "nosaukums.pdf",
        "rēķins\u202efdp.exe.pdf",
        "Ze\u0301mes \U0001f3e0 <b>plāns</b>.pdf",
    ],
)
def test_odd_names_are_stored_under_a_generated_key_and_served_safely(
    signed_in, owner, owner_client, name
):
    eservice = EServiceFactory(client=owner_client)
    http = signed_in(owner)

    http.post(
        reverse("documents:upload_eservice", args=[eservice.pk]),
        {"files": [SimpleUploadedFile(name, PDF, "application/pdf")]},
    )
    document = Document.objects.get()
    response = http.get(reverse("documents:download", args=[document.pk]))
    page = http.get(reverse("eservices:detail", args=[eservice.pk])).content.decode()

    assert document.file.name.startswith("documents/")
    assert ".." not in document.file.name and "\\" not in document.file.name
    assert Path(document.file.name).name.isascii()
    assert len(document.original_name) <= 150
    assert "/" not in document.original_name and "\u202e" not in document.original_name
    assert response.status_code == 200
    assert_private_attachment(response)
    assert response["Content-Disposition"].isascii()
    assert "<b>plāns</b>" not in page


@pytest.fixture
def clerk_http(db):
    from django.contrib.auth.models import Group

    clerk = StaffFactory()
    clerk.groups.set(Group.objects.all())
    http = HttpClient()
    http.force_login(clerk)
    return http


DANGEROUS = [
    ("lapa.html", HTML, "attachment; filename=\"lapa.html\"; filename*=UTF-8''lapa.html"),
    (
        "zīmējums.svg",
        SVG,
        "attachment; filename=\"zimejums.svg\"; filename*=UTF-8''z%C4%ABm%C4%93jums.svg",
    ),
    ("skripts.sh", SHELL, "attachment; filename=\"skripts.sh\"; filename*=UTF-8''skripts.sh"),
]


@pytest.mark.parametrize(("name", "data", "disposition"), DANGEROUS)
def test_staff_download_of_dangerous_names_is_a_safe_attachment(
    clerk_http, owner_client, name, data, disposition
):
    document = DocumentFactory(
        eservice=EServiceFactory(client=owner_client),
        direction=Document.Direction.SUBMITTED,
        original_name=name,
        size=len(data),
        file=ContentFile(data, name="x"),
    )

    response = clerk_http.get(reverse("admin:documents_document_download", args=[document.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"] == disposition
    assert response["X-Content-Type-Options"] == "nosniff"
    # The admin's never_cache adds max-age=0, no-cache, must-revalidate: stricter still.
    directives = {d.strip() for d in response["Cache-Control"].split(",")}
    assert {"private", "no-store"} <= directives


@pytest.mark.parametrize(("name", "data", "disposition"), DANGEROUS)
def test_results_zip_of_dangerous_names_is_a_private_attachment(
    signed_in, owner, owner_client, name, data, disposition
):
    order = OrderFactory(client=owner_client, number="2026-0000500")
    part = OrderPartFactory(order=order, part_number=1)
    PaymentFactory(invoice=InvoiceFactory(order=order))
    DocumentFactory(
        order_part=part,
        direction=Document.Direction.RESULT,
        original_name=name,
        size=len(data),
        file=ContentFile(data, name="x"),
    )

    response = signed_in(owner).get(reverse("documents:results_zip", args=[order.number]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert_private_attachment(response)
    assert response["Content-Disposition"] == (
        'attachment; filename="rezultati-2026-0000500.zip"; '
        "filename*=UTF-8''rezultati-2026-0000500.zip"
    )


def test_excel_export_download_is_a_private_attachment(signed_in, owner, owner_client):
    job = ExportJob.objects.create(client=owner_client, requested_by=owner, state="done")
    job.file.save("atskaite.xlsx", ContentFile(b"PK\x03\x04 xlsx"))

    response = signed_in(owner).get(reverse("eservices:export_download", args=[job.pk]))

    assert response.status_code == 200
    assert_private_attachment(response)
    assert response["Content-Disposition"] == f'attachment; filename="{job.filename}"'


def test_upload_refusal_message_is_shown_once_then_forgotten(signed_in, owner, owner_client):
    eservice = EServiceFactory(client=owner_client)
    http = signed_in(owner)
    http.post(
        reverse("documents:upload_eservice", args=[eservice.pk]),
        {"files": [SimpleUploadedFile("tukšs.pdf", b"", "application/pdf")]},
    )
    assert SESSION_KEY in http.session

    first = http.get(reverse("eservices:detail", args=[eservice.pk])).content.decode()
    second = http.get(reverse("eservices:detail", args=[eservice.pk])).content.decode()

    assert "Datne „tukšs.pdf” ir tukša." in first
    assert "Datne „tukšs.pdf” ir tukša." not in second
