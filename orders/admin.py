from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from documents.admin import document_inlines
from manskonts.admin_status import StatusFormMixin, digits_if_identifier, make_status_action
from orders.models import Order, OrderPart, OrderPartStatusChange, Service, ServiceGroup
from orders.services import change_order_part_status
from orders.workflow import TRANSITIONS, OrderStatus


@admin.register(ServiceGroup)
class ServiceGroupAdmin(admin.ModelAdmin):
    list_display = ("name", "code")
    search_fields = ("name", "code")


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "group",
        "price",
        "price_note",
        "term_days",
        "term_kind",
        "prepayment_percent",
    )
    list_filter = ("group", "term_kind")
    search_fields = ("name", "code")

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        from orders.services import rank_services

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


class OrderPartInline(admin.TabularInline):
    model = OrderPart
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


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    list_display = ("number", "client", "created_at", "channel")
    list_filter = ("channel", "created_at")
    search_fields = (
        "number",
        "client__name",
        "client__registration_number",
        "client__person__personal_code",
        "parts__object_code",
    )
    autocomplete_fields = ("client",)
    date_hierarchy = "created_at"
    inlines = [OrderPartInline]

    def get_search_results(self, request, queryset, search_term):
        # Designations and codes are typed grouped ("1300 026 3302"); they are stored as digits.
        return super().get_search_results(request, queryset, digits_if_identifier(search_term))


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
class OrderPartAdmin(admin.ModelAdmin):
    form = OrderPartForm
    list_display = (
        "__str__",
        "client",
        "service",
        "object_code",
        "status",
        "status_changed_at",
        "planned_completion_date",
        "delivery_method",
    )
    list_filter = ("status", "delivery_method", "service__group")
    list_select_related = ("order", "client", "service")
    search_fields = (
        "order__number",
        "object_code",
        "client__name",
        "client__registration_number",
        "client__person__personal_code",
    )
    autocomplete_fields = ("order",)
    readonly_fields = ("status", "status_changed_at")
    inlines = [StatusChangeInline, *document_inlines()]

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
