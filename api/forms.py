from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from api.models import Scope

# How long a new token lives: at most a year (api.tokens.MAX_LIFETIME).
LIFETIMES = [
    ("30", _("30 dienas")),
    ("90", _("90 dienas")),
    ("180", _("180 dienas")),
    ("365", _("1 gads")),
]


class TokenForm(forms.Form):
    name = forms.CharField(
        label=_("Nosaukums"),
        max_length=100,
        help_text=_("Lai atpazītu atslēgu, piemēram, „Grāmatvedības sistēma”."),
        error_messages={
            "required": _("Ievadiet atslēgas nosaukumu."),
            "max_length": _("Nosaukums var būt līdz 100 rakstzīmēm."),
        },
        widget=forms.TextInput(attrs={"class": "govuk-input--width-20", "autocomplete": "off"}),
    )
    scopes = forms.MultipleChoiceField(
        label=_("Tiesības"),
        choices=Scope.choices,
        initial=[Scope.READ],
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": _("Izvēlieties vismaz vienas tiesības."),
            "invalid_choice": _("Izvēlieties tiesības no saraksta."),
        },
    )
    lifetime = forms.ChoiceField(
        label=_("Derīguma termiņš"),
        choices=LIFETIMES,
        initial="90",
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Izvēlieties derīguma termiņu."),
            "invalid_choice": _("Izvēlieties derīguma termiņu no saraksta."),
        },
    )

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if "\x00" in name:
            raise forms.ValidationError(_("Nosaukumā ir neatļauta rakstzīme."))
        return name
