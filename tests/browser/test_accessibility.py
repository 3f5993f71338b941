"""Every page audited in headless Chromium against WCAG 2.2 AA (issue 14, point 12): each page and
state (error summaries, the filter panel shown and hidden, list cards on a phone, the admin's
sign-in, two-factor pages and start page) at 1280 and at 360 px has zero axe-core violations
(wcag2a … wcag22aa and best practices), no target under 24 × 24 px (2.5.8, links in a sentence
exempt), and no element that Tab focuses hidden under another (2.4.11); at 320 px (1.4.10 Reflow)
no page scrolls sideways: wide tables scroll inside their own focusable region. A screenshot of
each page at 1280 and 360 px lands in test-results/screenshots/audit/ (git-ignored; for a person
to look at, not compared)."""

from __future__ import annotations

import re
import shutil
import time
from base64 import b32decode
from io import StringIO
from urllib.parse import urlsplit

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.db.models import F
from django.utils import timezone
from django_otp.oath import TOTP
from playwright.sync_api import expect

from accounts.models import Client, User
from billing.models import Invoice, PaymentAttempt
from billing.portal_payments import handle_callback
from billing.providers.demo import DemoProvider
from billing.services import order_payment_state, owed_invoices, with_paid_amount
from documents.access import result_download_decision
from documents.models import Document
from eservices.models import EService, ExportJob
from orders.models import Order, OrderPart, ServiceGroup
from tests.browser.accessibility import (
    LAYOUT_RULES,
    axe_violations,
    horizontal_overflow,
    obscured_focus,
    small_targets,
)
from tests.browser.conftest import RESULTS, STAFF_PASSWORD, demo_sign_in
from tests.factories import PaymentFactory, StaffFactory

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 360, "height": 740}
REFLOW = {"width": 320, "height": 740}  # WCAG 1.4.10: narrower than the 360 px phone
SCREENSHOTS = RESULTS / "screenshots" / "audit"
ANNA = "12058512340"
ZEMES_MERNIEKI = "40003517893"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def next_frame(page) -> None:
    page.evaluate("() => new Promise(done => requestAnimationFrame(() => done()))")


def slug(text: str) -> str:
    return re.sub(r"[^0-9A-Za-z]+", "-", text).strip("-")[:80] or "root"


class Audit:
    """Collects the problems found per page; the test asserts `found == {}`.

    Each page (or state of one) is checked at 1280 and at 360 px: axe (WCAG 2.2 A/AA and best
    practices), target sizes and a Tab walk for focus hidden under other content, with a full-page
    screenshot at each width under test-results/screenshots/audit/<who>/ (for a person to look at,
    not compared); then at 320 px axe's layout rules and sideways overflow (1.4.10 Reflow).
    """

    def __init__(self, page, who: str):
        self.page = page
        self.found: dict[str, list[str]] = {}
        self.shots = SCREENSHOTS / who
        shutil.rmtree(self.shots, ignore_errors=True)  # no stale pictures from an older run
        self.shots.mkdir(parents=True)
        self.count = 0

    def report(self) -> str:
        return "\n".join(
            f"{name}:\n" + "\n".join(f"  {problem}" for problem in problems)
            for name, problems in self.found.items()
        )

    def visit(self, path: str) -> None:
        self.page.goto(path)
        self.check(path)

    def check(self, name: str | None = None) -> None:
        """Audit the page as it is now (e.g. a form re-shown with errors after a POST)."""
        if name is None:
            url = urlsplit(self.page.url)
            name = url.path + (f"?{url.query}" if url.query else "")
        self.count += 1
        shot = f"{self.count:02d}-{slug(name)}"
        problems = []
        try:
            for viewport in (DESKTOP, PHONE):
                width = viewport["width"]
                self.page.set_viewport_size(viewport)
                next_frame(self.page)  # let the page react to the new width (static/js/init.js)
                found = axe_violations(self.page) + small_targets(self.page)
                found += obscured_focus(self.page)
                problems += [f"{width} px: {problem}" for problem in found]
                self.page.screenshot(path=str(self.shots / f"{shot}-{width}.png"), full_page=True)
            self.page.set_viewport_size(REFLOW)
            next_frame(self.page)
            found = axe_violations(self.page, LAYOUT_RULES) + horizontal_overflow(self.page)
            problems += [f"{REFLOW['width']} px: {problem}" for problem in found]
        finally:
            self.page.set_viewport_size(DESKTOP)
            next_frame(self.page)
        if problems:
            self.found.setdefault(name, []).extend(problems)


@pytest.fixture
def axe_page(browser, live_server, reference_data, settings):
    settings.PAYMENT_PROVIDER = "demo"
    settings.PAYMENT_CALLBACK_SECRET = "accessibility-test-secret"
    # axe is injected as an inline script, which our Content-Security-Policy rightly refuses.
    context = browser.new_context(
        base_url=live_server.url, bypass_csp=True, locale="lv-LV", viewport=DESKTOP
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def act_for(page, name: str) -> None:
    page.get_by_label("Darbojos kā").select_option(label=name)
    page.get_by_role("button", name="Mainīt").click()


def submit_empty_upload(audit: Audit) -> None:
    """The upload form re-shown with its error summary (no file chosen)."""
    form = audit.page.locator("#iesniegt-dokumentus form")
    form.get_by_role("button", name="Iesniegt").click()
    audit.page.locator("#iesniegt-dokumentus .govuk-error-summary").wait_for()
    audit.check(f"{urlsplit(audit.page.url).path} (upload error)")


def audit_eservices(audit: Audit, client: Client) -> None:
    page = audit.page
    eservices = EService.objects.for_client(client)
    labelled = eservices.exclude(label=None).order_by("pk")
    eservice, other = labelled[0], labelled[1]
    group = ServiceGroup.objects.filter(services__eservices__client=client).first()

    audit.visit("/mans-konts/e-pakalpojumi/")
    # The filter panel hidden, and shown (on a phone too, where it starts closed).
    audit.visit("/mans-konts/e-pakalpojumi/?filtri=0")
    audit.visit("/mans-konts/e-pakalpojumi/?filtri=1")
    audit.visit(f"/mans-konts/e-pakalpojumi/?period=this_year&group={group.pk}&sort=-service")
    audit.visit("/mans-konts/e-pakalpojumi/?id=abc&created_from=31.02.2026&page=zz")
    audit.visit(f"/mans-konts/e-pakalpojumi/{eservice.pk}/")
    page.get_by_label("Klienta identifikators").fill(other.label)
    page.get_by_role("button", name="Saglabāt").click()
    page.locator(".govuk-error-summary").first.wait_for()
    audit.check(f"/mans-konts/e-pakalpojumi/{eservice.pk}/ (label error)")
    open_eservice = next(e for e in eservices.order_by("pk") if e.accepts_documents)
    page.goto(f"/mans-konts/e-pakalpojumi/{open_eservice.pk}/")
    submit_empty_upload(audit)

    audit.visit("/mans-konts/e-pakalpojumi/atskaite/")
    audit.visit("/mans-konts/e-pakalpojumi/atskaite/?received_from=xx")
    running = ExportJob.objects.create(
        client=client, state=ExportJob.State.RUNNING, total=12000, done=3000, query="sort=id"
    )
    done = ExportJob.objects.create(
        client=client,
        state=ExportJob.State.DONE,
        total=12000,
        done=12000,
        finished_at=timezone.now(),
    )
    done.file.save("atskaite.xlsx", ContentFile(b"PK\x03\x04"), save=True)
    failed = ExportJob.objects.create(client=client, state=ExportJob.State.FAILED)
    audit.visit("/mans-konts/e-pakalpojumi/atskaite/")
    for job in (running, done, failed):
        audit.visit(f"/mans-konts/e-pakalpojumi/atskaite/eksports/{job.pk}/")


def audit_orders(audit: Audit, client: Client) -> None:
    orders = Order.objects.for_client(client)
    results = Document.objects.filter(
        direction=Document.Direction.RESULT, order_part__order__client=client
    ).select_related("order_part__order")
    refused = [d for d in results if not result_download_decision(d.order_part).allowed]
    allowed = next((d for d in results if result_download_decision(d.order_part).allowed), None)
    if allowed is None:  # pay every invoice of an order that has a result for the VZD account
        allowed = next(
            d
            for d in refused
            if d.order_part.delivery_method == OrderPart.Delivery.VZD_ACCOUNT
            and order_payment_state(d.order_part.order).unpaid_invoices
        )
        for invoice in order_payment_state(allowed.order_part.order).unpaid_invoices:
            PaymentFactory(invoice=invoice, amount=invoice.total - invoice.paid_amount)
        assert result_download_decision(allowed.order_part).allowed
    refused = next(d for d in refused if d.order_part.order != allowed.order_part.order)

    audit.visit("/mans-konts/pasutijumi/")
    audit.visit("/mans-konts/pasutijumi/?filtri=0")
    audit.visit("/mans-konts/pasutijumi/?status=completed&number=2026&sort=-status&filtri=1")
    audit.visit("/mans-konts/pasutijumi/?object=zz&created_to=99.99.9999&eservice=x")
    audit.visit(f"/mans-konts/pasutijumi/{refused.order_part.order.number}/")
    audit.visit(f"/mans-konts/datnes/{refused.pk}/")
    audit.visit(f"/mans-konts/pasutijumi/{allowed.order_part.order.number}/")
    # The upload form's errors on an order that still takes documents (a closed one has none).
    open_order = next(o for o in orders.order_by("number") if o.accepts_documents)
    audit.page.goto(f"/mans-konts/pasutijumi/{open_order.number}/")
    submit_empty_upload(audit)
    audit.visit(f"/mans-konts/pasutijumi/{orders.order_by('number').last().number}/")
    audit.visit("/mans-konts/pasutijumi/2099-0000001/")


def audit_billing(audit: Audit, client: Client) -> None:
    page = audit.page
    paid = with_paid_amount(Invoice.objects.for_client(client)).filter(paid_amount__gte=F("total"))
    unpaid = owed_invoices(client).order_by("number").first().number
    audit.visit("/mans-konts/rekini/")
    page.get_by_role("button", name=re.compile("^Apmaksāt")).first.click()
    audit.check("/mans-konts/rekini/ (no invoice chosen)")
    audit.visit(f"/mans-konts/rekini/{paid.first().number}/")
    audit.visit(f"/mans-konts/rekini/{unpaid}/")
    audit.visit(f"/mans-konts/rekini/{unpaid}/drukai/")
    page.goto(f"/mans-konts/rekini/{unpaid}/")
    page.get_by_role("button", name=re.compile("^Apmaksāt")).click()
    page.get_by_role("heading", level=1, name=re.compile("^Demo banka")).wait_for()
    audit.check("demo bank")
    page.get_by_role("button", name="Maksāt").click()
    page.get_by_role("heading", level=1, name="Maksājums saņemts").wait_for()
    audit.check("payment result")
    # The same invoice paid again (an older tab's attempt the bank still paid): an overpayment.
    again = PaymentAttempt.objects.filter(client=client, status="paid").latest("id")
    late = PaymentAttempt.objects.create(
        client=client, provider="demo", amount=again.amount, currency=again.currency
    )
    for line in again.lines.all():
        late.lines.create(invoice=line.invoice, amount=line.amount)
    body, timestamp, signature = DemoProvider.signed_event(late, "paid")
    assert handle_callback("demo", body, signature, timestamp).outcome == "overpaid"
    audit.visit(f"/mans-konts/rekini/maksajums/{late.reference}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Rēķins jau apmaksāts")
    audit.visit(f"/mans-konts/rekini/{late.lines.first().invoice.number}/")


def audit_common(audit: Audit) -> None:
    audit.visit("/mans-konts/")
    audit.visit("/mans-konts/pazinojumi/")
    audit.visit("/pieteikums/")
    audit.visit("/pieklustamibas-pazinojums/")


@pytest.mark.django_db(transaction=True)
def test_signed_out_pages_have_no_accessibility_violations(axe_page):
    audit = Audit(axe_page, "signed-out")

    for path in [
        "/",
        "/pieslegties/",
        "/pieklustamibas-pazinojums/",
        "/nav-tadas-lapas/",  # 404
        "/mans-konts/pasutijumi/%00/",  # 400
    ]:
        audit.visit(path)

    # 403 for a form sent without its CSRF cookie (an expired or blocked cookie).
    axe_page.goto("/")
    axe_page.context.clear_cookies()
    axe_page.get_by_role("button", name="English").click()
    expect(axe_page.get_by_role("heading", level=1)).to_be_visible()
    assert axe_page.title() == "Veidlapa novecojusi — Mans konts"
    audit.check("403 CSRF")

    # 500: the page Django's server_error view renders, served at a URL of the live server.
    from django.test import RequestFactory
    from django.views.defaults import server_error

    body = server_error(RequestFactory().get("/")).content
    axe_page.route(
        "**/tehniska-kluda/",
        lambda route: route.fulfill(status=500, body=body, content_type="text/html; charset=utf-8"),
    )
    axe_page.goto("/tehniska-kluda/")
    audit.check("500")

    assert audit.found == {}, audit.report()


@pytest.mark.django_db(transaction=True)
def test_natural_person_pages_have_no_accessibility_violations(axe_page):
    call_command("seed_demo", stdout=StringIO())
    anna = Client.objects.get_or_create_for_person(User.objects.get(personal_code=ANNA))
    audit = Audit(axe_page, "natural")
    demo_sign_in(axe_page, "Anna Bērziņa")

    audit_common(audit)
    audit_eservices(audit, anna)
    audit_orders(audit, anna)
    audit_billing(audit, anna)
    audit.visit("/mans-konts/lietotaji/")

    assert audit.found == {}, audit.report()


@pytest.mark.django_db(transaction=True)
def test_legal_person_administrator_pages_have_no_accessibility_violations(axe_page):
    call_command("seed_demo", stdout=StringIO())
    legal = Client.objects.get(registration_number=ZEMES_MERNIEKI)
    audit = Audit(axe_page, "legal-admin")
    demo_sign_in(axe_page, "Jānis Kalniņš")
    audit.check("/mans-konts/ (acting for the legal person acted for last, switch visible)")
    act_for(axe_page, "SIA „Zemes Mērnieki”")

    audit_common(audit)
    audit_eservices(audit, legal)
    user = legal.users().exclude(personal_code="03039214561").first()
    audit.visit(f"/mans-konts/e-pakalpojumi/?user={user.pk}")
    audit_orders(audit, legal)
    audit_billing(audit, legal)
    audit.visit("/mans-konts/lietotaji/")
    axe_page.get_by_label("Personas kods").fill("123")
    axe_page.get_by_role("button", name="Pievienot").click()
    audit.check("/mans-konts/lietotaji/ (add error)")

    assert audit.found == {}, audit.report()


@pytest.mark.django_db(transaction=True)
def test_legal_person_user_and_applicant_pages_have_no_accessibility_violations(axe_page):
    call_command("seed_demo", stdout=StringIO())
    audit = Audit(axe_page, "legal-user")
    page = axe_page
    demo_sign_in(page, "Līga Ozola")
    act_for(page, "SIA „Zemes Mērnieki”")
    audit.visit("/mans-konts/")
    audit.visit("/mans-konts/lietotaji/")  # 403: only the administrator manages users
    page.get_by_role("button", name="Iziet").click()

    demo_sign_in(page, "Ilze Krūmiņa")
    audit.check("/mans-konts/ (no data)")
    audit.visit("/mans-konts/e-pakalpojumi/")
    audit.visit("/mans-konts/pasutijumi/")
    audit.visit("/mans-konts/rekini/")
    audit.visit("/pieteikums/")
    audit.visit("/pieteikums/juridiska-persona/")
    page.get_by_role("button", name="Iesniegt pieteikumu").click()
    audit.check("/pieteikums/juridiska-persona/ (errors)")
    page.get_by_label("Reģistrācijas numurs").fill("5000 312 3455")
    page.get_by_label("Nosaukums").fill("SIA „Krūmiņa Zeme”")
    page.get_by_label("Juridiskā adrese").fill("Lielā iela 1, Jelgava, LV-3001")
    page.get_by_label("Kontaktu e-pasts").fill("birojs@krumina.example.lv")
    page.get_by_label("Tālrunis").fill("+371 63000000")
    page.get_by_label("Valdes loceklis").check()
    page.get_by_label("Pārstāvību apliecinošs dokuments").set_input_files(
        {"name": "valdes-lemums.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    page.get_by_role("button", name="Iesniegt pieteikumu").click()
    page.get_by_role("heading", level=1, name="SIA „Krūmiņa Zeme”").wait_for()
    audit.check("/pieteikums/<id>/")
    audit.visit("/pieteikums/")

    assert audit.found == {}, audit.report()


@pytest.mark.django_db(transaction=True)
def test_export_status_updates_in_place_and_announces_when_ready(page):
    # No <meta refresh> (WCAG 2.2.1): the page fetches its status and announces a change politely.
    demo_sign_in(page, "Anna Bērziņa")
    anna = Client.objects.get_or_create_for_person(User.objects.get(personal_code=ANNA))
    job = ExportJob.objects.create(
        client=anna, state=ExportJob.State.RUNNING, total=10000, done=2500
    )
    page.goto(f"/mans-konts/e-pakalpojumi/atskaite/eksports/{job.pk}/")
    page.get_by_label("Sagatavotas 2500 no 10000 rindām").wait_for()
    url = page.url

    job.state, job.done, job.finished_at = ExportJob.State.DONE, 10000, timezone.now()
    job.file.save("atskaite.xlsx", ContentFile(b"PK\x03\x04"), save=True)

    expect(page.get_by_role("link", name="Lejupielādēt Excel (.xlsx)")).to_be_visible()
    expect(page.locator("#export-announce")).to_have_text("Gatava")
    assert page.url == url
    assert page.locator("meta[http-equiv=refresh]").count() == 0


def staff_password_step(page, username: str, password: str = STAFF_PASSWORD) -> None:
    page.get_by_label("Lietotājvārds").fill(username)
    page.get_by_label("Parole").fill(password)
    page.get_by_role("button", name="Pieteikties").click()


@pytest.mark.django_db(transaction=True)
def test_staff_sign_in_two_factor_and_admin_pages_have_no_accessibility_violations(
    axe_page, settings
):
    # The admin's start page (the clerk's desk) with the demo data's counts, as a superuser sees it.
    call_command("seed_demo", stdout=StringIO())
    settings.AXES_FAILURE_LIMIT = 2
    StaffFactory(username="vaditaja", is_superuser=True)
    StaffFactory(username="kolegis")  # a colleague on the device reset page
    StaffFactory(username="aizmirsa")
    audit = Audit(axe_page, "staff")
    page = axe_page

    page.goto("/admin/")
    page.get_by_label("Lietotājvārds").wait_for()
    audit.check("/admin/login/")
    staff_password_step(page, "vaditaja", "nepareiza-parole")
    page.locator(".errornote").wait_for()
    audit.check("/admin/login/ (wrong password)")

    # First sign-in: no device yet, so the password leads to enrolment.
    staff_password_step(page, "vaditaja")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Divfaktoru autentifikācijas iestatīšana"
    )
    audit.check("/admin/divfaktoru/iestatit/ (first time)")
    page.get_by_label("6 ciparu kods").fill("000000")
    page.get_by_role("button", name="Pievienot lietotni").click()
    page.locator("#otp-error").wait_for()
    audit.check("/admin/divfaktoru/iestatit/ (wrong code)")
    secret = page.locator("#otp-secret").inner_text().replace(" ", "")
    totp = TOTP(b32decode(secret + "=" * (-len(secret) % 8)))
    totp.time = time.time()
    page.get_by_label("6 ciparu kods").fill(f"{totp.token():06d}")
    page.get_by_role("button", name="Pievienot lietotni").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Rezerves kodi")
    audit.check("/admin/divfaktoru/rezerves-kodi/")
    page.get_by_role("link", name="Kodi saglabāti — turpināt").click()
    page.locator("#content-main").wait_for()
    audit.check("/admin/")
    audit.visit("/admin/divfaktoru/iestatit/")  # devices listed, new recovery codes offered
    audit.visit("/admin/divfaktoru/atiestatit/")

    # The next sign-in: the password, then the code.
    page.context.clear_cookies()
    page.goto("/admin/")
    staff_password_step(page, "vaditaja")
    expect(page.get_by_role("heading", level=1)).to_have_text("Pieslēgšanās apstiprināšana")
    audit.check("/admin/divfaktoru/")
    page.get_by_label("6 ciparu kods").fill("000000")
    page.get_by_role("button", name="Apstiprināt", exact=True).click()
    page.locator(".errornote").first.wait_for()
    audit.check("/admin/divfaktoru/ (wrong code)")

    # Too many wrong passwords: the lockout page.
    page.context.clear_cookies()
    page.goto("/admin/")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        staff_password_step(page, "aizmirsa", "nepareiza-parole")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    audit.check("/admin/login/ (locked out)")

    assert audit.found == {}, audit.report()
