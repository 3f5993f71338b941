from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from accounts.models import Client
from billing.models import PaymentAttempt
from manskonts import desk
from manskonts.admin_filters import DateRange
from manskonts.admin_status import (
    StatusFormMixin,
    back_to_list,
    digits_if_identifier,
    make_status_action,
    object_grouped,
)
from manskonts.admin_titles import LatvianTitlesMixin
from orders.models import (
    Order,
    OrderClientChange,
    OrderPart,
    OrderPartStatusChange,
    Service,
    ServiceGroup,
)
from orders.services import change_order_client, change_order_part_status, rank_services
from orders.workflow import FINAL_STATUSES, TRANSITIONS, OrderStatus


@admin.register(ServiceGroup)
class ServiceGroupAdmin(LatvianTitlesMixin, admin.ModelAdmin):
    accusative = pgettext_lazy("akuzatīvs", "pakalpojuma grupu")
    list_display = ("name", "code")
    search_fields = ("name", "code")


@admin.register(Service)
class ServiceAdmin(LatvianTitlesMixin, admin.ModelAdmin):
    accusative = pgettext_lazy("akuzatīvs", "pakalpojumu")
    list_display = (
        "name",
        "group",
        "price",
        "price_note",
        "term_days",
        "term_kind",
        "prepayment_percent",
        "signature_required",
    )
    list_filter = ("group", "term_kind", "signature_required")
    search_fields = ("name", "code")

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        rank_services()


class StatusChangeInline(admin.TabularInline):
    model = OrderPartStatusChange
    extra = 0
    can_delete = False
    fields = ("changed_at", "from_status", "to_status", "changed_by", "note")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class OrderPartInlineForm(forms.ModelForm):
    """The order page's parts fit its width: short inputs for short values (static/css/admin.css
    narrows the selects)."""

    class Meta:
        model = OrderPart
        fields = ("part_number", "service", "object_code", "delivery_method")
        widgets = {
            "part_number": forms.NumberInput(attrs={"class": "mk-compact-number"}),
            "object_code": forms.TextInput(attrs={"size": 20}),
        }


class OrderPartInline(admin.TabularInline):
    accusative = pgettext_lazy("akuzatīvs", "pasūtījuma daļu")
    model = OrderPart
    form = OrderPartInlineForm
    extra = 0
    fields = (
        "part_number",
        "service",
        "object_code",
        "delivery_method",
        "status",
        "planned_completion_date",
    )
    readonly_fields = ("status", "planned_completion_date")
    show_change_link = True


class ClientChangeInline(admin.TabularInline):
    model = OrderClientChange
    extra = 0
    can_delete = False
    fields = (
        "changed_at",
        "from_client",
        "to_client",
        "changed_by",
        "reason",
        "moved_parts",
        "moved_invoices",
        "unlinked_eservices",
    )
    readonly_fields = fields
    verbose_name_plural = _("klienta maiņas vēsture")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ChangeClientForm(forms.Form):
    new_client = forms.ModelChoiceField(label=_("Jaunais klients"), queryset=Client.objects.all())
    reason = forms.CharField(
        label=_("Iemesls"),
        max_length=255,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Redzams klienta maiņas vēsturē, piemēram, „reģistrēts nepareizam klientam”."),
    )

    def __init__(self, *args, admin_site, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["new_client"]
        field.widget = AutocompleteSelect(Order._meta.get_field("client"), admin_site)
        field.widget.choices = field.choices


def _pending_attempts(orders) -> list[PaymentAttempt]:
    return list(
        PaymentAttempt.objects.filter(
            status=PaymentAttempt.Status.PENDING, lines__invoice__order__in=orders
        ).distinct()
    )


@admin.register(Order)
class OrderAdmin(LatvianTitlesMixin, admin.ModelAdmin):
    accusative = pgettext_lazy("akuzatīvs", "pasūtījumu")
    list_display = ("number", "client", "created_at", "channel")
    list_filter = ("channel", ("created_at", DateRange))
    search_fields = (
        "number",
        "client__name",
        "client__registration_number",
        "client__person__personal_code",
        "parts__object_code",
    )
    autocomplete_fields = ("client",)
    date_hierarchy = "created_at"
    inlines = [OrderPartInline, ClientChangeInline]
    actions = ["change_client"]

    def get_readonly_fields(self, request, obj=None):
        # The client moves with the parts, invoices and documents, on the record: only through
        # "Mainīt klientu" (change_order_client), never as a field of the change form.
        return ("client",) if obj is not None else ()

    def get_search_results(self, request, queryset, search_term):
        # Designations and codes are typed grouped ("1300 026 3302"); they are stored as digits.
        return super().get_search_results(request, queryset, digits_if_identifier(search_term))

    def get_urls(self):
        return [
            path(
                "<path:object_id>/klients/",
                self.admin_site.admin_view(self.change_client_view),
                name="orders_order_change_client",
            ),
            *super().get_urls(),
        ]

    def _apply_client_change(self, request, orders, form) -> int:
        new_client, reason = form.cleaned_data["new_client"], form.cleaned_data["reason"]
        done = 0
        for order in orders:
            previous = order.client
            try:
                change_order_client(order, new_client, by=request.user, reason=reason)
            except ValidationError as error:
                self.message_user(request, f"{order}: {' '.join(error.messages)}", messages.ERROR)
                continue
            self.log_change(
                request,
                order,
                gettext("Klients mainīts: %(from)s → %(to)s. Iemesls: %(reason)s")
                % {"from": previous, "to": new_client, "reason": reason},
            )
            done += 1
        if done:
            self.message_user(
                request,
                gettext(
                    "Klients mainīts: %(n)d. Daļas, rēķini un dokumenti pārvietoti kopā ar "
                    "pasūtījumu."
                )
                % {"n": done},
                messages.SUCCESS,
            )
        return done

    def _change_client_page(self, request, orders, form, *, action: bool):
        return TemplateResponse(
            request,
            "admin/orders/order/change_client.html",
            {
                **self.admin_site.each_context(request),
                "title": gettext("Mainīt pasūtījuma klientu"),
                "opts": self.model._meta,
                "orders": orders,
                "form": form,
                "media": self.media + form.media,
                "pending_attempts": _pending_attempts(orders),
                "action": action,
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            },
        )

    def change_client_view(self, request, object_id):
        order = self.get_object(request, unquote(object_id))
        if order is None:
            raise Http404
        if not self.has_change_permission(request, order):
            raise PermissionDenied
        form = ChangeClientForm(
            request.POST if request.method == "POST" else None, admin_site=self.admin_site
        )
        if (
            request.method == "POST"
            and form.is_valid()
            and self._apply_client_change(request, [order], form)
        ):
            return HttpResponseRedirect(reverse("admin:orders_order_change", args=[order.pk]))
        return self._change_client_page(request, [order], form, action=False)

    @admin.action(description=_("Mainīt klientu izvēlētajiem"), permissions=["change"])
    def change_client(self, request, queryset):
        orders = list(queryset.select_related("client").order_by("number"))
        if "apply" in request.POST:
            form = ChangeClientForm(request.POST, admin_site=self.admin_site)
            if form.is_valid():
                self._apply_client_change(request, orders, form)
                return back_to_list(self, request)
        else:
            form = ChangeClientForm(admin_site=self.admin_site)
        return self._change_client_page(request, orders, form, action=True)


def past_planned_date(parts):
    """Parts still open whose planned completion date has passed."""
    return parts.filter(planned_completion_date__lt=timezone.localdate()).exclude(
        status__in=FINAL_STATUSES
    )


def issuing_without_result(parts):
    # "result": documents.Document.Direction.RESULT (documents sits above orders: no import).
    return parts.filter(status=OrderStatus.ISSUING).exclude(documents__direction="result")


class NeedsActionFilter(admin.SimpleListFilter):
    """The desk's links to order parts (manskonts/desk.py)."""

    title = _("jādara")
    parameter_name = "jadara"
    needs = {
        "kavets": (_("Plānotais datums pagājis"), past_planned_date),
        "bez-rezultata": (_("Izsniegšanā bez rezultāta"), issuing_without_result),
    }

    def lookups(self, request, model_admin):
        return [(key, label) for key, (label, _rows) in self.needs.items()]

    def queryset(self, request, queryset):
        if self.value() in self.needs:
            return self.needs[self.value()][1](queryset)
        return queryset


class OrderPartForm(StatusFormMixin):
    transitions = TRANSITIONS
    labels = dict(OrderStatus.choices)

    class Meta:
        model = OrderPart
        fields = (
            "order",
            "part_number",
            "service",
            "object_code",
            "delivery_method",
            "planned_completion_date",
        )


@admin.register(OrderPart)
class OrderPartAdmin(LatvianTitlesMixin, admin.ModelAdmin):
    accusative = pgettext_lazy("akuzatīvs", "pasūtījuma daļu")
    form = OrderPartForm
    list_display = (
        "__str__",
        "client",
        "service",
        object_grouped,
        "status",
        "status_changed_at",
        "planned_completion_date",
        "delivery_method",
    )
    list_filter = (
        "status",
        NeedsActionFilter,
        ("planned_completion_date", DateRange),
        "delivery_method",
        "service__group",
    )
    list_select_related = ("order", "client", "service")
    search_fields = (
        "order__number",
        "object_code",
        "client__name",
        "client__registration_number",
        "client__person__personal_code",
    )
    autocomplete_fields = ("order",)
    readonly_fields = ("status", "status_changed_at", "original_planned_completion_date")
    inlines = [StatusChangeInline]  # documents/admin.py adds its two

    def get_search_results(self, request, queryset, search_term):
        return super().get_search_results(request, queryset, digits_if_identifier(search_term))

    actions = [make_status_action(OrderStatus.choices, change_order_part_status, with_note=True)]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        new_status = form.cleaned_data.get("new_status")
        if new_status:
            try:
                change_order_part_status(obj, new_status, by=request.user)
            except ValidationError as error:
                self.message_user(request, " ".join(error.messages), messages.ERROR)


admin.site.site_header = _("Mans konts — VZD darbinieku vide")
admin.site.site_title = _("Mans konts administrēšana")
admin.site.index_title = _("Darbs ar klientu pasūtījumiem")


desk.register(
    desk.DeskItem(
        key="applied",
        label=_("Pieteikumi, kas gaida reģistrāciju"),
        model="orders.OrderPart",
        rows=lambda parts: parts.filter(status=OrderStatus.APPLIED),
        query={"status__exact": OrderStatus.APPLIED},
        order=10,
    )
)
desk.register(
    desk.DeskItem(
        key="past_planned_date",
        label=_("Pasūtījuma daļas, kuru plānotais datums pagājis"),
        model="orders.OrderPart",
        rows=past_planned_date,
        query={"jadara": "kavets"},
        order=30,
    )
)
desk.register(
    desk.DeskItem(
        key="issuing_without_result",
        label=_("Izsniegšanā, bet rezultāts nav pievienots"),
        model="orders.OrderPart",
        rows=issuing_without_result,
        query={"jadara": "bez-rezultata"},
        order=40,
    )
)
