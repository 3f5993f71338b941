"""The layout's parts written in Python (manskonts/templatetags/manskonts.py: `pager`,
`filter_panel`, `selected_filters`, `nav_items`, `hidden_inputs`, `query_with`) are the markup
and the links their templates wrote (issue 18: every page paid the template engine for them):
each compared, in each state and both languages, with the old template (kept as
tests/manskonts/list_reference/), after normalising only whitespace."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django import forms
from django.template import engines
from django.test import RequestFactory
from django.utils import translation
from django.utils.safestring import SafeString

from manskonts.listing import ListResult, Page
from manskonts.templatetags.manskonts import hidden_inputs, nav_items, query_with

REFERENCE = Path(__file__).resolve().parent / "list_reference"


def text_of(html: str) -> str:
    """Whitespace as a browser collapses it: runs to one space, none between tags or at the edges
    of a tag's content."""
    html = re.sub(r"\s+", " ", str(html)).strip()
    return re.sub(r"\s*(<[^>]*>)\s*", r"\1", html)


def render(source: str, **context) -> str:
    return engines["django"].from_string(source).render(context)


PAGES = {
    "one page of 1": Page(rows=[1], number=1, count=1),
    "one page of 7": Page(rows=[1], number=1, count=7),
    "nothing found": Page(rows=[], number=1, count=0),
    "first of many": Page(
        rows=[1], number=1, count=1001, count_exceeds=True, has_next=True, next_cursor="n1"
    ),
    "second": Page(
        rows=[1],
        number=2,
        count=40,
        has_next=True,
        has_previous=True,
        next_cursor="n2",
        previous_cursor="p2",
    ),
    "third": Page(
        rows=[1],
        number=3,
        count=90,
        has_next=True,
        has_previous=True,
        next_cursor="n3",
        previous_cursor="p3",
    ),
    "last": Page(rows=[1], number=5, count=21, has_previous=True, previous_cursor="p5"),
}


@pytest.mark.parametrize("language", ["lv", "en"])
@pytest.mark.parametrize("bottom", [False, True])
@pytest.mark.parametrize("state", PAGES)
def test_pager_is_the_templates_markup(state, bottom, language):
    request = RequestFactory().get("/saraksts/", {"status": "done", "cursor": "old", "sort": "-id"})
    context = {"request": request, "page": PAGES[state], "bottom": bottom}
    reference = (REFERENCE / "pager.html").read_text()

    with translation.override(language):
        ours = render("{% pager page bottom=bottom %}", **context)
        theirs = render(reference, **context)

    assert text_of(ours) == text_of(theirs)


NAV_TEMPLATE = (
    '{% load i18n %}{% for item in nav %}<li class="mk-nav__item{% if item.active %} '
    'mk-nav__item--active{% endif %}"><a href="{{ item.url }}"{% if item.current %} '
    'aria-current="page"{% endif %}>{{ item.label }}{% if item.unread %} <span class="govuk-tag '
    'govuk-tag--red">{{ item.unread }}<span class="govuk-visually-hidden"> {% translate "nelasīti" '
    "%}</span></span>{% endif %}</a></li>{% endfor %}"
)


@pytest.mark.parametrize("language", ["lv", "en"])
def test_nav_items_are_the_templates_markup(language):
    nav = [
        {"url": "/a/", "label": "Pārskats", "current": False, "active": False, "unread": 0},
        {
            "url": "/b/?x=1&y=2",
            "label": "<E & pakalpojumi>",
            "current": True,
            "active": True,
            "unread": 0,
        },
        {"url": "/c/", "label": "Pasūtījumi", "current": False, "active": True, "unread": 0},
        {"url": "/d/", "label": "Paziņojumi", "current": False, "active": False, "unread": 12},
    ]

    with translation.override(language):
        ours = nav_items(nav)
        theirs = render(NAV_TEMPLATE, nav=nav)

    assert ours == theirs


class Header(forms.Form):
    choice = forms.ChoiceField(choices=[("1", "Viens")])
    language = forms.CharField(widget=forms.HiddenInput)
    next = forms.CharField(required=False, widget=forms.HiddenInput)
    empty = forms.CharField(required=False, widget=forms.HiddenInput)


def test_hidden_inputs_are_the_widgets_markup():
    form = Header(initial={"language": "en", "next": '/saraksts/?a=1&b="2"'}, auto_id="h-%s")

    ours = hidden_inputs(form)
    theirs = "".join(str(field) for field in form.hidden_fields())

    assert ours == theirs


def query_with_by_copy(request, **changes) -> str:
    """{% query_with %} as it was written before, on a copy of the QueryDict: the reference."""
    params = request.GET.copy()
    if "page" not in changes and "cursor" not in changes:
        params.pop("page", None)
        params.pop("cursor", None)
    for key, value in changes.items():
        if value is None or value == "":
            params.pop(key, None)
        else:
            params[key] = value
    encoded = params.urlencode()
    return f"?{encoded}" if encoded else "?"


QUERIES = [
    "",
    "sort=-id",
    "status=done&status=new&sort=id&cursor=abc&page=3",
    "cursor=x&page=2&q=%C4%81bols+%26+co&empty=",
    "a=1&sort=created&b=%3D%3F%23&a=2",
]
CHANGES = [
    {},
    {"sort": "created"},
    {"sort": None},
    {"cursor": "n%2F1 ēā"},
    {"cursor": None},
    {"page": 4, "status": ""},
    {"new": "x", "a": "3"},
    {"status": "done", "cursor": ""},
]


@pytest.mark.parametrize("query", QUERIES)
@pytest.mark.parametrize("changes", CHANGES)
def test_query_with_is_the_copys_query_string(query, changes):
    request = RequestFactory().get(f"/saraksts/?{query}")

    assert query_with({"request": request}, **changes) == query_with_by_copy(request, **changes)


class PanelFilters(forms.Form):
    """A filter form like the lists' (its fields are what the panel writes between its parts)."""

    status = forms.ChoiceField(
        label="Statuss", choices=[("", "Visi"), ("done", "Izpildīts")], required=False
    )
    since = forms.DateField(label="No", input_formats=["%d.%m.%Y"], required=False)


class Filterset:
    def __init__(self, data):
        self.form = PanelFilters(data)

    def fields_html(self):  # ListFilterSet's, without keeping it
        return SafeString("".join(field.as_field_group() for field in self.form))


class Sort:
    param = "-created&x"


PANELS = {
    "open, nothing chosen": {"data": {}, "filters": [], "hidden": False, "presets": None},
    "closed, two chosen": {
        "data": {"status": "done"},
        "filters": [1, 2],
        "hidden": True,
        "presets": None,
    },
    "with presets": {
        "data": {},
        "filters": [1],
        "hidden": False,
        "presets": [
            {"label": "Šis mēnesis", "url": "?period=this_month", "active": True},
            {"label": "Šis <gads>", "url": "?a=1&period=this_year", "active": False},
        ],
    },
    "a refused date": {"data": {"since": "vakar"}, "filters": [], "hidden": False, "presets": None},
}


@pytest.mark.parametrize("language", ["lv", "en"])
@pytest.mark.parametrize("state", PANELS)
def test_filter_panel_is_the_templates_markup(state, language):
    panel = PANELS[state]
    result = ListResult(
        filterset=Filterset(panel["data"]),
        sort=Sort(),
        page=Page(rows=[], number=1),
        headers={},
        filters=panel["filters"],
        notices=[],
        errors=False,
        filters_hidden=panel["hidden"],
        show_filters_url="?status=done",
        hide_filters_url="?status=done&filtri=0",
    )
    context = {"list": result, "action": "/saraksts/", "presets": panel["presets"]}
    reference = (REFERENCE / "list_filters.html").read_text()

    with translation.override(language):
        ours = render("{% filter_panel list action presets %}", **context)
        theirs = render(reference, **context)

    assert text_of(ours) == text_of(theirs)


@pytest.mark.parametrize("language", ["lv", "en"])
@pytest.mark.parametrize(
    "filters",
    [
        [],
        [{"label": "Statuss", "value": "Izpildīts", "clear_url": "?sort=id"}],
        [
            {"label": "No", "value": "01.02.2026", "clear_url": "?a=1&b=2"},
            {"label": "Nosaukums <b>", "value": 'Zemes & "Mērnieki"', "clear_url": "?"},
        ],
    ],
)
def test_selected_filters_are_the_templates_markup(filters, language):
    result = ListResult(
        filterset=None,
        sort=Sort(),
        page=Page(rows=[], number=1),
        headers={},
        filters=filters,
        notices=[],
        errors=False,
    )
    reference = (REFERENCE / "active_filters.html").read_text()

    with translation.override(language):
        ours = render("{% selected_filters list %}", list=result)
        theirs = render(reference, list=result)

    assert text_of(ours) == text_of(theirs)
