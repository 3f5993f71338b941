"""The list filters' dates as people write them (issue 14 point 3): dd.mm.gggg in a text field."""

from datetime import date

import pytest

from eservices.filters import EServiceFilter
from eservices.models import EService
from orders.filters import OrderPartFilter
from orders.models import OrderPart

MESSAGE = "Ievadiet datumu formātā dd.mm.gggg, piemēram, 31.01.2026."
NO_SUCH_DATE = "Šāda datuma kalendārā nav. Pārbaudiet dienu un mēnesi."


def eservice_filter(**data):
    f = EServiceFilter(data, queryset=EService.objects.none(), request=None)
    f.is_valid()
    return f


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("31.01.2026", date(2026, 1, 31)),
        ("1.2.2026", date(2026, 2, 1)),
        (" 29.02.2028 ", date(2028, 2, 29)),
        ("05.03.26", date(2026, 3, 5)),  # a 2-digit year: this century up to 68
        ("05.03.69", date(1969, 3, 5)),  # and the last one from 69, as Python's %y reads them
        ("31/01/2026", date(2026, 1, 31)),
        ("31-01-2026", date(2026, 1, 31)),
        ("2026-01-31", date(2026, 1, 31)),  # an ISO date from an older bookmark
    ],
)
def test_a_date_is_read_as_people_write_it(typed, expected):
    f = eservice_filter(created_from=typed)

    assert f.form.errors == {}
    assert f.form.cleaned_data["created_from"] == expected


@pytest.mark.django_db
@pytest.mark.parametrize("typed", ["vakar", "31.01", "2026", "01.01.20261", "31.02.2026."])
def test_a_date_in_another_form_is_refused_with_the_expected_form(typed):
    f = eservice_filter(received_to=typed)

    assert f.form.errors == {"received_to": [MESSAGE]}


@pytest.mark.django_db
@pytest.mark.parametrize(
    "typed", ["31.02.2026", "29.02.2027", "32.01.2026", "01.13.2026", "0.1.26"]
)
def test_a_day_the_calendar_has_not_is_said_to_be_so(typed):
    """Written as dd.mm.gggg already, so the format is not what to correct."""
    f = eservice_filter(received_to=typed)

    assert f.form.errors == {"received_to": [NO_SUCH_DATE]}


@pytest.mark.django_db
@pytest.mark.parametrize("typed", ["", "   "])
def test_a_blank_date_is_no_filter(typed):
    f = eservice_filter(created_from=typed, created_to=typed)

    assert f.form.errors == {}
    assert f.form.cleaned_data["created_from"] is None
    assert f.form.cleaned_data["created_to"] is None


def test_the_orders_filter_reads_the_same_way():
    f = OrderPartFilter(
        {"created_to": "31.02.2026", "created_from": "01.02.26"}, queryset=OrderPart.objects.none()
    )

    assert not f.is_valid()
    assert f.form.errors == {"created_to": [NO_SUCH_DATE]}
    assert f.form.cleaned_data["created_from"] == date(2026, 2, 1)


@pytest.mark.django_db
def test_the_field_is_a_text_input_with_the_hint_and_the_label():
    f = eservice_filter(created_from="31.02.2026")
    html = f.form["created_from"].as_field_group()

    assert 'type="date"' not in html
    assert 'type="text"' in html
    assert 'value="31.02.2026"' in html
    assert (
        '<div id="id_created_from-hint" class="govuk-hint">dd.mm.gggg, piemēram, 31.01.2026</div>'
        in html
    )
    assert (
        '<label class="govuk-label govuk-label--s" for="id_created_from">Pieprasīts no</label>'
        in html
    )
    assert NO_SUCH_DATE in html


BACKWARDS = "Šis datums nevar būt agrāks par datumu „Pieprasīts no”."


@pytest.mark.django_db
def test_a_range_that_runs_backwards_is_refused_at_its_end_date():
    f = eservice_filter(created_from="10.03.2026", created_to="01.03.2026")

    assert not f.is_valid()
    assert f.form.errors == {"created_to": [BACKWARDS]}


@pytest.mark.django_db
@pytest.mark.parametrize(("start", "end"), [("01.03.2026", "01.03.2026"), ("01.03.2026", "")])
def test_one_day_or_an_open_end_is_a_range(start, end):
    assert eservice_filter(created_from=start, created_to=end).form.errors == {}


def test_the_orders_range_is_checked_the_same_way():
    f = OrderPartFilter(
        {"created_from": "10.03.2026", "created_to": "9.3.2026"}, queryset=OrderPart.objects.none()
    )

    assert not f.is_valid()
    assert f.form.errors == {
        "created_to": ["Šis datums nevar būt agrāks par datumu „Izveidots no”."]
    }
