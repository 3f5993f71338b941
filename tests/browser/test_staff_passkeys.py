"""A staff member enrols a passkey and signs in with it, in Chromium with a virtual authenticator
(the DevTools WebAuthn domain): django-otp-webauthn's scripts, served from the package, run under
the site's Content-Security-Policy, and the whole ceremony goes through the real endpoints."""

from __future__ import annotations

import pytest
from django_otp_webauthn.models import WebAuthnCredential
from playwright.sync_api import expect

from tests.browser.conftest import STAFF_PASSWORD
from tests.factories import StaffFactory


def password_step(page, username: str) -> None:
    page.goto("/admin/")
    page.get_by_label("Lietotājvārds").fill(username)
    page.get_by_label("Parole").fill(STAFF_PASSWORD)
    page.get_by_role("button", name="Pieteikties").click()


@pytest.mark.django_db(transaction=True)
def test_a_staff_member_enrols_a_passkey_then_signs_in_with_it(page, live_server, settings):
    # The live server's origin (http://localhost:port): a secure context, RP ID "localhost".
    settings.OTP_WEBAUTHN_ALLOWED_ORIGINS = [live_server.url]
    staff = StaffFactory(username="liene")
    devtools = page.context.new_cdp_session(page)
    devtools.send("WebAuthn.enable")
    devtools.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )
    refused: list[str] = []
    page.on(
        "console",
        lambda message: (
            refused.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )

    # Enrolment: no device yet, so the password leads to the enrolment page.
    password_step(page, "liene")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Divfaktoru autentifikācijas iestatīšana"
    )
    page.get_by_role("button", name="Pievienot piekļuves atslēgu").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Rezerves kodi")
    expect(page.locator("#recovery-codes li")).to_have_count(10)
    page.get_by_role("link", name="Kodi saglabāti — turpināt").click()
    expect(page.locator("#site-name")).to_be_visible()
    assert page.url == f"{live_server.url}/admin/"
    assert WebAuthnCredential.objects.filter(user=staff, confirmed=True).count() == 1

    # Next sign-in: the password, then the passkey.
    page.context.clear_cookies()
    password_step(page, "liene")
    expect(page.get_by_role("heading", level=1)).to_have_text("Pieslēgšanās apstiprināšana")
    page.get_by_role("button", name="Apstiprināt ar piekļuves atslēgu").click()
    page.wait_for_url(f"{live_server.url}/admin/")
    expect(page.locator("#content-main")).to_be_visible()
    assert refused == []
