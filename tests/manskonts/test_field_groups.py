"""The GOV.UK field groups written in Python (manskonts.forms.field_group) are the markup the GOV.UK
templates wrote before them (issue 18: the filter panel's groups through the template engine cost
a list page about a fifth of its CPU): every widget kind in every state, compared with the old
template, kept here as the reference (tests/manskonts/govuk_reference/<kind>.html), after
normalising only the whitespace between tags."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.forms.utils import flatatt
from django.template import engines
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from manskonts.forms import html_attrs, widget_kind

REFERENCE = Path(__file__).resolve().parent / "govuk_reference"
AWKWARD = "a \"b\" & 'c' <d>"


class SeveralFiles(forms.ClearableFileInput):
    allow_multiple_selected = True


class EveryKind(forms.Form):
    text = forms.CharField(
        label='Nosaukums "<b>"',
        max_length=40,
        help_text="Kā <reģistrā> & citur.",
        widget=forms.TextInput(
            attrs={"class": "govuk-input--width-20", "autocomplete": "name", "data-x": 'a"b'}
        ),
        error_messages={"required": "Norādiet <nosaukumu>."},
    )
    email = forms.EmailField(label="E-pasts", required=False)
    number = forms.IntegerField(label="Skaits", min_value=1, max_value=9, required=False)
    phone = forms.CharField(
        label="Tālrunis", required=False, widget=forms.TextInput(attrs={"type": "tel"})
    )
    day = forms.DateField(
        label="Datums",
        input_formats=["%d.%m.%Y"],
        help_text="dd.mm.gggg, piemēram, 31.01.2026",
        widget=forms.DateInput(attrs={"type": "date", "class": "mk-day"}),
        required=False,
    )
    due = forms.DateField(label="Termiņš", input_formats=["%d.%m.%Y"])
    group = forms.ChoiceField(
        label="Grupa",
        choices=[("", "Visas"), ("1", "Zila & balta"), ("2", mark_safe("<i>Droša</i>"))],
        required=False,
    )
    groups = forms.MultipleChoiceField(
        label="Grupas",
        choices=[("1", "Viena"), ("2", "Otra <b>")],
        widget=forms.SelectMultiple(attrs={"class": "govuk-!-width-full"}),
        help_text="Vairākas.",
    )
    kind = forms.ChoiceField(
        label="Veids",
        choices=[("a", "Pirmais"), ("b", "Otrais <b>")],
        widget=forms.RadioSelect(attrs={"class": "govuk-radios--inline"}),
        help_text="Izvēlieties vienu.",
    )
    side = forms.ChoiceField(label="Puse", choices=[("l", "Kreisā")], widget=forms.RadioSelect)
    extras = forms.MultipleChoiceField(
        label="Papildus",
        choices=[("x", "Iks"), ("y", "Igrek & co")],
        widget=forms.CheckboxSelectMultiple,
        help_text="Cik vēlaties.",
    )
    note = forms.CharField(
        label="Piezīme", widget=forms.Textarea(attrs={"rows": 3, "cols": 40, "maxlength": 500})
    )
    document = forms.FileField(
        label="Dokuments", help_text="PDF.", widget=forms.FileInput(attrs={"accept": ".pdf"})
    )
    documents = forms.FileField(label="Dokumenti", required=False, widget=SeveralFiles)
    agree = forms.BooleanField(label="Piekrītu <noteikumiem>", help_text="Obligāti.")
    notify = forms.BooleanField(
        label="Paziņot", required=False, widget=forms.CheckboxInput(attrs={"class": "mk-x"})
    )
    token = forms.CharField(widget=forms.HiddenInput, required=False)
    code = forms.CharField(label="Kods", disabled=True, required=False)
    quiet = forms.ChoiceField(label="Darbība", choices=[("", "—"), ("1", "Dzēst")], required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].data_language = "lv"
        self.fields["quiet"].label_classes = "govuk-visually-hidden"
        self.fields["document"].label_classes = ""


VALUES = {
    "text": AWKWARD,
    "email": "a&b@example.com",
    "number": "3",
    "phone": "+371 <2>",
    "day": "31.01.2026",
    "due": "01.02.2026",
    "group": "1",
    "groups": ["1", "2"],
    "kind": "b",
    "side": "l",
    "extras": ["x", "y"],
    "note": '\nPirmā rinda\n<otrā> & "trešā"',
    "agree": "on",
    "notify": "on",
    "token": AWKWARD,
    "code": "ignored",
    "quiet": "1",
}
WRONG = {"number": "daudz", "email": "nav", "day": "31.02.2026", "group": "9", "kind": "z"}


def unbound():
    return EveryKind(initial={"text": AWKWARD, "token": "t&1", "code": "K<1>", "agree": True})


def valid():
    form = EveryKind(VALUES)
    form.is_valid()  # the files are missing: their errors are a state of their own
    return form


def empty():
    form = EveryKind({})
    assert not form.is_valid()
    return form


def refused():
    form = EveryKind(WRONG)
    assert not form.is_valid()
    for name in form.fields:
        form.add_error(name, ValidationError(["Otrā <kļūda>.", "Trešā & pēdējā."]))
    return form


def without_required_attribute():
    form = EveryKind({"text": "x"})
    form.use_required_attribute = False
    return form


STATES = [unbound, valid, empty, refused, without_required_attribute]


def inter_tag(html: str) -> str:
    return re.sub(r">\s+<", "><", str(html).strip())


def from_template(bound) -> str:
    source = (REFERENCE / f"{widget_kind(bound)}.html").read_text()
    return engines["django"].from_string(source).render({"field": bound, "g": bound.govuk})


@pytest.mark.parametrize("language", ["lv", "en"])
@pytest.mark.parametrize("state", STATES, ids=lambda s: s.__name__)
@pytest.mark.parametrize("name", list(EveryKind.base_fields))
def test_each_kind_in_each_state_is_the_templates_markup(name, state, language):
    with translation.override(language):
        bound = state()[name]

        written = bound.as_field_group()

        assert inter_tag(written) == inter_tag(from_template(bound))


def test_every_kind_is_compared():
    form = unbound()

    kinds = {widget_kind(bound) for bound in form}

    assert kinds == {p.stem for p in REFERENCE.glob("*.html")}


@pytest.mark.parametrize("state", [valid, refused], ids=lambda s: s.__name__)
def test_a_fields_template_name_renders_the_same_group(state):
    form = state()

    for bound in form:
        through_template = render_to_string(bound.template_name, bound.get_context())

        assert through_template.rstrip("\n") == bound.as_field_group()


def test_the_errors_are_one_a_line_after_the_translated_word():
    with translation.override("en"):
        bound = refused()["number"]

        written = bound.as_field_group()

    assert (
        '<p id="id_number-error" class="govuk-error-message"><span class="govuk-visually-hidden">'
        "Error:</span> Enter a whole number.<br>Otrā &lt;kļūda&gt;.<br>Trešā &amp; pēdējā.</p>"
    ) in written


def test_a_textarea_keeps_its_values_first_newline():
    bound = valid()["note"]

    written = bound.as_field_group()

    assert written.endswith(
        ">\n\nPirmā rinda\n&lt;otrā&gt; &amp; &quot;trešā&quot;</textarea></div>"
    )


def test_a_field_with_a_template_of_its_own_keeps_it():
    form = unbound()
    form.fields["text"].template_name = "django/forms/field.html"

    written = form["text"].as_field_group()

    assert "govuk-form-group" not in written
    assert 'name="text"' in written


@pytest.mark.parametrize(
    "attrs",
    [
        {},
        {"rows": 3, "autocomplete": "name", "data-x": AWKWARD, "disabled": True, "hidden": False},
        {"maxlength": None, "lang": mark_safe("<lv>"), "title": gettext_lazy("Kļūda:")},
        {"b": True, "a": True, "c": "0", "accept": ".pdf,.asice"},
    ],
)
def test_the_attributes_are_djangos_flatatt(attrs):
    assert html_attrs(attrs) == flatatt(attrs)
