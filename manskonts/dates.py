"""Dates as the list filters take them: typed as people write them, and a day's bounds in time."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# Dates as people write them: 31.01.2026, 31.1.2026, 31.01.26 (a 2-digit year: 00–68 are 20xx, as
# Python's %y reads them), also with / or - between; ISO 2026-01-31 for older bookmarks.
DATE_INPUT_FORMATS = [
    "%d.%m.%Y",
    "%d.%m.%y",
    "%d/%m/%Y",
    "%d-%m-%Y",
    "%Y-%m-%d",
]
DATE_HINT = _("dd.mm.gggg, piemēram, 31.01.2026")
# Written in the right shape (day, month, year) but no such day: 31.02.2026, 32.01.2026, 01.13.2026.
DATE_SHAPE = re.compile(r"[0-9]{1,2}[./-][0-9]{1,2}[./-](?:[0-9]{2}|[0-9]{4})")
NO_SUCH_DATE = _("Šāda datuma kalendārā nav. Pārbaudiet dienu un mēnesi.")


def day_start(day):
    return timezone.make_aware(datetime.combine(day, time.min))


def after_day(day):
    """Midnight after `day`: `< after_day` includes all of that day and reads the index."""
    return timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))


class TypedDateField(forms.DateField):
    """A date field for which a value of spaces only is no date (Django's refuses it), and a date
    written in the right shape that the calendar has not (31.02.2026) is said to be so, not sent
    back to the format the person already used."""

    def to_python(self, value):
        if isinstance(value, str):
            value = value.strip()
        try:
            return super().to_python(value)
        except ValidationError:
            if isinstance(value, str) and DATE_SHAPE.fullmatch(value):
                raise ValidationError(NO_SUCH_DATE, code="no_such_date") from None
            raise


class TypedDateFilter(django_filters.DateFilter):
    field_class = TypedDateField


def date_field(label):
    """A date typed as dd.mm.gggg in a text field with that hint (not the browser's own date
    input, whose format follows the browser's language: mm/dd/yyyy in an English one)."""
    return TypedDateFilter(
        label=label,
        method="filter_date",
        input_formats=DATE_INPUT_FORMATS,
        help_text=DATE_HINT,
        error_messages={"invalid": _("Ievadiet datumu formātā dd.mm.gggg, piemēram, 31.01.2026.")},
        widget=forms.TextInput,
    )


class DateRangeChecked:
    """Mixed into a filter form: a "… no" / "… līdz" pair (fields X_from and X_to) may not run
    backwards; the error goes to the "līdz" field, so the summary names it and links to it."""

    def clean(self):
        data = super().clean()
        for name, field in self.fields.items():
            if not name.endswith("_from"):
                continue
            end = name.removesuffix("_from") + "_to"
            start_day, end_day = data.get(name), data.get(end)
            if start_day and end_day and end in self.fields and end_day < start_day:
                self.add_error(
                    end,
                    _("Šis datums nevar būt agrāks par datumu „%(start)s”.")
                    % {"start": field.label},
                )
        return data
