"""Requests in the admin: a clerk raises one on an order part or e-service with its checklist
(from a template of the service, if they like), and settles it from the list — in bulk, or one
request from its row's links (accept, ask again, extend, terminate, withdraw, assign to me) —
every change through requisitions.services; the request's history and the client's answers are
read-only. The desk's lines open this list on answered and expired requests, oldest first."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import quote

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from eservices.models import EService
from manskonts import desk
from manskonts.admin_filters import DateRange
from manskonts.admin_status import back_to_list
from manskonts.admin_titles import LatvianTitlesMixin
from orders.models import OrderPart, ServiceGroup
from requisitions import services
from requisitions.models import (
    Answer,
    Request,
    RequestEvent,
    RequestItem,
    RequestTemplate,
    RequestTemplateItem,
)
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
    template = forms.ModelChoiceField(
        queryset=RequestTemplate.objects.all(), required=False, widget=forms.HiddenInput
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
        if obj:
            return 0
        template = template_from(request)
        return max(template.items.count(), 1) if template else self.extra

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


class ConfirmForm(forms.Form):
    """No fields: the action's page only asks to confirm it."""


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


@dataclass(frozen=True)
class RequestActionSpec:
    """One way to settle a request: its words, the form it asks for, and the service it calls."""

    description: str
    form_class: type[forms.Form]
    apply: Callable


# Offered both as bulk actions of the list and as one request's links in its row.
ACTION_SPECS: dict[str, RequestActionSpec] = {
    "assign_to_me": RequestActionSpec(
        _("Piešķirt man"),
        ConfirmForm,
        lambda obj, user, data: services.assign(obj, to=user, by=user),
    ),
    "accept_answer": RequestActionSpec(
        _("Pieņemt atbildi"),
        ConfirmForm,
        lambda obj, user, data: services.accept(obj, by=user),
    ),
    "ask_again": RequestActionSpec(
        _("Pieprasīt vēlreiz"),
        AskAgainForm,
        lambda obj, user, data: services.ask_again(
            obj, data["text"], by=user, deadline=data["deadline"]
        ),
    ),
    "extend_deadline": RequestActionSpec(
        _("Pagarināt termiņu"),
        ExtendForm,
        lambda obj, user, data: services.extend(obj, data["deadline"], by=user),
    ),
    "terminate_part": RequestActionSpec(
        _("Pārtraukt izpildi"),
        TerminateForm,
        lambda obj, user, data: services.terminate(obj, data["reason"], by=user),
    ),
    "withdraw_request": RequestActionSpec(
        _("Atsaukt pieprasījumu"),
        WithdrawForm,
        lambda obj, user, data: services.withdraw(obj, by=user, note=data["note"]),
    ),
}
ACTIONS = [
    request_action(name, spec.description, spec.apply, spec.form_class)
    for name, spec in ACTION_SPECS.items()
]

# What a request's row offers, by its state (the workflow allows the rest to be refused anyway).
ROW_ACTIONS = {
    RequestState.OPEN: ("withdraw_request",),
    RequestState.ANSWERED: ("accept_answer", "ask_again"),
    RequestState.ASKED_AGAIN: (),
    RequestState.EXPIRED: ("extend_deadline", "terminate_part"),
}


def action_links(obj: Request, user, back: str) -> list[tuple[str, str]]:
    """(url, words) of what may be done to the request now, each page coming back to `back`
    (quoted): "Piešķirt man" unless it is the user's, then its state's actions."""
    names = list(ROW_ACTIONS.get(obj.state, ()))
    if obj.state in ROW_ACTIONS and obj.assignee_id != user.pk:
        names.insert(0, "assign_to_me")
    return [
        (
            reverse("admin:requisitions_request_act", args=[obj.pk, name]) + f"?next={back}",
            ACTION_SPECS[name].description,
        )
        for name in names
    ]


def template_from(request) -> RequestTemplate | None:
    """The template named by ?template=<id> on the add page, if any."""
    value = request.GET.get("template", "")
    if not value.isdigit():
        return None
    return RequestTemplate.objects.filter(pk=value).prefetch_related("items").first()


# --- The list's filters ---------------------------------------------------------------------------


class ServiceGroupFilter(admin.SimpleListFilter):
    title = _("pakalpojumu grupa")
    parameter_name = "grupa"

    def lookups(self, request, model_admin):
        return [(str(group.pk), group.name) for group in ServiceGroup.objects.all()]

    def queryset(self, request, queryset):
        value = self.value()
        if value and value.isdigit():
            return queryset.filter(
                Q(order_part__service__group_id=value) | Q(eservice__service__group_id=value)
            )
        return queryset


class AssigneeFilter(admin.SimpleListFilter):
    title = _("atbildīgais darbinieks")
    parameter_name = "atbildigais"

    def lookups(self, request, model_admin):
        others = (
            Request.objects.filter(assignee__isnull=False)
            .exclude(assignee=request.user)
            .values_list("assignee_id", "assignee__first_name", "assignee__last_name")
            .distinct()
            .order_by("assignee__first_name", "assignee__last_name")
        )
        return [
            ("man", _("Man")),
            ("nav", _("Nav piešķirts")),
            *((str(pk), f"{first} {last}".strip() or str(pk)) for pk, first, last in others),
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "man":
            return queryset.filter(assignee=request.user)
        if value == "nav":
            return queryset.filter(assignee__isnull=True)
        if value and value.isdigit():
            return queryset.filter(assignee_id=value)
        return queryset


# States a clerk works through oldest first (the desk's lines).
QUEUE_STATES = (RequestState.ANSWERED, RequestState.EXPIRED)


@admin.register(Request)
class RequestAdmin(LatvianTitlesMixin, admin.ModelAdmin):
    accusative = pgettext_lazy("akuzatīvs", "pieprasījumu")
    list_display = (
        "__str__",
        "client",
        "service",
        "state",
        "state_changed_at",
        "deadline",
        "assignee",
    )
    list_filter = (
        "state",
        ServiceGroupFilter,
        AssigneeFilter,
        ("deadline", DateRange),
        "suspended_part",
    )
    list_select_related = (
        "client",
        "raised_by",
        "assignee",
        "order_part__order",
        "order_part__service",
        "eservice__service",
    )
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
        "assignee",
        "template",
    )

    @admin.display(description=_("pakalpojums"))
    def service(self, obj):
        return services.service_of(obj)

    def get_list_display(self, request):
        return (*self.list_display, self._row_actions_column(request))

    def _row_actions_column(self, request):
        """The row's links to its actions' pages, for this clerk (assign to me unless theirs),
        each coming back to this list with its filters."""
        may_change = self.has_change_permission(request)
        back = quote(request.get_full_path(), safe="")

        @admin.display(description=_("darbības"))
        def row_actions(obj):
            links = action_links(obj, request.user, back) if may_change else []
            if not links:
                return "—"
            return format_html(
                '<ul class="row-actions">{}</ul>',
                format_html_join("", '<li><a href="{}">{}</a></li>', links),
            )

        return row_actions

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """The request's own page offers its actions too (the staff email links here)."""
        obj = self.get_object(request, object_id)
        links = []
        if obj is not None and self.has_change_permission(request, obj):
            links = action_links(obj, request.user, quote(request.get_full_path(), safe=""))
        extra_context = {**(extra_context or {}), "request_actions": links}
        return super().change_view(request, object_id, form_url, extra_context)

    def get_ordering(self, request):
        """The desk's queues (answered, expired) oldest first: the longest-waiting on top."""
        if request.GET.get("state__exact") in QUEUE_STATES:
            return ("state_changed_at", "id")
        return super().get_ordering(request)

    def get_urls(self):
        return [
            path(
                "<int:object_id>/darbiba/<slug:action>/",
                self.admin_site.admin_view(self.row_action_view),
                name="requisitions_request_act",
            ),
            *super().get_urls(),
        ]

    def row_action_view(self, request, object_id, action):
        """One request's action from its row: the form (or a confirmation), then the service."""
        if not self.has_change_permission(request):
            raise PermissionDenied
        spec = ACTION_SPECS.get(action)
        obj = self.get_object(request, str(object_id))
        if spec is None or obj is None:
            raise Http404
        back = request.GET.get("next", "")
        if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
            back = ""
        back = back or reverse("admin:requisitions_request_changelist")
        form = spec.form_class(request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            try:
                spec.apply(obj, request.user, form.cleaned_data)
            except ValidationError as error:
                self.message_user(request, f"{obj}: {' '.join(error.messages)}", messages.ERROR)
            else:
                self.log_change(request, obj, str(spec.description))
                self.message_user(
                    request,
                    gettext("%(request)s: %(action)s — izdarīts.")
                    % {"request": obj, "action": spec.description},
                    messages.SUCCESS,
                )
            return HttpResponseRedirect(back)
        return TemplateResponse(
            request,
            "admin/requisitions/request_action.html",
            {
                **self.admin_site.each_context(request),
                "title": spec.description,
                "objects": [obj],
                "form": form,
                "single": True,
                "back": back,
                "opts": self.model._meta,
            },
        )

    def add_view(self, request, form_url="", extra_context=None):
        target = None
        for key, model in (("order_part", OrderPart), ("eservice", EService)):
            value = request.GET.get(key, "")
            if value.isdigit():
                target = model.objects.filter(pk=value).first()
        extra_context = {
            **(extra_context or {}),
            "request_templates": services.templates_for(target),
            "template_chosen": template_from(request),
            "target_key": (
                ("order_part" if isinstance(target, OrderPart) else "eservice") if target else ""
            ),
            "target_id": target.pk if target else "",
        }
        return super().add_view(request, form_url, extra_context)

    def get_formset_kwargs(self, request, obj, inline, prefix):
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        template = template_from(request)
        # Only on GET: unchanged extra forms with initial data would be skipped when posted.
        if (
            (obj is None or obj.pk is None)
            and template
            and request.method == "GET"
            and isinstance(inline, RequestItemInline)
        ):
            _text, items = services.from_template(template)
            kwargs["initial"] = [
                {"name": i.name, "kind": i.kind, "signed_required": i.signed_required}
                for i in items
            ]
        return kwargs

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = RequestAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("order_part", "eservice", "text", "deadline", "suspend", "template")
        return self.change_fields

    def get_readonly_fields(self, request, obj=None):
        return self.change_fields if obj else ()

    def get_inlines(self, request, obj):
        if obj is None:
            return [RequestItemInline]
        return [RequestItemInline, AnswerInline, RequestEventInline]

    def get_changeform_initial_data(self, request):
        """?order_part=<id> or ?eservice=<id>: the service's default deadline filled in;
        ?template=<id>: its text (and, in the inline, its items)."""
        initial = super().get_changeform_initial_data(request)
        initial.pop("template", None)
        template = template_from(request)
        if template is not None:
            initial["text"] = template.text
            initial["template"] = template.pk
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
            # Nothing is saved; the change message reads these (a 500 without them).
            for formset in formsets:
                formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
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
            template=data.get("template"),
        )
        form.instance.pk = created.pk
        form.instance.client_id = created.client_id
        form.instance.deadline = created.deadline
        form.instance._state.adding = False
        for formset in formsets:  # saved by the service: nothing more for the change message
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []

    def has_delete_permission(self, request, obj=None):
        return False  # a request is on the record; withdraw it instead


class RequestTemplateItemInline(admin.TabularInline):
    model = RequestTemplateItem
    fields = ("position", "name", "kind", "signed_required")
    extra = 2


@admin.register(RequestTemplate)
class RequestTemplateAdmin(LatvianTitlesMixin, admin.ModelAdmin):
    accusative = pgettext_lazy("akuzatīvs", "pieprasījuma veidni")
    list_display = ("name", "service", "active")
    list_filter = ("active", "service__group")
    list_select_related = ("service",)
    search_fields = ("name", "text", "service__name")
    fields = ("service", "name", "text", "active")
    inlines = [RequestTemplateItemInline]


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
