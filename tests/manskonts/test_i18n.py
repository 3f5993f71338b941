"""English as a complete second language, and Latvian's three plural forms.

The interface strings are Latvian in the source (the msgids); `locale/en` translates every one of
them, and `locale/lv` only carries the plural entries (Latvian: 1/21/31… · 2–20/22… · 0).
The tests read the compiled catalogues, so the module compiles them when they are missing or older
than the .po files (`make test` compiles them first anyway).
"""

from __future__ import annotations

import ast
import gettext as gettext_module
import json
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import pytest
from asgiref.local import Local
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation
from django.utils.translation import trans_real

from orders.workflow import OrderStatus

LOCALE_DIR = Path(settings.BASE_DIR) / "locale"
CATALOGUES = {code: LOCALE_DIR / code / "LC_MESSAGES" / "django.po" for code in ("en", "lv")}
# The passkey scripts' own strings (django-otp-webauthn's msgids are English: only Latvian needed).
JS_CATALOGUE = LOCALE_DIR / "lv" / "LC_MESSAGES" / "djangojs.po"
PLACEHOLDER = re.compile(r"%\(\w+\)[sdf]|%%|%[sdf]")


@pytest.fixture(scope="module", autouse=True)
def compiled_catalogues():
    stale = [
        po
        for po in [*CATALOGUES.values(), JS_CATALOGUE]
        if not po.with_suffix(".mo").exists()
        or po.with_suffix(".mo").stat().st_mtime < po.stat().st_mtime
    ]
    if stale:
        call_command(
            "compilemessages",
            locale=["en", "lv"],
            ignore_patterns=[".venv", "node_modules"],
            verbosity=0,
        )
        # Catalogues already loaded in this process (by earlier tests) would hide the new files;
        # forget them as Django's own LOCALE_PATHS setting_changed handler does.
        gettext_module._translations.clear()
        trans_real._translations = {}
        trans_real._default = None
        trans_real._active = Local()
        trans_real.translation_catalog_exists.cache_clear()
    yield


# --- A small .po reader (the catalogue format is simple; no extra dependency) -------------------


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    line: int = 0

    @property
    def is_translated(self) -> bool:
        return bool(self.msgstr) and all(self.msgstr.values()) and "fuzzy" not in self.flags


def read_po(path: Path, *, with_header: bool = False) -> list[Entry]:
    """Entries of a .po file; obsolete (#~) entries left out, the header (msgid "") on request."""
    entries: list[Entry] = []
    current: Entry | None = None
    target: tuple[str, int | None] | None = None

    def finish():
        if current is not None and (current.msgid or with_header):
            entries.append(current)

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#~"):
            continue
        if line.startswith("#,"):
            if current is not None and current.msgstr:
                finish()
                current = None
            current = current or Entry(line=number)
            current.flags.update(flag.strip() for flag in line[2:].split(","))
            continue
        if line.startswith("#"):
            continue
        keyword, _, rest = line.partition(" ")
        if line.startswith('"'):
            keyword, rest = None, line
        text = ast.literal_eval(rest)
        if keyword in ("msgctxt", "msgid") and current is not None and current.msgstr:
            finish()
            current = None
        if keyword is not None:
            current = current or Entry(line=number)
            match = re.fullmatch(r"msgstr\[(\d+)\]", keyword)
            if match:
                target = ("msgstr", int(match.group(1)))
            elif keyword == "msgstr":
                target = ("msgstr", 0)
            else:
                target = (keyword, None)
        name, index = target
        if name == "msgstr":
            current.msgstr[index] = current.msgstr.get(index, "") + text
        else:
            setattr(current, name, (getattr(current, name) or "") + text)
    finish()
    return entries


# --- Pages in English ----------------------------------------------------------------------------


class PageText(HTMLParser):
    """Texts of the h1, the Mans konts navigation links and the header links of a page."""

    def __init__(self):
        super().__init__()
        self.h1: list[str] = []
        self.nav: list[str] = []
        self.header_links: list[str] = []
        self._stack: list[tuple[str, str]] = []
        self._buffer: list[str] | None = None
        self._into: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        classes = dict(attrs).get("class") or ""
        self._stack.append((tag, classes))
        in_nav = any(t == "nav" and "mk-nav" in c.split() for t, c in self._stack)
        if tag == "h1":
            self._buffer, self._into = [], self.h1
        elif tag == "a" and in_nav:
            self._buffer, self._into = [], self.nav
        elif tag in ("a", "button") and "mk-header__link" in classes.split():
            self._buffer, self._into = [], self.header_links

    def handle_endtag(self, tag):
        while self._stack:
            opened, _classes = self._stack.pop()
            if opened == tag:
                break
        if self._buffer is not None and tag in ("h1", "a", "button"):
            self._into.append(" ".join("".join(self._buffer).split()))
            self._buffer = self._into = None

    def handle_data(self, data):
        if self._buffer is not None:
            self._buffer.append(data)


def page_text(response) -> PageText:
    parser = PageText()
    parser.feed(response.content.decode())
    return parser


def switch_to_english(http):
    response = http.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    return http


@pytest.mark.django_db
def test_home_page_in_english_after_switching(client):
    switch_to_english(client)

    response = client.get(reverse("home"))

    text = page_text(response)
    assert response.status_code == 200
    assert response["Content-Language"] == "en"
    assert text.h1 == ["Mans konts"]
    assert text.header_links == ["Sign in", "Latviešu"]
    assert (
        "An online customer service centre where, at any time of day or night, you can follow your "
        "e-services and orders, submit documents, receive results and pay invoices."
    ) in response.content.decode()


@pytest.mark.django_db
def test_sign_in_page_in_english_after_switching(client):
    switch_to_english(client)

    response = client.get(reverse("accounts:login"))

    text = page_text(response)
    assert response.status_code == 200
    assert text.h1 == ["Sign in to Mans konts"]
    assert "<title>Sign in — Mans konts</title>" in response.content.decode()


@pytest.mark.django_db
def test_eservice_history_in_english_after_switching(signed_in, owner):
    http = switch_to_english(signed_in(owner))

    response = http.get(reverse("eservices:list"))

    text = page_text(response)
    assert response.status_code == 200
    assert text.h1 == ["E-service history"]
    assert text.nav[:6] == [
        "Overview",
        "E-service history",
        "My VZD orders",
        "Invoices",
        "Notifications",
        "Applications",
    ]
    assert text.header_links == ["Sign out", "Latviešu"]


@pytest.mark.django_db
def test_orders_list_in_english_after_switching(signed_in, owner):
    http = switch_to_english(signed_in(owner))

    response = http.get(reverse("orders:list"))

    text = page_text(response)
    assert response.status_code == 200
    assert text.h1 == ["My VZD orders"]
    assert "Go to E-service history" in response.content.decode()


@pytest.mark.django_db
def test_eservice_history_stays_latvian_without_switching(signed_in, owner):
    response = signed_in(owner).get(reverse("eservices:list"))

    text = page_text(response)
    assert text.h1 == ["E-pakalpojumu vēsture"]
    assert text.nav[:3] == ["Pārskats", "E-pakalpojumu vēsture", "Mani pasūtījumi VZD"]


def test_order_statuses_have_english_names():
    with translation.override("en"):
        labels = [str(label) for label in OrderStatus.labels]

    assert labels == [
        "Application being processed",
        "Order registered",
        "In progress",
        "Suspended",
        "Ready for issue",
        "Completed",
        "Discontinued",
    ]


def passkey_script_catalogue(http) -> dict:
    """The translations the passkey scripts get from the JavaScript catalogue, as a dict."""
    response = http.get(reverse("admin:passkey_jsi18n"))
    script = response.content.decode()
    assert response.status_code == 200
    assert "django.gettext = function" in script
    # Django leaves the block out when the language has no translations at all.
    match = re.search(r"const newcatalog = (\{.*?\});", script, re.S)
    return json.loads(match.group(1)) if match else {}


@pytest.mark.django_db
def test_passkey_scripts_speak_latvian_and_english(client):
    latvian = passkey_script_catalogue(client)
    english = passkey_script_catalogue(switch_to_english(client))

    assert latvian["Verify with Passkey"] == "Apstiprināt ar piekļuves atslēgu"
    assert latvian["Register a Passkey"] == "Pievienot piekļuves atslēgu"
    # English needs no catalogue of its own: the package's msgids are English, and nothing
    # Latvian falls through to the English page.
    assert english == {}


def test_every_passkey_script_string_has_a_latvian_translation():
    entries = read_po(JS_CATALOGUE)

    missing = [f"line {e.line}: {e.msgid!r}" for e in entries if not e.is_translated]

    assert len(entries) > 20
    assert missing == []


# --- Plurals -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("n", "expected"),
    [
        (0, "0 e-pakalpojumu"),
        (1, "1 e-pakalpojums"),
        (2, "2 e-pakalpojumi"),
        (11, "11 e-pakalpojumi"),
        (21, "21 e-pakalpojums"),
        (111, "111 e-pakalpojumi"),
    ],
)
def test_latvian_plural_forms_follow_the_number(n, expected):
    with translation.override("lv"):
        text = translation.ngettext("%(counter)s e-pakalpojums", "%(counter)s e-pakalpojumi", n)

    assert text % {"counter": n} == expected


@pytest.mark.parametrize(
    ("n", "expected"),
    [
        (0, "Atskaitē ir 0 rindu."),
        (1, "Atskaitē ir 1 rinda."),
        (2, "Atskaitē ir 2 rindas."),
        (21, "Atskaitē ir 21 rinda."),
    ],
)
def test_latvian_plural_forms_of_report_rows(n, expected):
    with translation.override("lv"):
        text = translation.ngettext(
            "Atskaitē ir %(counter)s rinda.", "Atskaitē ir %(counter)s rindas.", n
        )

    assert text % {"counter": n} == expected


@pytest.mark.parametrize(
    ("n", "expected"), [(0, "0 e-services"), (1, "1 e-service"), (21, "21 e-services")]
)
def test_english_plural_forms(n, expected):
    with translation.override("en"):
        text = translation.ngettext("%(counter)s e-pakalpojums", "%(counter)s e-pakalpojumi", n)

    assert text % {"counter": n} == expected


# --- The catalogues themselves -------------------------------------------------------------------


def test_every_interface_string_has_an_english_translation():
    entries = read_po(CATALOGUES["en"])

    missing = [f"line {e.line}: {e.msgid!r}" for e in entries if not e.is_translated]

    assert len(entries) > 500
    assert missing == [], "Untranslated or fuzzy in locale/en:\n" + "\n".join(missing)


def test_english_translations_keep_the_placeholders():
    entries = read_po(CATALOGUES["en"])

    broken = [
        f"line {e.line}: {e.msgid!r} -> {text!r}"
        for e in entries
        for index, text in e.msgstr.items()
        if text
        and sorted(PLACEHOLDER.findall(text))
        != sorted(PLACEHOLDER.findall(e.msgid_plural if index and e.msgid_plural else e.msgid))
    ]

    assert broken == []


def test_every_latvian_plural_entry_has_three_forms():
    plural_entries = [e for e in read_po(CATALOGUES["lv"]) if e.msgid_plural]

    incomplete = [
        f"line {e.line}: {e.msgid!r}"
        for e in plural_entries
        if sorted(e.msgstr) != [0, 1, 2] or not e.is_translated
    ]

    assert plural_entries != []
    assert incomplete == [], "Latvian plural entries need msgstr[0], [1] and [2]:\n" + "\n".join(
        incomplete
    )


def test_catalogue_headers_name_language_and_plural_rule():
    headers = {}
    for code, path in CATALOGUES.items():
        header = read_po(path, with_header=True)[0]
        fields = dict(line.split(": ", 1) for line in header.msgstr[0].splitlines() if ": " in line)
        headers[code] = (fields["Language"], fields["Plural-Forms"], "fuzzy" in header.flags)

    assert headers == {
        "en": ("en", "nplurals=2; plural=(n != 1);", False),
        "lv": ("lv", "nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : n != 0 ? 1 : 2);", False),
    }
