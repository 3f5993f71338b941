"""Requests in the admin: a clerk raises one on an order part or e-service with its checklist,
and settles it from the list (accept, ask again, extend, terminate, withdraw) — every change
through requisitions.services; the request's history and the client's answers are read-only."""

from __future__ import annotations

from collections.abc import Callable

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.template.response import TemplateResponse
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from eservices.models import EService
from manskonts import desk
from manskonts.admin_filters import DateRange
from manskonts.admin_status import back_to_list
from manskonts.admin_titles import LatvianTitlesMixin
from orders.models import OrderPart
from requisitions import services
from requisitions.models import Answer, Request, RequestEvent, RequestItem
from requisitions.workflow import RequestState


class RequestAddForm(forms.ModelForm):
    deadline = forms.DateField(
        label=_("Atbildes termiņš"),
        required=False,
        help_text=_(
            "Tukšs — pakalpojuma noklusētais atbildes termiņš. Termiņš, kas iekrīt brīvdienā vai "
            "svētku dienā, pārceļas uz nākamo darba dienu."
        ),
    )
    suspend = forms.BooleanField(
        label=_("Apturēt pasūtījuma daļas izpildi līdz atbildei"), required=False, initial=True
    )

    class Meta:
        model = Request
        fields = ("order_part", "eservice", "text")

    def clean(self):
        cleaned = super().clean()
        part, eservice = cleaned.get("order_part"), cleaned.get("eservice")
        if bool(part) == bool(eservice):
            raise ValidationError(
                _("Izvēlieties vai nu pasūtījuma daļu, vai e-pakalpojumu (tieši vienu).")
            )
        cleaned["deadline"] = services.check_can_raise(part or eservice, cleaned.get("deadline"))
        return cleaned


class RequestItemInline(admin.TabularInline):
    model = RequestItem
    fields = ("name", "kind", "signed_required")
    extra = 2
    min_num = 1
    validate_min = True

    def get_extra(self, request, obj=None, **kwargs):
        return 0 if obj else self.extra

    def get_readonly_fields(self, request, obj=None):
        return self.fields if obj else ()

    def has_add_permission(self, request, obj=None):
        return obj is None and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class RequestEventInline(ReadOnlyInline):
    model = RequestEvent
    fields = ("at", "action", "from_state", "to_state", "by", "deadline", "note")
    readonly_fields = fields


class AnswerInline(ReadOnlyInline):
    model = Answer
    fields = ("created_at", "created_by", "submitted_at", "submitted_by", "message", "contents")
    readonly_fields = fields

    @admin.display(description=_("punktu atbildes"))
    def contents(self, answer):
        lines = []
        for entry in answer.items.select_related("item").prefetch_related("documents"):
            files = ", ".join(d.original_name for d in entry.documents.all())
            parts = [p for p in (entry.text, files) if p]
            lines.append(f"{entry.item.name}: {' — '.join(parts) or '—'}")
        return "; ".join(lines) or "—"


# --- Actions --------------------------------------------------------------------------------------


class AskAgainForm(forms.Form):
    text = forms.CharField(label=_("Kas vēl nepieciešams"), widget=forms.Textarea)
    deadline = forms.DateField(
        label=_("Jauns atbildes termiņš"),
        required=False,
        help_text=_("Tukšs — termiņš paliek tas pats."),
    )


class ExtendForm(forms.Form):
    deadline = forms.DateField(label=_("Jaunais atbildes termiņš"))


class TerminateForm(forms.Form):
    reason = forms.CharField(
        label=_("Pārtraukšanas iemesls (to redz klients)"), widget=forms.Textarea
    )


class WithdrawForm(forms.Form):
    note = forms.CharField(label=_("Piezīme"), required=False, max_length=255)


def request_action(
    name: str,
    description,
    apply: Callable,
    form_class: type[forms.Form] | None = None,
) -> Callable:
    """A bulk action calling one service per chosen request; with a form, an intermediate page
    asks for its fields first. A refusal is shown per request, in the workflow's words."""

    @admin.action(description=description, permissions=["change"])
    def action(modeladmin, request, queryset):
        form = None
        if form_class is not None:
            if "apply" not in request.POST:
                return _action_page(modeladmin, request, queryset, form_class(), name, description)
            form = form_class(request.POST)
            if not form.is_valid():
                return _action_page(modeladmin, request, queryset, form, name, description)
        done, refused = 0, []
        for obj in queryset.order_by("pk"):
            try:
                apply(obj, request.user, form.cleaned_data if form else {})
            except ValidationError as error:
                refused.append(f"{obj}: {' '.join(error.messages)}")
            else:
                modeladmin.log_change(request, obj, str(description))
                done += 1
        if done:
            modeladmin.message_user(
                request, gettext("Izdarīts: %(n)d.") % {"n": done}, messages.SUCCESS
            )
        for line in refused:
            modeladmin.message_user(request, line, messages.ERROR)
        return back_to_list(modeladmin, request)

    action.__name__ = name
    return action


def _action_page(modeladmin, request, queryset, form, name, description):
    return TemplateResponse(
        request,
        "admin/requisitions/request_action.html",
        {
            **modeladmin.admin_site.each_context(request),
            "title": description,
            "objects": queryset,
            "form": form,
            "action_name": name,
            "opts": modeladmin.model._meta,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        },
    )


ACTIONS = [
    request_action(
        "accept_answer",
        _("Pieņemt atbildi"),
        lambda obj, user, data: services.accept(obj, by=user),
    ),
    request_action(
        "ask_again",
        _("Pieprasīt vēlreiz"),
        lambda obj, user, data: services.ask_again(
            obj, data["text"], by=user, deadline=data["deadline"]
        ),
        AskAgainForm,
    ),
    request_action(
        "extend_deadline",
        _("Pagarināt termiņu"),
        lambda obj, user, data: services.extend(obj, data["deadline"], by=user),
        ExtendForm,
    ),
    request_action(
        "terminate_part",
        _("Pārtraukt izpildi"),
        lambda obj, user, data: services.terminate(obj, data["reason"], by=user),
        TerminateForm,
    ),
    request_action(
        "withdraw_request",
        _("Atsaukt pieprasījumu"),
        lambda obj, user, data: services.withdraw(obj, by=user, note=data["note"]),
        WithdrawForm,
    ),
]


@admin.register(Request)
class RequestAdmin(LatvianTitlesMixin, admin.ModelAdmin):
    accusative = pgettext_lazy("akuzatīvs", "pieprasījumu")
    list_display = (
        "__str__",
        "client",
        "state",
        "deadline",
        "raised_at",
        "raised_by",
        "suspended_part",
    )
    list_filter = ("state", ("deadline", DateRange), "suspended_part")
    list_select_related = ("client", "raised_by", "order_part__order", "eservice")
    search_fields = ("order_part__order__number", "client__name", "text")
    raw_id_fields = ("order_part", "eservice")
    date_hierarchy = None
    actions = ACTIONS
    change_fields = (
        "order_part",
        "eservice",
        "client",
        "text",
        "deadline",
        "state",
        "state_changed_at",
        "raised_by",
        "raised_at",
        "suspended_part",
    )

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = RequestAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("order_part", "eservice", "text", "deadline", "suspend")
        return self.change_fields

    def get_readonly_fields(self, request, obj=None):
        return self.change_fields if obj else ()

    def get_inlines(self, request, obj):
        if obj is None:
            return [RequestItemInline]
        return [RequestItemInline, AnswerInline, RequestEventInline]

    def get_changeform_initial_data(self, request):
        """?order_part=<id> or ?eservice=<id>: the service's default deadline filled in."""
        initial = super().get_changeform_initial_data(request)
        for key, model in (("order_part", OrderPart), ("eservice", EService)):
            value = request.GET.get(key, "")
            if value.isdigit():
                target = model.objects.select_related("service").filter(pk=value).first()
                if target is not None:
                    initial["deadline"] = services.default_deadline(target.service)
        return initial

    def save_model(self, request, obj, form, change):
        if change:
            return  # nothing on a request's page is edited; the actions change it
        # Added in save_related, with its items, by the service (one transaction).

    def save_related(self, request, form, formsets, change):
        if change:
            return
        items = [
            services.ItemSpec(
                name=item_form.cleaned_data["name"],
                kind=item_form.cleaned_data["kind"],
                signed_required=item_form.cleaned_data.get("signed_required", False),
            )
            for formset in formsets
            for item_form in formset.forms
            if item_form.cleaned_data and not item_form.cleaned_data.get("DELETE")
        ]
        data = form.cleaned_data
        created = services.raise_request(
            data["order_part"] or data["eservice"],
            items,
            data["text"],
            by=request.user,
            deadline=data["deadline"],
            suspend=data["suspend"],
        )
        form.instance.pk = created.pk
        form.instance.client_id = created.client_id
        form.instance.deadline = created.deadline
        form.instance._state.adding = False
        for formset in formsets:  # saved by the service: nothing more for the change message
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []

    def has_delete_permission(self, request, obj=None):
        return False  # a request is on the record; withdraw it instead


def answered(requests):
    return requests.filter(state=RequestState.ANSWERED)


def past_deadline(requests):
    return requests.filter(state=RequestState.EXPIRED)


desk.register(
    desk.DeskItem(
        key="requests_answered",
        label=_("Atbildēti pieprasījumi, kas gaida izskatīšanu"),
        model="requisitions.Request",
        rows=answered,
        query={"state__exact": RequestState.ANSWERED},
        order=15,
    )
)
desk.register(
    desk.DeskItem(
        key="requests_past_deadline",
        label=_("Pieprasījumi, kuru atbildes termiņš beidzies"),
        model="requisitions.Request",
        rows=past_deadline,
        query={"state__exact": RequestState.EXPIRED},
        order=16,
    )
)
