from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from accounts.models import Client, Membership, User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = (
        "username",
        "personal_code",
        "first_name",
        "last_name",
        "email",
        "is_staff",
        "is_active",
    )
    list_filter = ("is_staff", "is_active", "groups")
    search_fields = ("username", "personal_code", "first_name", "last_name", "email")
    ordering = ("last_name", "first_name", "username")
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Persona"), {"fields": ("personal_code", "first_name", "last_name", "email")}),
        (_("Tiesības"), {"fields": ("is_active", "is_staff", "is_superuser", "groups")}),
        (_("Datumi"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("username", "email", "password1", "password2", "is_staff"),
            },
        ),
    )
    readonly_fields = ("last_login", "date_joined")


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ("user",)
    fields = ("user", "role", "created_at")
    readonly_fields = ("created_at",)


@admin.register(Client)
class ClientAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "registration_number", "person", "created_at")
    list_filter = ("kind",)
    search_fields = ("name", "registration_number", "person__personal_code", "person__last_name")
    autocomplete_fields = ("person",)
    inlines = [MembershipInline]
    readonly_fields = ("created_at",)


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "client", "role", "created_at")
    list_filter = ("role",)
    search_fields = (
        "user__personal_code",
        "user__last_name",
        "client__name",
        "client__registration_number",
    )
    autocomplete_fields = ("user", "client")
