"""A date-range filter for the admin lists (django-admin-rangefilter), fit for this admin.

The package's template brings an inline script and style (refused by the Content-Security-Policy:
script-src 'self') and unlabelled inputs with English placeholders. This one is a plain GET form:
"No" and "Līdz" fields labelled, written dd.mm.gggg, and the list's other filters, search and sort
kept as hidden fields, so it works with no script at all. ("No" has a context: Django's English
"No" is "Nē" in Latvian.)
"""

from __future__ import annotations

from collections import OrderedDict

from django import forms
from django.contrib.admin.views.main import ERROR_FLAG, PAGE_VAR
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from rangefilter.filters import DateRangeFilter


class DateRange(DateRangeFilter):
    template = "admin/date_range_filter.html"

    def _get_form_fields(self):
        def field(label, initial):
            return forms.DateField(
                label=label,
                help_text=_("dd.mm.gggg"),
                required=False,
                initial=initial,
                widget=forms.DateInput(attrs={"size": 10, "autocomplete": "off"}),
            )

        return OrderedDict(
            (
                (
                    self.lookup_kwarg_gte,
                    field(pgettext_lazy("datumu intervāls", "No"), self.default_gte),
                ),
                (
                    self.lookup_kwarg_lte,
                    field(pgettext_lazy("datumu intervāls", "Līdz"), self.default_lte),
                ),
            )
        )

    def choices(self, changelist):
        own = {*self.expected_parameters(), PAGE_VAR, ERROR_FLAG}
        keep = [
            (name, value)
            for name, values in changelist.params.items()
            if name not in own
            for value in (values if isinstance(values, list) else [values])
        ]
        for choice in super().choices(changelist):
            yield {**choice, "keep": keep}
