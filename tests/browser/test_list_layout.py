"""The three client lists fit the screen (issue 14, points 1 and 2), in headless Chromium.

At 1280 × 800 every column of the e-service, orders and invoices tables is on the screen without
sideways scrolling, with the filters hidden and with them shown; at 360 × 740 each row is a card
and no page scrolls sideways. For a natural person and for a legal person's user (who has the
extra "Lietotājs" column, checked to be there for them only), in Latvian and in English. A screenshot of each page at both widths is
saved under test-results/screenshots/ for a person to look at (git-ignored, not compared).
"""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from tests.browser.conftest import RESULTS, demo_sign_in

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 360, "height": 740}
SCREENSHOTS = RESULTS / "screenshots"
LISTS = {
    "eservices": ("/mans-konts/e-pakalpojumi/", "eservice-table"),
    "orders": ("/mans-konts/pasutijumi/", "order-table"),
    "invoices": ("/mans-konts/rekini/", "invoice-table"),
}
# The e-service list's extra column for a legal person's user, by language.
USER_HEADER = {"lv": "Lietotājs", "en": "User"}
PERSONAS = {
    "natural": ("Anna Bērziņa", None),
    "legal-user": ("Līga Ozola", "SIA „Zemes Mērnieki”"),
}

FIT = """testid => {
  const table = document.querySelector(`[data-testid=${testid}]`);
  const box = table.parentElement;
  const width = document.documentElement.clientWidth;
  const outside = [...table.querySelectorAll('thead th')]
    .map(th => [th.innerText.trim(), th.getBoundingClientRect()])
    .filter(([, r]) => r.left < 0 || r.right > width + 0.5)
    .map(([text, r]) => `${text.split('\\n')[0] || '(no text)'}: ${Math.round(r.left)}–${Math.round(r.right)} px`);
  const widths = [...table.querySelectorAll('thead th')]
    .map(th => `${th.firstChild.textContent.trim().slice(0, 12)} ${Math.round(th.offsetWidth)}`);
  return {table: table.scrollWidth, box: box.clientWidth, outside, width, widths};
}"""

CARDS = """testid => {
  const table = document.querySelector(`[data-testid=${testid}]`);
  const rows = [...table.querySelectorAll('tbody tr')];
  return {
    rows: rows.length,
    cards: rows.filter(tr => getComputedStyle(tr).display !== 'table-row').length,
    labelled: rows.every(tr => [...tr.cells].every(td => td.dataset.label !== undefined)),
    page: document.documentElement.scrollWidth,
  };
}"""


@pytest.fixture
def list_context(browser, live_server, reference_data):
    """A page factory: (viewport, javascript) → a new page of its own browser context."""
    contexts = []

    def make(viewport=DESKTOP, javascript=True):
        context = browser.new_context(
            base_url=live_server.url,
            locale="lv-LV",
            viewport=viewport,
            java_script_enabled=javascript,
        )
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        return page

    yield make
    for context in contexts:
        context.close()


def sign_in(page, persona: str, language: str) -> None:
    name, acting_for = PERSONAS[persona]
    demo_sign_in(page, name)
    if acting_for:
        page.get_by_label("Darbojos kā").select_option(label=acting_for)
        page.get_by_role("button", name="Mainīt").click()
    if language == "en":
        page.get_by_role("button", name="English").click()
        expect(page.locator("html")).to_have_attribute("lang", "en")


def check_fits(page, testid: str, where: str) -> list[str]:
    fit = page.evaluate(FIT, testid)
    problems = []
    if fit["table"] > fit["box"]:
        problems.append(
            f"{where}: table {fit['table']} px in a {fit['box']} px container"
            f" ({', '.join(fit['widths'])})"
        )
    problems += [f"{where}: header off screen — {h}" for h in fit["outside"]]
    return problems


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("language", ["lv", "en"])
@pytest.mark.parametrize("persona", list(PERSONAS))
def test_lists_fit_at_1280_and_become_cards_at_360(list_context, persona, language):
    call_command("seed_demo", stdout=StringIO())
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page = list_context()
    sign_in(page, persona, language)
    problems = []

    for name, (path, testid) in LISTS.items():
        shot = f"{persona}-{language}-{name}"
        page.set_viewport_size(DESKTOP)
        page.goto(f"{path}?filtri=0")
        if name == "eservices":  # the persona is the one meant: the legal person's "Lietotājs"
            headers = page.locator(f"[data-testid={testid}] thead th").all_inner_texts()
            has_user = any(h.strip().startswith(USER_HEADER[language]) for h in headers)
            assert has_user == (persona == "legal-user"), headers
        problems += check_fits(page, testid, f"{name} {DESKTOP['width']} px, filters hidden")
        page.screenshot(path=str(SCREENSHOTS / f"{shot}-1280-filters-hidden.png"), full_page=True)
        page.goto(path)
        problems += check_fits(page, testid, f"{name} {DESKTOP['width']} px, filters shown")
        page.screenshot(path=str(SCREENSHOTS / f"{shot}-1280.png"), full_page=True)

        page.set_viewport_size(PHONE)
        page.goto(path)
        cards = page.evaluate(CARDS, testid)
        if not cards["rows"] or cards["cards"] != cards["rows"] or not cards["labelled"]:
            problems.append(f"{name} 360 px: {cards['cards']} of {cards['rows']} rows are cards")
        if cards["page"] > PHONE["width"]:
            problems.append(f"{name} 360 px: page {cards['page']} px wide")
        page.screenshot(path=str(SCREENSHOTS / f"{shot}-360.png"), full_page=True)
        page.screenshot(path=str(SCREENSHOTS / f"{shot}-360-first-screen.png"))
        page.locator(f"[data-testid={testid}] tbody tr").nth(1).screenshot(
            path=str(SCREENSHOTS / f"{shot}-360-card.png")
        )

    assert problems == [], "\n".join(problems)


def toggle(page):
    return page.locator("[data-mk-filter-toggle]")


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_filter_toggle_hides_and_shows_the_filters(list_context, javascript):
    call_command("seed_demo", stdout=StringIO())
    page = list_context(javascript=javascript)
    demo_sign_in(page, "Anna Bērziņa")
    page.goto("/mans-konts/pasutijumi/?status=completed&number=2026")
    panel = page.locator(".mk-filter-layout__filter")
    table = page.locator("[data-testid=order-table]")
    shown = table.bounding_box()

    expect(panel).to_be_visible()
    expect(toggle(page)).to_have_text("Slēpt filtrus", use_inner_text=True)
    toggle(page).click()
    expect(panel).to_be_hidden()
    expect(toggle(page)).to_have_text("Rādīt filtrus (2)", use_inner_text=True)
    expect(page).to_have_url(re.compile(r"[?&]filtri=0(&|$)"))
    # The table takes the panel's room: beside it (wider) or, at 1280 px, below it (higher up).
    hidden = table.bounding_box()
    assert hidden["width"] > shown["width"] + 200 or hidden["y"] < shown["y"] - 200

    # The state survives a reload and the filters still apply.
    page.reload()
    expect(panel).to_be_hidden()
    assert "status=completed" in page.url
    toggle(page).click()
    expect(panel).to_be_visible()
    expect(page).not_to_have_url(re.compile(r"filtri=0"))
    expect(toggle(page)).to_have_text("Slēpt filtrus", use_inner_text=True)


@pytest.mark.django_db(transaction=True)
def test_on_a_phone_the_filters_sit_behind_a_button(list_context):
    call_command("seed_demo", stdout=StringIO())
    page = list_context(viewport=PHONE)
    demo_sign_in(page, "Anna Bērziņa")
    page.goto("/mans-konts/e-pakalpojumi/?period=this_year&label=M")
    panel = page.locator(".mk-filter-layout__filter")

    expect(panel).to_be_hidden()
    expect(toggle(page)).to_have_text("Filtri (2)", use_inner_text=True)
    toggle(page).click()
    expect(panel).to_be_visible()
    page.get_by_role("button", name="Filtrēt").click()
    expect(page.locator("[data-testid=eservice-table]")).to_be_visible()
