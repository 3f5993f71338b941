"""Fields for identifiers: the filters' form fields and the cadastral designation's model field. Each
cleans through manskonts.identifiers, so only ASCII digits (and, for order numbers, Latin letters)
get through — never another script's."""

from __future__ import annotations

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import signals

from manskonts.identifiers import (
    CADASTRAL_LENGTHS,
    MAX_ESERVICE_ID,
    format_cadastral,
    normalize_cadastral,
    normalize_cadastral_prefix,
    normalize_eservice_id,
    normalize_order_number,
    validate_cadastral,
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


class CadastralFormField(forms.CharField):
    """A cadastral designation as a clerk types it ("1300 026 3302", "1300-026-3302") → its digits;
    shown grouped. Longer than 17 characters is allowed here: the grouped 17 digits are 21."""

    def __init__(self, **kwargs):
        kwargs["max_length"] = 32
        super().__init__(**kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        return normalize_cadastral(value) if value else value

    def prepare_value(self, value):
        return format_cadastral(value) if isinstance(value, str) else value


class CadastralField(models.CharField):
    """A cadastral designation stored as its 11, 14 or 17 ASCII digits, whatever the way in: a form
    (the admin's, through CadastralFormField), full_clean(), a plain save()/create() or
    bulk_create(), which store the digits of a grouped value and refuse one that is no designation
    (ValidationError, before any query: the caller's transaction stays usable)."""

    default_validators = [validate_cadastral]

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", max(CADASTRAL_LENGTHS))
        super().__init__(*args, **kwargs)

    def contribute_to_class(self, cls, name, private_only=False):
        super().contribute_to_class(cls, name, private_only=private_only)
        if not cls._meta.abstract:
            signals.pre_save.connect(self._normalize_before_save, sender=cls, weak=False)

    def _normalize_before_save(self, sender, instance, update_fields=None, **kwargs):
        # Sent by Model.save() before its queries; pre_save() below runs amid them.
        if update_fields is None or self.name in update_fields or self.attname in update_fields:
            self.pre_save(instance, add=False)

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return value
        try:
            return normalize_cadastral(value)
        except ValidationError:
            return value  # the validator says why, in the field's error

    def pre_save(self, model_instance, add):
        value = getattr(model_instance, self.attname)
        if value:
            value = normalize_cadastral(value)
            setattr(model_instance, self.attname, value)
        return value

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": CadastralFormField, **kwargs})
