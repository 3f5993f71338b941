"""Documents in a browser, as a new user would: submit with an error then successfully, download a
result, and the whole way from a submitted document to its purge 91 days later."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.utils import timezone

from accounts.models import Client, User
from documents.models import Document
from notifications.models import Notification
from orders.models import OrderPart
from tests.browser.conftest import demo_sign_in, staff_sign_in
from tests.documents import samples
from tests.factories import (
    EServiceFactory,
    InvoiceFactory,
    OrderFactory,
    OrderPartFactory,
    PaymentFactory,
    StaffFactory,
)

ANNA_CODE = "12058512340"


def anna_client() -> Client:
    return Client.objects.get_or_create_for_person(User.objects.get(personal_code=ANNA_CODE))


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


@pytest.mark.django_db(transaction=True)
def test_upload_with_an_error_then_success_and_download_a_result(page, tmp_path):
    demo_sign_in(page, "Anna Bērziņa")
    order = OrderFactory(client=anna_client(), number="2026-0005001")
    part = OrderPartFactory(order=order, part_number=1)
    part.service.required_documents = "Zemes robežu plāns vai tā kopija."
    part.service.save()
    PaymentFactory(invoice=InvoiceFactory(order=order))
    Document.objects.create(
        original_name="Kadastra_izziņa.pdf",
        size=len(samples.PDF),
        content_type="application/pdf",
        direction=Document.Direction.RESULT,
        order_part=part,
        file="",
    )
    result = Document.objects.get()
    from django.core.files.base import ContentFile

    result.file.save("x", ContentFile(samples.PDF))

    page.goto("/mans-konts/pasutijumi/2026-0005001/")
    assert page.get_by_text("Zemes robežu plāns vai tā kopija.").count() == 1
    page.get_by_label("Datnes").set_input_files(
        [write(tmp_path, "lapa.pdf", samples.HTML), write(tmp_path, "plāns.pdf", samples.PDF)]
    )
    page.get_by_role("button", name="Iesniegt").click()

    summary = page.locator(".govuk-error-summary")
    assert summary.get_by_role("heading").inner_text() == "Datnes netika iesniegtas"
    assert summary.get_by_role("link").all_inner_texts() == [
        "Datnes — Datnei „lapa.pdf” jābūt PDF, JPEG, PNG, TIFF, DOCX, XLSX, ODT, ZIP, DWG, DXF, "
        "ASiC-E (EDOC) vai ASiC-S formātā."
    ]
    assert Document.objects.filter(direction="submitted").count() == 0

    page.get_by_label("Datnes").set_input_files([write(tmp_path, "plāns.pdf", samples.PDF)])
    page.get_by_role("button", name="Iesniegt").click()

    assert page.get_by_text("Iesniegta 1 datne: plāns.pdf.").count() == 1
    assert page.locator(".govuk-error-summary").count() == 0
    assert page.get_by_role("link", name="plāns.pdf").count() == 1
    with page.expect_download() as download:
        page.get_by_role("link", name="Kadastra_izziņa.pdf").click()
    assert download.value.suggested_filename == "Kadastra_izziņa.pdf"
    assert Path(download.value.path()).read_bytes() == samples.PDF


@pytest.mark.django_db(transaction=True)
def test_from_submitted_document_to_result_to_purge(page, browser, live_server, tmp_path):
    # The client: an e-service and the order registered for it, its prepayment invoice unpaid.
    demo_sign_in(page, "Anna Bērziņa")
    anna = anna_client()
    order = OrderFactory(client=anna, number="2026-0005002")
    part = OrderPartFactory(
        order=order, part_number=1, delivery_method=OrderPart.Delivery.VZD_ACCOUNT
    )
    invoice = InvoiceFactory(order=order, number="R2026-005002")
    eservice = EServiceFactory(client=anna)
    eservice.orders.add(order)

    # 1. She submits a document to the e-service.
    page.goto(f"/mans-konts/e-pakalpojumi/{eservice.pk}/")
    page.get_by_label("Datnes").set_input_files([write(tmp_path, "pilnvara.pdf", samples.PDF)])
    page.get_by_role("button", name="Iesniegt").click()
    assert page.get_by_text("Iesniegta 1 datne: pilnvara.pdf.").count() == 1
    until = (timezone.localdate() + timedelta(days=90)).strftime("%d.%m.%Y")
    assert page.get_by_role("cell", name=until, exact=True).count() == 1
    submitted = Document.objects.get(eservice=eservice)

    # 2. A clerk sees it in the admin, attaches the result and records the payment.
    StaffFactory(username="dace", password="clerk-password-123").groups.set(Group.objects.all())
    staff = browser.new_context(base_url=live_server.url, locale="lv-LV")
    admin = staff.new_page()
    admin.goto(f"/admin/orders/orderpart/{part.pk}/change/")
    staff_sign_in(admin, "dace")
    admin.goto(f"/admin/eservices/eservice/{eservice.pk}/change/")
    assert admin.get_by_text("pilnvara.pdf").first.is_visible()
    assert admin.get_by_role("link", name="Lejupielādēt").count() == 1
    admin.goto(f"/admin/orders/orderpart/{part.pk}/change/")
    admin.locator("input[name='documents-2-0-file']").set_input_files(
        write(tmp_path, "Kadastra_izziņa.pdf", samples.PDF)
    )
    admin.locator("input[name='_save']").click()
    assert admin.locator(".errornote").count() == 0
    staff.close()
    PaymentFactory(invoice=invoice, source="treasury", reference="R2026-005002")

    # 3. She is told, and downloads the result.
    page.goto("/mans-konts/")
    nav = page.get_by_role("link", name=re.compile("^Paziņojumi"))
    assert re.search(r"\d+\s+nelasīti", nav.inner_text())
    nav.click()
    page.get_by_role("link", name="Pasūtījumam 2026-0005002 pievienots rezultāts").click()
    with page.expect_download() as download:
        page.get_by_role("link", name="Kadastra_izziņa.pdf").click()
    assert Path(download.value.path()).read_bytes() == samples.PDF
    assert Notification.objects.filter(kind="result").count() == 1

    # 4. 91 days later the purge removes the e-service file; the page still shows its record.
    Document.objects.filter(pk=submitted.pk).update(uploaded_at=timezone.now() - timedelta(days=91))
    key = submitted.file.name
    call_command("purge_expired_files")

    submitted.refresh_from_db()
    assert submitted.is_deleted
    assert not submitted.file
    from django.core.files.storage import default_storage

    assert not default_storage.exists(key)
    page.goto(f"/mans-konts/e-pakalpojumi/{eservice.pk}/")
    assert page.get_by_text("pilnvara.pdf").count() == 1
    assert page.get_by_text("dzēsta pēc 90 dienām").count() == 1
    assert page.get_by_role("link", name="pilnvara.pdf").count() == 0
    # The order's result is not an e-service file: it stays.
    page.goto("/mans-konts/pasutijumi/2026-0005002/")
    assert page.get_by_role("link", name="Kadastra_izziņa.pdf").count() == 1
