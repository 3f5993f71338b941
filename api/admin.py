"""Service accounts of the back-office API in the admin: superusers only. Adding one shows its
client id and secret once (stored as SHA-256); revoking stops it and its access tokens at once."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from api.models import BackOfficeScope, ServiceAccount
from api.service_accounts import create_account, revoke_account
from manskonts.admin_titles import LatvianTitlesMixin


class ServiceAccountForm(forms.ModelForm):
    scopes = forms.MultipleChoiceField(
        label=gettext_lazy("Tiesības"),
        choices=BackOfficeScope.choices,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = ServiceAccount
        fields = ("name", "scopes")


@admin.register(ServiceAccount)
class ServiceAccountAdmin(LatvianTitlesMixin, admin.ModelAdmin):
    accusative = pgettext_lazy("akuzatīvs", "servisa kontu")
    form = ServiceAccountForm
    list_display = ("name", "client_id", "scopes", "created_at", "revoked_at")
    readonly_fields = ("client_id", "created_by", "created_at", "revoked_at")
    actions = ["revoke"]

    def _superuser(self, request) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_module_permission(self, request):
        return self._superuser(request)

    def has_view_permission(self, request, obj=None):
        return self._superuser(request)

    def has_add_permission(self, request):
        return self._superuser(request)

    def has_change_permission(self, request, obj=None):
        return self._superuser(request) and (obj is None or obj.revoked_at is None)

    def has_delete_permission(self, request, obj=None):
        return False  # revoked, never deleted: the audit trail names it as the actor

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        account, secret = create_account(
            name=form.cleaned_data["name"], scopes=form.cleaned_data["scopes"], by=request.user
        )
        obj.pk = account.pk
        obj.refresh_from_db()
        messages.warning(
            request,
            _(
                "Servisa konts izveidots. Klienta ID: %(client_id)s, noslēpums: %(secret)s — "
                "nokopējiet to tagad, tas vairs netiks parādīts."
            )
            % {"client_id": account.client_id, "secret": secret},
        )

    @admin.action(description=gettext_lazy("Atsaukt izvēlētos servisa kontus"))
    def revoke(self, request, queryset):
        count = sum(revoke_account(account) for account in queryset)
        self.message_user(
            request, _("Atsaukti servisa konti: %(count)s.") % {"count": count}, messages.SUCCESS
        )
