from datetime import date
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation

from manskonts.collation import latvian_key
from manskonts.templatetags.manskonts import money


@pytest.mark.parametrize(
    ("amount", "shown"),
    [
        (Decimal("1234.56"), "1\xa0234,56\xa0€"),
        (Decimal("13.45"), "13,45\xa0€"),
        (Decimal("1234567"), "1\xa0234\xa0567,00\xa0€"),
        (Decimal("0"), "0,00\xa0€"),
        (None, ""),
        ("nav skaitlis", ""),
    ],
)
def test_money_is_written_the_latvian_way(amount, shown):
    assert money(amount) == shown


@pytest.mark.parametrize("language", ["lv", "en"])
def test_dates_are_dd_mm_yyyy_in_both_languages(language):
    with translation.override(language):
        rendered = Template("{{ d|date }}").render(Context({"d": date(2026, 11, 18)}))
    assert rendered == "18.11.2026"


def test_latvian_alphabetical_order():
    words = ["Šis", "Sala", "Čats", "Cits", "Ābols", "Abc", "Žogs", "Zebra", "Ģimene", "Gads"]
    assert sorted(words, key=latvian_key) == [
        "Abc",
        "Ābols",
        "Cits",
        "Čats",
        "Gads",
        "Ģimene",
        "Sala",
        "Šis",
        "Zebra",
        "Žogs",
    ]


def test_govuk_field_writes_label_hint_error_and_the_chosen_option():
    from django import forms

    from manskonts.templatetags.manskonts import govuk_field

    class Form(forms.Form):
        colour = forms.ChoiceField(
            label="Krāsa", help_text="Izvēlieties", choices=[("", "Visas"), ("1", "Zila <b>")]
        )
        day = forms.DateField(label="Diena", widget=forms.DateInput(attrs={"type": "date"}))

    form = Form({"colour": "1", "day": "vakar"})
    form.is_valid()

    select = govuk_field(form["colour"])
    date_input = govuk_field(form["day"])

    assert select == (
        '<div class="govuk-form-group"><label class="govuk-label govuk-label--s" for="id_colour">'
        'Krāsa</label><div id="id_colour-hint" class="govuk-hint">Izvēlieties</div>'
        '<select class="govuk-select" id="id_colour" name="colour" '
        'aria-describedby="id_colour-hint"><option value="">Visas</option>'
        '<option value="1" selected>Zila &lt;b&gt;</option></select></div>'
    )
    assert 'class="govuk-form-group govuk-form-group--error"' in date_input
    assert '<p id="id_day-error" class="govuk-error-message">' in date_input
    assert 'type="date" value="vakar" aria-describedby="id_day-error">' in date_input
