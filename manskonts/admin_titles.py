"""Admin titles and buttons in written Latvian.

Django's stock strings put the model's name in the nominative ("Labot pasūtījums", "Pievienot vēl
Pasūtījuma daļa"): Latvian wants the accusative there. Each admin and inline that shows such a
title names its model in the accusative (`accusative = pgettext_lazy("akuzatīvs", "pasūtījumu")`);
these mixins put it into the change form's title, the list's title and "Pievienot" button, and an
inline's "Pievienot vēl …" button. In another language (English has no cases) Django's own titles
stay: "Change order", "Add another order part".
"""

from __future__ import annotations

import json

from django.contrib import admin
from django.contrib.admin import helpers
from django.utils.translation import get_language
from django.utils.translation import gettext as _


def in_latvian() -> bool:
    return (get_language() or "lv").startswith("lv")


def accusative_of(model_admin) -> str:
    """The model's name in the accusative, or its verbose name where none is given (a package's
    model, which has no Latvian name anyway)."""
    return str(getattr(model_admin, "accusative", None) or model_admin.opts.verbose_name)


class AccusativeInlineFormSet(helpers.InlineAdminFormSet):
    def inline_formset_data(self):
        data = json.loads(super().inline_formset_data())
        data["options"]["addText"] = _("Pievienot vēl %(name)s") % {
            "name": accusative_of(self.opts)
        }
        return json.dumps(data)


class LatvianTitlesMixin:
    """For a ModelAdmin: "Pievienot / Labot / Apskatīt pasūtījumu", "Izvēlieties pasūtījumu, ko
    labot", and the inlines' "Pievienot vēl pasūtījuma daļu"."""

    accusative = None

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if not in_latvian():
            return super().render_change_form(request, context, add, change, form_url, obj)
        name = accusative_of(self)
        if add:
            title = _("Pievienot %(name)s") % {"name": name}
        elif self.has_change_permission(request, obj):
            title = _("Labot %(name)s") % {"name": name}
        else:
            title = _("Apskatīt %(name)s") % {"name": name}
        context["title"] = title
        return super().render_change_form(request, context, add, change, form_url, obj)

    def changelist_view(self, request, extra_context=None):
        if not in_latvian():
            return super().changelist_view(request, extra_context)
        name = accusative_of(self)
        if self.has_change_permission(request):
            title = _("Izvēlieties %(name)s, ko labot") % {"name": name}
        else:
            title = _("Izvēlieties %(name)s, ko apskatīt") % {"name": name}
        context = {
            "title": title,
            "add_label": _("Pievienot %(name)s") % {"name": name},
            **(extra_context or {}),
        }
        return super().changelist_view(request, context)

    def get_inline_formsets(self, request, formsets, inline_instances, obj=None):
        inline_formsets = super().get_inline_formsets(request, formsets, inline_instances, obj)
        if not in_latvian():
            return inline_formsets
        for inline_formset in inline_formsets:
            if inline_formset.__class__ is helpers.InlineAdminFormSet:
                inline_formset.__class__ = AccusativeInlineFormSet
        return inline_formsets


class ModelAdmin(LatvianTitlesMixin, admin.ModelAdmin):
    """The project's ModelAdmin: Django's, with titles in the right case."""
