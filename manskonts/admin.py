"""The audit trail in the admin: superusers read it; nobody adds, changes or deletes an entry."""

from __future__ import annotations

from auditlog.admin import LogEntryAdmin
from auditlog.models import LogEntry
from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from manskonts.admin_titles import LatvianTitlesMixin
from manskonts.models import AuditEntry

# auditlog registers LogEntry itself (and would let a superuser's cascade delete remove entries);
# the project shows the same rows through AuditEntry, read-only.
admin.site.unregister(LogEntry)


@admin.register(AuditEntry)
class AuditEntryAdmin(LatvianTitlesMixin, LogEntryAdmin):
    accusative = pgettext_lazy("akuzatīvs", "audita ierakstu")
    list_display = [
        "when",
        "resource",
        "action",
        "changed_fields",
        "who",
        "remote_addr",
        "cid_url",
    ]
    list_filter = ["action", "content_type"]
    search_fields = ["object_repr", "actor__username", "actor__last_name", "actor_email", "=cid"]
    fieldsets = [
        (None, {"fields": ["when", "who", "actor_email", "remote_addr", "resource", "cid"]}),
        (_("Izmaiņas"), {"fields": ["action", "msg"]}),
    ]
    readonly_fields = [
        "when",
        "who",
        "actor_email",
        "remote_addr",
        "resource",
        "cid",
        "action",
        "msg",
    ]

    @admin.display(description=_("Laiks"), ordering="timestamp")
    def when(self, obj):
        return self.created(obj)

    @admin.display(description=_("Ieraksts"))
    def resource(self, obj):
        return self.resource_url(obj)

    @admin.display(description=_("Mainītie lauki"))
    def changed_fields(self, obj):
        return ", ".join(obj.changes_dict) if obj.action == LogEntry.Action.UPDATE else ""

    @admin.display(description=_("Kas"))
    def who(self, obj):
        return self.user_url(obj) if obj.actor_id else (obj.actor_email or _("sistēma"))

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
