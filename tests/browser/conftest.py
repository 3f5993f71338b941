"""Headless Chromium (Debian's /usr/bin/chromium) driven by Playwright against pytest-django's
live server. Screenshots of failures land in test-results/."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; Django's ORM calls from the test body
# are still plain synchronous calls, so the async-safety guard does not apply.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
RESULTS = Path(__file__).resolve().parents[2] / "test-results"


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: run `make browser-deps`.")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--disable-quic",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server, reference_data, request):
    context = browser.new_context(base_url=live_server.url, locale="lv-LV", accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    failed = getattr(request.node, "rep_call", None)
    if failed is not None and failed.failed:
        RESULTS.mkdir(exist_ok=True)
        page.screenshot(path=str(RESULTS / f"{request.node.name}.png"), full_page=True)
    context.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


def demo_sign_in(page, full_name: str) -> None:
    """Sign in through the demo identity provider's page, as a person would."""
    page.goto("/pieslegties/")
    page.get_by_role("button", name=f"Pieslēgties kā {full_name}").click()


STAFF_PASSWORD = "clerk-password-123"  # tests.factories.StaffFactory's


def staff_sign_in(page, username: str, password: str = STAFF_PASSWORD) -> None:
    """The admin's sign-in as staff do it: the password, then a code from their authenticator app
    (the device is set up here, as enrolment would have)."""
    import time
    from binascii import unhexlify

    from django_otp.oath import TOTP
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from accounts.models import User

    device = TOTPDevice.objects.create(user=User.objects.get(username=username), name="Tālrunis")
    page.get_by_label("Lietotājvārds").fill(username)
    page.get_by_label("Parole").fill(password)
    page.get_by_role("button", name="Pieteikties").click()
    totp = TOTP(unhexlify(device.key))
    totp.time = time.time()
    page.get_by_label("6 ciparu kods").fill(f"{totp.token():06d}")
    page.get_by_role("button", name="Apstiprināt", exact=True).click()
