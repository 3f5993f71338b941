from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from manskonts.admin_titles import LatvianTitlesMixin
from outbox.models import Message


class StateFilter(admin.SimpleListFilter):
    title = _("stāvoklis")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [("pending", _("gaida nosūtīšanu")), ("sent", _("nosūtīts"))]

    def queryset(self, request, queryset):
        if self.value() == "pending":
            return queryset.filter(sent_at__isnull=True)
        if self.value() == "sent":
            return queryset.filter(sent_at__isnull=False)
        return queryset


@admin.register(Message)
class MessageAdmin(LatvianTitlesMixin, admin.ModelAdmin):
    """What waits for the broker (the minute sweep sends it when the broker answers): read-only."""

    accusative = pgettext_lazy("akuzatīvs", "fona uzdevumu")

    list_display = ("task_name", "queue", "created_at", "attempts", "sent_at", "last_error")
    list_filter = (StateFilter, "queue", "task_name")
    readonly_fields = [f.name for f in Message._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
