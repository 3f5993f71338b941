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
