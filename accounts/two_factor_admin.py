"""Second-factor devices and sign-in lockouts in the admin: superusers only, read-only.

Devices are set up by their owner on the enrolment page and removed by a superuser on the reset page
(accounts/two_factor_views.py), so the lists here only show what exists; they never show a TOTP key
or a recovery code. Lockouts may be deleted by a superuser, which unlocks that username and address.
"""

from __future__ import annotations

from axes.admin import AccessAttemptAdmin, AccessFailureLogAdmin, AccessLogAdmin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential


class SuperuserOnly:
    """Open to superusers only, whatever permissions a role holds."""

    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class DeviceAdmin(SuperuserOnly, admin.ModelAdmin):
    list_display = ("user", "name", "created_at", "last_used_at", "confirmed")
    list_filter = ("confirmed",)
    search_fields = ("user__username", "user__last_name")
    fields = ("user", "name", "created_at", "last_used_at", "confirmed")
    readonly_fields = fields
    list_select_related = ("user",)
    actions = None


class LockoutAdmin(SuperuserOnly):
    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


class SuperuserAccessAttemptAdmin(LockoutAdmin, AccessAttemptAdmin):
    pass


class SuperuserAccessLogAdmin(SuperuserOnly, AccessLogAdmin):
    pass


class SuperuserAccessFailureLogAdmin(SuperuserOnly, AccessFailureLogAdmin):
    pass


for model, model_admin in (
    (TOTPDevice, DeviceAdmin),
    (StaticDevice, DeviceAdmin),
    (WebAuthnCredential, DeviceAdmin),
    (AccessAttempt, SuperuserAccessAttemptAdmin),
    (AccessLog, SuperuserAccessLogAdmin),
    (AccessFailureLog, SuperuserAccessFailureLogAdmin),
):
    if admin.site.is_registered(model):
        admin.site.unregister(model)
    admin.site.register(model, model_admin)
