"""The client's own label of an e-service: unique within the client, clearable."""

from __future__ import annotations

from django import forms
from django.db import IntegrityError, transaction
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from eservices.models import EService


class LabelForm(forms.Form):
    label = forms.CharField(
        label=_("Klienta identifikators"),
        help_text=_(
            "Jūsu nosaukums vai apzīmējums šim e-pakalpojumam. Atstājiet tukšu, lai dzēstu."
        ),
        max_length=100,
        required=False,
        error_messages={
            "max_length": _("Identifikators var būt ne garāks par %(limit_value)d zīmēm.")
        },
    )

    def __init__(self, *args, eservice: EService, **kwargs):
        self.eservice = eservice
        kwargs.setdefault("initial", {"label": eservice.label or ""})
        super().__init__(*args, **kwargs)

    def clean_label(self) -> str | None:
        value = self.cleaned_data["label"].strip()
        if not value:
            return None
        taken = (
            EService.objects.filter(client_id=self.eservice.client_id)
            .exclude(pk=self.eservice.pk)
            .alias(label_lower=Lower("label"))
            .filter(label_lower=value.lower())
            .values_list("pk", flat=True)
            .first()
        )
        if taken is not None:
            raise forms.ValidationError(
                _(
                    "Identifikators „%(label)s” jau piešķirts e-pakalpojumam %(id)s. Izvēlieties citu."
                ),
                code="duplicate",
                params={"label": value, "id": taken},
            )
        return value

    def save(self) -> bool:
        """Store the label; False (with the error on the form) if another one took it meanwhile."""
        self.eservice.label = self.cleaned_data["label"]
        try:
            with transaction.atomic():
                self.eservice.save(update_fields=["label"])
        except IntegrityError:
            self.add_error(
                "label",
                _("Šāds identifikators jau piešķirts citam e-pakalpojumam. Izvēlieties citu."),
            )
            return False
        return True
