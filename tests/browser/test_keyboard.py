"""Keyboard only: Tab, Enter and Space, no clicks. The skip link lands on the main content, the
e-service list is filtered, sorted, a detail opened and a result downloaded, and every element
that takes the focus shows it."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from accounts.models import Client, User
from documents.models import Document
from eservices.models import EServiceStatus

ANNA = "12058512340"

# The focused element, and whether its focus indicator can be seen: a real outline (not none, not
# zero wide, not transparent) or a box-shadow (GOV.UK's yellow and black focus style).
FOCUSED = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const style = getComputedStyle(el);
  const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0
    && !/rgba\\(\\d+, \\d+, \\d+, 0\\)|transparent/.test(style.outlineColor);
  const shadow = style.boxShadow !== 'none';
  const main = document.getElementById('main-content');
  return {
    tag: el.tagName.toLowerCase(),
    id: el.id,
    name: (el.getAttribute('aria-label') || el.innerText || el.value || el.name || '').trim(),
    href: el.getAttribute('href') || '',
    inMain: !!main && main.contains(el) && el !== main,
    visible: outline || shadow,
  };
}"""


class KeyboardWalk:
    """Presses keys and remembers every focused element whose focus could not be seen."""

    def __init__(self, page):
        self.page = page
        self.unseen: list[str] = []

    def focused(self) -> dict | None:
        return self.page.evaluate(FOCUSED)

    def tab(self) -> dict | None:
        self.page.keyboard.press("Tab")
        now = self.focused()
        if now and now["tag"] != "main" and not now["visible"]:
            self.unseen.append(f"{self.page.url}: <{now['tag']}> {now['name'][:40]!r}")
        return now

    def tab_to(self, wanted, limit: int = 250) -> dict:
        """Tab until `wanted(focused)` is true."""
        for _ in range(limit):
            now = self.tab()
            if now and wanted(now):
                return now
        raise AssertionError(f"not reached by Tab on {self.page.url}")

    def sweep(self, limit: int = 400) -> int:
        """Tab through the whole page from the top, back to where the focus started."""
        self.page.evaluate("document.activeElement && document.activeElement.blur()")
        for seen in range(limit):
            if self.tab() is None:
                return seen
        raise AssertionError(f"Tab never left {self.page.url}")


def follow(page, key: str = "Enter") -> None:
    """Activate the focused link or button and wait for the page it opens."""
    with page.expect_navigation():
        page.keyboard.press(key)


def named(text: str):
    return lambda el: el["name"] == text


@pytest.mark.django_db(transaction=True)
def test_filter_sort_open_and_download_with_the_keyboard_only(page):
    call_command("seed_demo", stdout=StringIO())
    anna = Client.objects.get_or_create_for_person(User.objects.get(personal_code=ANNA))
    result = (
        Document.objects.available()
        .filter(
            eservice__client=anna,
            eservice__status=EServiceStatus.COMPLETED,
            direction=Document.Direction.RESULT,
        )
        .select_related("eservice")
        .first()
    )
    eservice = result.eservice
    walk = KeyboardWalk(page)

    # Sign in with the demo provider.
    page.goto("/pieslegties/")
    walk.tab_to(named("Pieslēgties kā Anna Bērziņa"))
    follow(page)
    expect(page).to_have_url(re.compile(r"/mans-konts/$"))

    # The skip link is the first stop and lands on the main content.
    page.goto("/mans-konts/e-pakalpojumi/")
    first = walk.tab()
    assert (first["name"], first["href"]) == ("Pāriet uz galveno saturu", "#main-content")
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main-content"
    assert walk.tab()["inMain"] is True

    # A filter: type the e-service's ID, submit with the button.
    walk.tab_to(lambda el: el["id"] == "id_id")
    page.keyboard.type(str(eservice.pk))
    walk.tab_to(named("Filtrēt"))
    follow(page)
    expect(page).to_have_url(re.compile(rf"[?&]id={eservice.pk}(&|$)"))
    expect(page.locator("[data-testid=eservice-table] tbody tr")).to_have_count(1)

    # A sort link, activated with Enter: the filter stays.
    walk.tab_to(lambda el: el["name"].startswith("Izmaiņu datums"))
    follow(page)
    expect(page).to_have_url(re.compile(r"[?&]sort=changed(&|$)"))
    expect(page).to_have_url(re.compile(rf"[?&]id={eservice.pk}(&|$)"))

    # The detail link in the row, then the result's download link on the detail page.
    walk.tab_to(lambda el: el["href"].endswith(f"/e-pakalpojumi/{eservice.pk}/"))
    follow(page)
    expect(page.get_by_role("heading", level=1)).to_contain_text(str(eservice.pk))
    walk.tab_to(lambda el: el["href"].endswith(f"/datnes/{result.pk}/"))
    with page.expect_download() as download:
        page.keyboard.press("Enter")
    assert download.value.suggested_filename == result.original_name

    assert walk.unseen == [], "\n".join(walk.unseen)


@pytest.mark.django_db(transaction=True)
def test_every_element_that_takes_the_focus_shows_it(page):
    call_command("seed_demo", stdout=StringIO())
    walk = KeyboardWalk(page)
    page.goto("/")
    walk.sweep()
    page.goto("/pieslegties/")
    walk.sweep()
    page.goto("/pieklustamibas-pazinojums/")
    walk.sweep()
    page.goto("/pieslegties/")
    walk.tab_to(named("Pieslēgties kā Jānis Kalniņš"))
    follow(page)
    expect(page).to_have_url(re.compile(r"/mans-konts/$"))

    # The acting-for switch, by keyboard: focus the select, choose with the arrow keys, submit.
    walk.tab_to(lambda el: el["id"] == "acting-for")
    page.keyboard.press("ArrowUp")
    walk.tab_to(named("Mainīt"))
    follow(page, "Space")
    expect(page.get_by_label("Darbojos kā")).not_to_have_value(
        str(Client.objects.get_or_create_for_person(User.objects.get(first_name="Jānis")).pk)
    )

    swept = {}
    for path in [
        "/mans-konts/",
        "/mans-konts/e-pakalpojumi/",
        "/mans-konts/e-pakalpojumi/atskaite/",
        "/mans-konts/pasutijumi/",
        "/mans-konts/rekini/",
        "/mans-konts/pazinojumi/",
        "/mans-konts/lietotaji/",
        "/pieteikums/juridiska-persona/",
    ]:
        page.goto(path)
        swept[path] = walk.sweep()
    page.goto("/mans-konts/e-pakalpojumi/")
    walk.tab_to(lambda el: re.search(r"/e-pakalpojumi/\d+/$", el["href"]) is not None)
    follow(page)
    swept["e-service detail"] = walk.sweep()
    page.goto("/mans-konts/pasutijumi/")
    walk.tab_to(lambda el: re.search(r"/pasutijumi/[\w-]+/$", el["href"]) is not None)
    follow(page)
    swept["order detail"] = walk.sweep()

    assert walk.unseen == [], "\n".join(walk.unseen)
    assert min(swept.values()) > 5


REGIONS = """() => [...document.querySelectorAll('.mk-table-wrapper')].map(r => ({
  label: r.getAttribute('aria-label'),
  overflows: r.scrollWidth > r.clientWidth + 1,
  tabStop: r.getAttribute('tabindex') === '0',
}))"""


@pytest.mark.django_db(transaction=True)
def test_a_table_region_is_a_tab_stop_only_while_it_scrolls_sideways(page):
    from tests.browser.conftest import demo_sign_in

    call_command("seed_demo", stdout=StringIO())
    demo_sign_in(page, "Anna Bērziņa")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto("/mans-konts/e-pakalpojumi/atskaite/")  # a small summary table and a wide list
    wide = page.evaluate(REGIONS)

    # On a phone the list's rows are cards (nothing scrolls); on a tablet the table is wider than
    # the screen and scrolls inside its region.
    page.set_viewport_size({"width": 700, "height": 900})
    page.evaluate("() => new Promise(done => requestAnimationFrame(() => done()))")
    narrow = page.evaluate(REGIONS)

    assert wide and narrow
    assert [r["tabStop"] for r in wide] == [r["overflows"] for r in wide]
    assert [r["tabStop"] for r in narrow] == [r["overflows"] for r in narrow]
    assert any(not r["tabStop"] for r in wide)  # fits a desktop screen: no extra stop
    assert any(r["tabStop"] for r in narrow)  # scrolls on a tablet: reachable by Tab
