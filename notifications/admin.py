from django.contrib import admin
from django.utils.translation import pgettext_lazy

from manskonts.admin_titles import LatvianTitlesMixin
from notifications.models import Notification


@admin.register(Notification)
class NotificationAdmin(LatvianTitlesMixin, admin.ModelAdmin):
    accusative = pgettext_lazy("akuzatīvs", "paziņojumu")
    list_display = ("subject", "client", "recipient", "kind", "created_at", "read_at", "emailed_at")
    list_filter = ("kind",)
    search_fields = ("subject", "client__name", "recipient__personal_code")
    readonly_fields = [f.name for f in Notification._meta.fields]

    def has_add_permission(self, request):
        return False
