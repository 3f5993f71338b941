"""The admin's status changes, for orders and e-services alike: a form field and a bulk action that
both go through the app's one status-change function, so an illegal change is refused in words."""

from __future__ import annotations

from collections.abc import Callable

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import PAGE_VAR
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from manskonts.identifiers import digits_only, format_cadastral, is_ascii_digits
from manskonts.workflow import check_transition


def back_to_list(modeladmin, request) -> HttpResponseRedirect:
    """After a bulk action: the list it came from, with its filters, search, sort and page.

    A page the action emptied (the changed rows left the filter) would make Django drop every
    filter ("?e=1", the whole list): go to the last page that still exists instead.
    """
    params = request.GET.copy()
    try:
        modeladmin.get_changelist_instance(request)
    except IncorrectLookupParameters:
        params.pop(PAGE_VAR, None)
        request.GET = params
        try:
            pages = modeladmin.get_changelist_instance(request).paginator.num_pages
        except IncorrectLookupParameters:
            pages = 1
        if pages > 1:
            params[PAGE_VAR] = str(pages)
    query = params.urlencode()
    return HttpResponseRedirect(f"{request.path}?{query}" if query else request.path)


class StatusChangeActionForm(forms.Form):
    new_status = forms.ChoiceField(label=gettext_lazy("Jaunais statuss"))
    note = forms.CharField(label=gettext_lazy("Piezīme"), required=False, max_length=255)

    def __init__(self, *args, choices, with_note: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_status"].choices = choices
        if not with_note:
            del self.fields["note"]


def make_status_action(choices, change: Callable, *, with_note: bool) -> Callable:
    """A bulk admin action: pick a status on an intermediate page, apply it to each chosen row."""

    # Offered only to those who may change the rows: Django offers an action without permissions
    # to anyone who may view the list.
    @admin.action(description=gettext_lazy("Mainīt statusu izvēlētajiem"), permissions=["change"])
    def change_status(modeladmin, request, queryset):
        if "apply" in request.POST:
            form = StatusChangeActionForm(request.POST, choices=choices, with_note=with_note)
            if form.is_valid():
                done, refused = 0, []
                for obj in queryset:
                    kwargs = {"by": request.user}
                    if with_note:
                        kwargs["note"] = form.cleaned_data["note"]
                    try:
                        change(obj, form.cleaned_data["new_status"], **kwargs)
                    except ValidationError as error:
                        refused.append(f"{obj}: {' '.join(error.messages)}")
                    else:
                        modeladmin.log_change(request, obj, _("Statuss mainīts."))
                        done += 1
                if done:
                    modeladmin.message_user(
                        request, _("Statuss mainīts: %(n)d.") % {"n": done}, messages.SUCCESS
                    )
                for line in refused:
                    modeladmin.message_user(request, line, messages.ERROR)
                return back_to_list(modeladmin, request)
        else:
            form = StatusChangeActionForm(choices=choices, with_note=with_note)
        return TemplateResponse(
            request,
            "admin/status_change_action.html",
            {
                **modeladmin.admin_site.each_context(request),
                "title": _("Mainīt statusu"),
                "objects": queryset,
                "form": form,
                "with_note": with_note,
                "opts": modeladmin.model._meta,
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            },
        )

    return change_status


class NewStatusField(forms.ChoiceField):
    """The allowed next statuses; one no longer allowed (a page opened before a colleague changed
    the status) is refused by the workflow's own words, naming both statuses by their labels —
    not Django's "applied nav viena no pieejamajām izvēlēm"."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.transitions: dict = {}
        self.labels: dict = {}
        self.current: str | None = None

    def validate(self, value):
        if value and self.current is not None and not self.valid_value(value):
            check_transition(self.transitions, self.labels, self.current, value)
        super().validate(value)


class StatusFormMixin(forms.ModelForm):
    """Adds 'new status' to a change form; the status itself is read-only."""

    new_status = NewStatusField(label=gettext_lazy("Mainīt statusu uz"), required=False)
    transitions: dict = {}
    labels: dict = {}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        current = self.instance.status if self.instance.pk else None
        allowed = self.transitions.get(current, ()) if current else ()
        field = self.fields["new_status"]
        field.choices = [("", "—")] + [
            (value, self.labels[value]) for value in self.labels if value in allowed
        ]
        field.transitions, field.labels, field.current = self.transitions, self.labels, current


def digits_if_identifier(search_term: str) -> str:
    """'1300 026 3302' or '120585-12340' → digits, as stored; any other search as typed (other
    scripts' digits too: they match nothing, as no identifier is stored with them)."""
    digits = digits_only(search_term)
    return digits if is_ascii_digits(digits) and len(digits) >= 6 else search_term


@admin.display(description=gettext_lazy("objekts"), ordering="object_code")
def object_grouped(obj) -> str:
    """A list column: the cadastral designation as people write it, "1300 026 3302"."""
    return format_cadastral(obj.object_code)
