from django.contrib import admin

from billing.models import Invoice, Payment


class PaymentInline(admin.TabularInline):
    model = Payment
    extra = 0
    fields = ("amount", "currency", "paid_on", "source", "reference", "external_id", "recorded_by")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Invoice)
class InvoiceAdmin(admin.ModelAdmin):
    list_display = ("number", "order", "client", "kind", "issued_on", "due_on", "total")
    list_filter = ("kind", "issued_on")
    list_select_related = ("order", "client")
    search_fields = (
        "number",
        "order__number",
        "client__name",
        "client__registration_number",
        "client__person__personal_code",
    )
    autocomplete_fields = ("order",)
    readonly_fields = ("client", "issued_by", "created_at")
    inlines = [PaymentInline]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.issued_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(Payment)
class PaymentAdmin(admin.ModelAdmin):
    list_display = ("invoice", "amount", "currency", "paid_on", "source", "reference")
    list_filter = ("source", "paid_on")
    list_select_related = ("invoice",)
    search_fields = ("invoice__number", "reference", "external_id")
    autocomplete_fields = ("invoice",)
    readonly_fields = ("recorded_by", "created_at")

    def save_model(self, request, obj, form, change):
        if not change:
            obj.recorded_by = request.user
        super().save_model(request, obj, form, change)
