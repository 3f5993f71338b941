"""The API's two pages in Chromium: the documentation (Swagger UI from the package) renders under
the site's own Content-Security-Policy with no violation, and API piekļuve — empty, with its form's
errors, with a new token shown, and as a plain user of a legal person — passes the accessibility
audit at 1280, 360 and 320 px (tests/browser/test_accessibility.py's Audit)."""

from __future__ import annotations

import re

import pytest
from django.conf import settings as django_settings
from django.test import Client as HttpClient
from playwright.sync_api import expect

from accounts.acting_for import SESSION_KEY
from accounts.models import Client
from tests.browser.test_accessibility import DESKTOP, Audit
from tests.factories import LegalClientFactory, MembershipFactory, UserFactory


def sign_in_as(page, live_server, user, acting_for=None) -> None:
    """The browser gets the session a finished sign-in would have given."""
    http = HttpClient()
    http.force_login(user)
    if acting_for is not None:
        session = http.session
        session[SESSION_KEY] = acting_for.pk
        session.save()
    cookie = http.cookies[django_settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])


@pytest.fixture
def audit_page(browser, live_server, reference_data):
    # axe is injected as an inline script, which our Content-Security-Policy rightly refuses.
    context = browser.new_context(
        base_url=live_server.url, bypass_csp=True, locale="lv-LV", viewport=DESKTOP
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def test_the_api_docs_render_under_the_sites_csp(page):
    refused = []
    page.on(
        "console",
        lambda message: (
            refused.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )

    response = page.goto("/api/v1/docs")

    assert "script-src 'self'" in response.headers["content-security-policy"]
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Mans konts API")
    expect(page.get_by_text("/api/v1/order-parts", exact=True)).to_be_visible()
    assert refused == []


def test_api_access_page_passes_the_audit(audit_page, live_server):
    person = UserFactory(first_name="Anna", last_name="Bērziņa")
    Client.objects.get_or_create_for_person(person)
    legal = LegalClientFactory(registration_number="40003517893", name="SIA „Zemes Mērnieki”")
    colleague = MembershipFactory(client=legal, role="user").user
    audit = Audit(audit_page, "api")
    sign_in_as(audit_page, live_server, person)

    audit.visit("/mans-konts/api-piekluve/")
    audit_page.get_by_role("button", name="Izveidot atslēgu").click()
    expect(audit_page.locator(".govuk-error-summary")).to_be_visible()
    audit.check("/mans-konts/api-piekluve/ (errors)")
    audit_page.get_by_label("Nosaukums").fill("Grāmatvedības sistēma")
    audit_page.get_by_role("button", name="Izveidot atslēgu").click()
    expect(audit_page.get_by_label("API piekļuves atslēga", exact=True)).to_have_value(
        re.compile(r"^mk_[0-9a-f]{10}_")
    )
    audit.check("/mans-konts/api-piekluve/ (created)")
    audit_page.context.clear_cookies()
    sign_in_as(audit_page, live_server, colleague, legal)
    audit.visit("/mans-konts/api-piekluve/?lietotajs")

    assert audit.found == {}, audit.report()
