"""The signature states on a page audited as the other pages are (axe WCAG 2.2 AA, targets, focus,
reflow at 320 px; screenshots at 1280 and 360 px): a file being checked ("Pārbauda parakstu…"), a
container signed by two with its data files listed, an invalid one, a result signed by VZD, and a
service that requires a signature with its note and the refusal at upload."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command

from accounts.models import Client, User
from documents.models import Document, SignatureStatus
from documents.signing import check_stored
from eservices.models import EService
from tests.browser.conftest import demo_sign_in, staff_sign_in
from tests.browser.test_accessibility import ANNA, DESKTOP, Audit
from tests.documents.signed_samples import PKI, edoc
from tests.factories import StaffFactory
from tests.signatures import builders

EDOC = "application/vnd.etsi.asic-e+zip"


def stored(eservice, name: str, data: bytes, **fields) -> Document:
    return Document.objects.create(
        eservice=eservice,
        original_name=name,
        size=len(data),
        content_type=fields.pop("content_type", EDOC),
        direction=fields.pop("direction", Document.Direction.SUBMITTED),
        file=ContentFile(data, name="ignored"),
        **fields,
    )


@pytest.fixture
def axe_page(browser, live_server, reference_data):
    """As test_accessibility's: axe is injected inline, so the CSP is bypassed for it alone."""
    context = browser.new_context(
        base_url=live_server.url, bypass_csp=True, locale="lv-LV", viewport=DESKTOP
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.mark.django_db(transaction=True)
def test_signature_states_have_no_accessibility_violations(axe_page, settings, tmp_path):
    pki = PKI.build(tmp_path / "trust")
    settings.SIGNATURE_TRUST_STORE = str(pki.trust_store)
    call_command("seed_demo", stdout=StringIO())
    anna = Client.objects.get_or_create_for_person(User.objects.get(personal_code=ANNA))
    eservice = next(
        e for e in EService.objects.for_client(anna).order_by("pk") if e.accepts_documents
    )
    both = stored(eservice, "līgums.edoc", edoc(pki, pki.janis, pki.anna))
    broken = stored(
        eservice,
        "iesniegums.edoc",
        builders.replace_member(edoc(pki, pki.janis), "iesniegums.pdf", builders.plain_pdf("X")),
    )
    pdf = stored(
        eservice,
        "izziņa.pdf",
        builders.signed_pdf(builders.plain_pdf(), pki.janis, tsa=pki.tsa),
        content_type="application/pdf",
        direction=Document.Direction.RESULT,
    )
    for document in (both, broken, pdf):
        check_stored(document.pk)
    stored(eservice, "vēl-pārbauda.edoc", edoc(pki, pki.anna), signature_status="pending")
    service = eservice.service
    service.signature_required = True
    service.save(update_fields=["signature_required"])

    audit = Audit(axe_page, "signatures")
    demo_sign_in(axe_page, "Anna Bērziņa")
    path = f"/mans-konts/e-pakalpojumi/{eservice.pk}/"
    audit.visit(path)
    page = axe_page
    cells = page.locator("td.mk-signature")
    texts = [" ".join(t.split()) for t in cells.all_inner_texts()]
    assert any(t.startswith("Parakstīts — Jānis Bērziņš") and "Anna Kalniņa" in t for t in texts)
    assert "Paraksts nav derīgs: datne mainīta pēc parakstīšanas" in texts
    assert any(t.startswith("Parakstījis VZD, ") for t in texts)
    assert any(t.startswith("Pārbauda parakstu…") for t in texts)
    assert page.get_by_role("link", name="pielikumi/plāns 1.dwg").count() == 2

    # The refusal at upload: an unsigned PDF where the service requires a signature.
    form = page.locator("#iesniegt-dokumentus form")
    form.locator("input[type=file]").set_input_files(
        files=[
            {
                "name": "bez-paraksta.pdf",
                "mimeType": "application/pdf",
                "buffer": builders.plain_pdf(),
            }
        ]
    )
    form.get_by_role("button", name="Iesniegt").click()
    page.locator("#iesniegt-dokumentus .govuk-error-summary").wait_for()
    assert (
        "Datni „bez-paraksta.pdf” nevar pieņemt: nav parakstīts."
        in page.locator(".govuk-error-summary").first.inner_text()
    )
    audit.check(f"{path} (unsigned refused)")
    assert not Document.objects.filter(original_name="bez-paraksta.pdf").exists()
    assert Document.objects.get(pk=both.pk).signature_status == SignatureStatus.VALID

    assert audit.found == {}, audit.report()


@pytest.mark.django_db(transaction=True)
def test_the_admins_document_page_with_signatures_has_no_accessibility_violations(
    axe_page, settings, tmp_path
):
    pki = PKI.build(tmp_path / "trust")
    settings.SIGNATURE_TRUST_STORE = str(pki.trust_store)
    call_command("seed_demo", stdout=StringIO())
    StaffFactory(username="vaditaja", is_superuser=True)
    eservice = EService.objects.order_by("pk").first()
    both = stored(eservice, "līgums.edoc", edoc(pki, pki.janis, pki.anna))
    untrusted = stored(eservice, "svešs.edoc", edoc(pki, pki.stranger))
    for document in (both, untrusted):
        check_stored(document.pk)
    audit = Audit(axe_page, "signatures-admin")
    page = axe_page

    page.goto("/admin/")
    staff_sign_in(page, "vaditaja")
    page.locator("#content-main").wait_for()
    audit.visit(f"/admin/documents/document/{both.pk}/change/")
    content = " ".join(page.locator("#content-main").inner_text().split())
    assert "Jānis Bērziņš (PNOLV-010203-12345), " in content
    assert "Lejupielādēt atskaiti (JSON)" in content
    # The list and the e-service's inline: the words are there (Django's own list checkboxes and
    # the change form's widgets are outside this audit, as for the other admin pages).
    page.goto("/admin/documents/document/?signature_status__exact=valid")
    assert "Parakstīts — Anna Kalniņa" in page.locator("#result_list").inner_text()
    page.goto(f"/admin/eservices/eservice/{eservice.pk}/change/")
    assert "Parakstītāja sertifikāts nav uzticams" in page.locator("#content-main").inner_text()

    assert audit.found == {}, audit.report()
