from django.contrib import admin

from documents.models import Document


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    list_display = (
        "original_name",
        "direction",
        "eservice",
        "order_part",
        "size",
        "uploaded_at",
        "deleted_at",
    )
    list_filter = ("direction", "uploaded_at")
    search_fields = ("original_name", "eservice__id", "order_part__order__number")
    autocomplete_fields = ("eservice", "order_part")
    readonly_fields = ("uploaded_by", "uploaded_at", "deleted_at", "size", "content_type")
