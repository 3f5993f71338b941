"""The one form-field renderer (manskonts/forms.py, templates/forms/govuk/): every widget type as a
GOV.UK form group, with the hint and error ids in aria-describedby, and the error summary linking
to the input (a radio or checkbox group: its first item). Issue 13 point 4, issue 14 point 4."""

from __future__ import annotations

import re

import pytest
from django import forms
from django.contrib.admin.widgets import AdminTextInputWidget
from django.template.loader import render_to_string
from django.utils import translation

from manskonts.forms import GovukBoundField, GovukFormRenderer

ERROR = '<span class="govuk-visually-hidden">Kļūda:</span>'


class EveryWidget(forms.Form):
    name = forms.CharField(
        label="Nosaukums",
        max_length=20,
        help_text="Kā reģistrā.",
        widget=forms.TextInput(attrs={"class": "govuk-input--width-20", "autocomplete": "name"}),
        error_messages={"required": "Norādiet nosaukumu."},
    )
    number = forms.IntegerField(label="Skaits", min_value=1, required=False)
    kind = forms.ChoiceField(
        label="Veids",
        choices=[("a", "Pirmais"), ("b", "Otrais <b>")],
        widget=forms.RadioSelect,
        help_text="Izvēlieties vienu.",
        error_messages={"required": "Izvēlieties veidu."},
    )
    extras = forms.MultipleChoiceField(
        label="Papildus",
        choices=[("x", "Iks"), ("y", "Igrek")],
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Atzīmējiet vismaz vienu."},
    )
    group = forms.ChoiceField(
        label="Grupa", choices=[("", "Visas"), ("1", "Zila & balta")], required=False
    )
    note = forms.CharField(label="Piezīme", widget=forms.Textarea(attrs={"rows": 3}))
    document = forms.FileField(
        label="Dokuments", help_text="PDF.", widget=forms.FileInput(attrs={"accept": ".pdf"})
    )
    day = forms.DateField(
        label="Datums",
        input_formats=["%d.%m.%Y"],
        help_text="dd.mm.gggg, piemēram, 31.01.2026",
        widget=forms.DateInput(attrs={"type": "date"}),
        required=False,
    )
    agree = forms.BooleanField(label="Piekrītu")


@pytest.fixture
def refused():
    form = EveryWidget({"number": "daudz", "group": "1", "day": "31.02.2026", "extras": []})
    assert not form.is_valid()
    return form


def group(form, name) -> str:
    return form[name].as_field_group()


def tag(html: str, name: str) -> str:
    """The first <input>, <select> or <textarea> of a rendered group."""
    return re.search(rf"<{name}\b[^>]*>", html).group(0)


def test_the_renderer_is_the_projects_and_its_bound_fields_know_their_markup(refused):
    assert isinstance(refused.renderer, GovukFormRenderer)
    assert all(isinstance(bound, GovukBoundField) for bound in refused)


def test_text_input_label_hint_error_and_describedby(refused):
    html = group(refused, "name")

    assert 'class="govuk-form-group govuk-form-group--error"' in html
    assert '<label class="govuk-label govuk-label--s" for="id_name">Nosaukums</label>' in html
    assert '<div id="id_name-hint" class="govuk-hint">Kā reģistrā.</div>' in html
    assert (
        f'<p id="id_name-error" class="govuk-error-message">{ERROR} Norādiet nosaukumu.</p>' in html
    )
    field = tag(html, "input")
    assert 'class="govuk-input govuk-input--width-20 govuk-input--error"' in field
    assert 'id="id_name"' in field and 'type="text"' in field and 'maxlength="20"' in field
    assert 'autocomplete="name"' in field and " required" in field
    assert 'aria-describedby="id_name-hint id_name-error"' in field
    assert refused["name"].error_href == "#id_name"


def test_a_number_is_a_text_input_with_a_numeric_keyboard(refused):
    field = tag(group(refused, "number"), "input")

    assert 'type="text"' in field and 'inputmode="numeric"' in field
    assert 'value="daudz"' in field
    assert "min=" not in field and " required" not in field
    assert 'aria-describedby="id_number-error"' in field


def test_radios_in_a_fieldset_described_by_hint_and_error_and_linked_by_the_first_radio(refused):
    html = group(refused, "kind")

    assert '<fieldset class="govuk-fieldset" aria-describedby="id_kind-hint id_kind-error">' in html
    assert '<legend class="govuk-fieldset__legend govuk-fieldset__legend--s">Veids</legend>' in html
    assert (
        f'<p id="id_kind-error" class="govuk-error-message">{ERROR} Izvēlieties veidu.</p>' in html
    )
    assert re.findall(r'id="(id_kind_\d)"', html) == ["id_kind_0", "id_kind_1"]
    assert '<label class="govuk-label govuk-radios__label" for="id_kind_0">Pirmais</label>' in html
    assert "Otrais &lt;b&gt;" in html
    assert refused["kind"].error_href == "#id_kind_0"
    assert refused["kind"].id_for_label == ""  # why the summary's link pointed to "#" before


def test_checkboxes_in_a_fieldset_linked_by_the_first_checkbox(refused):
    html = group(refused, "extras")

    assert '<fieldset class="govuk-fieldset" aria-describedby="id_extras-error">' in html
    assert html.count('type="checkbox"') == 2
    assert 'id="id_extras_0" name="extras" type="checkbox" value="x"' in html
    assert refused["extras"].error_href == "#id_extras_0"


def test_select_keeps_the_choice_and_escapes_the_labels(refused):
    html = group(refused, "group")

    assert '<label class="govuk-label govuk-label--s" for="id_group">Grupa</label>' in html
    assert 'class="govuk-select" id="id_group" name="group"' in html
    assert (
        '<option value="">Visas</option><option value="1" selected>Zila &amp; balta</option>'
        in html
    )
    assert "aria-describedby" not in html
    assert refused["group"].error_href == "#id_group"


def test_select_options_of_latvian_data_say_so_on_an_english_page():
    form = EveryWidget({"group": "1"})
    form.fields["group"].data_language = "lv"
    with translation.override("en"):
        html = group(form, "group")

    assert '<option value="">Visas</option>' in html
    assert '<option value="1" selected lang="lv">' in html


def test_textarea(refused):
    html = group(refused, "note")

    field = tag(html, "textarea")
    assert 'class="govuk-textarea govuk-textarea--error"' in field
    assert 'rows="3"' in field and "cols=" not in field
    assert 'aria-describedby="id_note-error"' in field
    assert '<label class="govuk-label govuk-label--s" for="id_note">Piezīme</label>' in html


def test_file_upload(refused):
    field = tag(group(refused, "document"), "input")

    assert 'class="govuk-file-upload govuk-file-upload--error"' in field
    assert 'type="file"' in field and 'accept=".pdf"' in field
    assert 'aria-describedby="id_document-hint id_document-error"' in field
    assert "multiple" not in field


def test_a_file_input_taking_several_files_says_so():
    class Several(forms.FileInput):
        allow_multiple_selected = True

    class Form(forms.Form):
        files = forms.FileField(label="Datnes", widget=Several)

    assert 'name="files" type="file" multiple' in Form()["files"].as_field_group()


def test_a_date_is_a_text_field_with_its_hint_never_the_browsers_date_input(refused):
    html = group(refused, "day")

    field = tag(html, "input")
    assert 'type="text"' in field and 'type="date"' not in html
    assert 'class="govuk-input govuk-input--width-10 govuk-input--error"' in field
    assert 'value="31.02.2026"' in field
    assert '<div id="id_day-hint" class="govuk-hint">dd.mm.gggg, piemēram, 31.01.2026</div>' in html
    assert 'aria-describedby="id_day-hint id_day-error"' in field


def test_one_checkbox_has_its_label_beside_it(refused):
    html = group(refused, "agree")

    assert 'id="id_agree" name="agree" type="checkbox"' in html
    assert '<label class="govuk-label govuk-checkboxes__label" for="id_agree">Piekrītu</label>' in (
        html
    )
    assert 'aria-describedby="id_agree-error"' in html


def test_a_valid_field_has_no_error_markup():
    form = EveryWidget({"name": "SIA Ozols"})
    html = group(form, "name")

    assert "govuk-form-group--error" not in html and "govuk-error-message" not in html
    assert 'aria-describedby="id_name-hint"' in html
    assert 'value="SIA Ozols"' in html


def test_the_error_summary_names_each_field_and_links_to_its_input(refused):
    html = render_to_string("includes/error_summary.html", {"form": refused})

    links = re.findall(r'<li><a href="([^"]+)">([^<]+)</a></li>', html)
    # Django's own Latvian wording for the stock messages differs between 5.2 patch releases
    # ('obligāts' / 'nepieciešams'), so those are Django's as this install has them.
    required = str(forms.Field.default_error_messages["required"])
    whole = str(forms.IntegerField.default_error_messages["invalid"])
    date = str(forms.DateField.default_error_messages["invalid"])
    assert links == [
        ("#id_name", "Nosaukums — Norādiet nosaukumu."),
        ("#id_number", f"Skaits — {whole}"),
        ("#id_kind_0", "Veids — Izvēlieties veidu."),
        ("#id_extras_0", "Papildus — Atzīmējiet vismaz vienu."),
        ("#id_note", f"Piezīme — {required}"),
        ("#id_document", f"Dokuments — {required}"),
        ("#id_day", f"Datums — {date}"),
        ("#id_agree", f"Piekrītu — {required}"),
    ]
    assert '<h2 class="govuk-error-summary__title">Ir kļūdas</h2>' in html
    # every link's target is an id the rendered form has
    page = str(refused)
    for href, _text in links:
        assert f'id="{href[1:]}"' in page


def test_no_summary_without_errors():
    assert render_to_string("includes/error_summary.html", {"form": EveryWidget()}).strip() == ""


def test_the_admin_keeps_djangos_widgets():
    """The renderer changes the portal's field groups, not the widgets the admin renders."""

    class AdminForm(forms.Form):
        name = forms.CharField(widget=AdminTextInputWidget)

    html = str(AdminForm()["name"])
    assert html.startswith('<input type="text" name="name" class="vTextField"')
    assert "govuk" not in html
