"""Form fields for identifiers typed into list filters: each cleans through manskonts.identifiers, so
only ASCII digits (and, for order numbers, Latin letters) get through — never another script's."""

from __future__ import annotations

import django_filters
from django import forms
from django.core.exceptions import ValidationError

from manskonts.identifiers import (
    MAX_ESERVICE_ID,
    normalize_cadastral_prefix,
    normalize_eservice_id,
    normalize_order_number,
)


class CadastralPrefixField(forms.CharField):
    """A cadastral designation or its beginning, grouped or not: "1300 026 3302" → "13000263302"."""

    def clean(self, value):
        return normalize_cadastral_prefix(super().clean(value))


class OrderNumberField(forms.CharField):
    """An order number or its beginning: " 2026-0000123 " → "2026-0000123"."""

    def clean(self, value):
        return normalize_order_number(super().clean(value))


class EServiceIdField(forms.IntegerField):
    """An e-service ID of ASCII digits; forms.IntegerField alone takes "١٢" and "１２" as 12."""

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ESERVICE_ID)
        super().__init__(**kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        try:
            return normalize_eservice_id(str(value))
        except ValidationError:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None


class CadastralPrefixFilter(django_filters.CharFilter):
    field_class = CadastralPrefixField


class OrderNumberFilter(django_filters.CharFilter):
    field_class = OrderNumberField


class EServiceIdFilter(django_filters.NumberFilter):
    field_class = EServiceIdField
