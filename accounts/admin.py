from django.contrib import admin, messages
from django.contrib.auth.admin import GroupAdmin as DjangoGroupAdmin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import (
    FileResponse,
    Http404,
    HttpResponseBadRequest,
    HttpResponseNotAllowed,
    HttpResponseRedirect,
)
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.applications import approve_application, create_legal_person, reject_application
from accounts.forms import LegalClientCreationForm, RejectApplicationForm
from accounts.models import Client, LegalPersonApplication, Membership, User
from manskonts import desk
from manskonts.admin_titles import LatvianTitlesMixin
from manskonts.identifiers import format_personal_code

# The fields that grant rights. Only a superuser changes them, and never on her own user: for
# anyone else they are read-only, so Django leaves them out of the form and a POST of them is
# ignored (and save_model refuses outright should they change anyway).
RIGHTS_FIELDS = ("is_staff", "is_superuser", "groups", "user_permissions")


def may_grant_rights(request, user: User | None) -> bool:
    """A superuser, on someone else's user (or a new one)."""
    return request.user.is_superuser and (user is None or user.pk != request.user.pk)


@admin.register(User)
class UserAdmin(LatvianTitlesMixin, DjangoUserAdmin):
    accusative = pgettext_lazy("akuzatīvs", "lietotāju")
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
        (
            _("Tiesības"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
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

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None and not may_grant_rights(request, obj):
            fieldsets = [
                (name, {**options, "fields": [f for f in options["fields"] if f != "is_staff"]})
                for name, options in fieldsets
            ]
        return fieldsets

    def get_readonly_fields(self, request, obj=None):
        fields = tuple(super().get_readonly_fields(request, obj))
        if obj is not None and not may_grant_rights(request, obj):
            fields += RIGHTS_FIELDS
        return fields

    def _is_staff_member(self, obj) -> bool:
        return obj is not None and (obj.is_staff or obj.is_superuser)

    def has_change_permission(self, request, obj=None):
        # A staff member's user (one's own too) is changed only by a superuser: its password or
        # e-mail would be a way into her account and her rights.
        if self._is_staff_member(obj) and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if self._is_staff_member(obj) and not request.user.is_superuser:
            return False
        if obj is not None and obj.pk == request.user.pk:
            return False
        return super().has_delete_permission(request, obj)

    def save_model(self, request, obj, form, change):
        if not may_grant_rights(request, obj if change else None):
            stored = (
                User.objects.filter(pk=obj.pk).values("is_staff", "is_superuser").first()
                if change
                else {"is_staff": False, "is_superuser": False}
            )
            if stored != {"is_staff": obj.is_staff, "is_superuser": obj.is_superuser}:
                raise PermissionDenied
        super().save_model(request, obj, form, change)


admin.site.unregister(Group)


@admin.register(Group)
class GroupAdmin(LatvianTitlesMixin, DjangoGroupAdmin):
    """Roles and their permissions are changed by superusers only, whatever permissions say."""

    accusative = pgettext_lazy("akuzatīvs", "kopu")

    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


class MembershipInline(admin.TabularInline):
    accusative = pgettext_lazy("akuzatīvs", "pārstāvības tiesības")
    model = Membership
    extra = 0
    autocomplete_fields = ("user",)
    fields = ("user", "role", "created_at")
    readonly_fields = ("created_at",)


@admin.register(Client)
class ClientAdmin(LatvianTitlesMixin, admin.ModelAdmin):
    accusative = pgettext_lazy("akuzatīvs", "klientu")
    list_display = ("name", "kind", "registration_number", "person", "created_at")
    list_filter = ("kind",)
    search_fields = ("name", "registration_number", "person__personal_code", "person__last_name")
    autocomplete_fields = ("person",)
    inlines = [MembershipInline]
    readonly_fields = ("created_at",)

    # Adding a client here opens a legal person's account (an application received in person);
    # natural persons' clients are created at their first sign-in.
    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = LegalClientCreationForm
            kwargs["fields"] = None
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return [
                (
                    _("Juridiskā persona"),
                    {"fields": ("name", "registration_number", "legal_address", "email", "phone")},
                ),
                (_("Lietotāji"), {"fields": ("administrator_code", "user_codes")}),
            ]
        return super().get_fieldsets(request, obj)

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else self.readonly_fields

    def get_inlines(self, request, obj):
        return [] if obj is None else self.inlines

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        data = form.cleaned_data
        administrator, _created = User.objects.get_or_create_person(data["administrator_code"])
        client = create_legal_person(
            registration_number=data["registration_number"],
            name=data["name"],
            legal_address=data["legal_address"],
            email=data.get("email", ""),
            phone=data.get("phone", ""),
            administrator=administrator,
            user_codes=data["user_codes"],
        )
        obj.pk = client.pk
        obj.created_at = client.created_at
        obj._state.adding = False
        return None


@admin.register(Membership)
class MembershipAdmin(LatvianTitlesMixin, admin.ModelAdmin):
    accusative = pgettext_lazy("akuzatīvs", "pārstāvības tiesības")
    list_display = ("user", "client", "role", "created_at")
    list_filter = ("role",)
    search_fields = (
        "user__personal_code",
        "user__last_name",
        "client__name",
        "client__registration_number",
    )
    autocomplete_fields = ("user", "client")
    readonly_fields = ("created_at",)


@admin.register(LegalPersonApplication)
class LegalPersonApplicationAdmin(LatvianTitlesMixin, admin.ModelAdmin):
    """Review of legal-person account applications: read the application, approve or reject."""

    accusative = pgettext_lazy("akuzatīvs", "juridiskās personas konta pieteikumu")

    list_display = ("name", "registration_number", "applicant", "status", "created_at")
    list_filter = ("status", "authority")
    search_fields = (
        "name",
        "registration_number",
        "applicant__personal_code",
        "applicant__last_name",
    )
    list_select_related = ("applicant",)
    date_hierarchy = "created_at"
    fields = (
        "status",
        "applicant",
        "registration_number",
        "name",
        "legal_address",
        "email",
        "phone",
        "authority",
        "document_link",
        "listed_users",
        "created_at",
        "decided_at",
        "decided_by",
        "rejection_reason",
        "client",
    )
    readonly_fields = fields

    def has_add_permission(self, request):
        return False  # applications come from the portal; in-person ones: add a client instead

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("Pārstāvību apliecinošs dokuments"))
    def document_link(self, obj):
        if not obj or not obj.authority_document:
            return "—"
        url = reverse("admin:accounts_legalpersonapplication_document", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, obj.authority_document_name)

    @admin.display(description=_("Lietotāji"))
    def listed_users(self, obj):
        codes = [format_personal_code(code) for code in (obj.user_codes or [])]
        return ", ".join(codes) or "—"

    def get_urls(self):
        return [
            path(
                "<path:object_id>/decide/",
                self.admin_site.admin_view(self.decide_view),
                name="accounts_legalpersonapplication_decide",
            ),
            path(
                "<path:object_id>/document/",
                self.admin_site.admin_view(self.document_view),
                name="accounts_legalpersonapplication_document",
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        application = self.get_object(request, object_id)
        can_decide = (
            application is not None
            and application.is_pending
            and self.has_change_permission(request, application)
        )
        extra_context = {
            **(extra_context or {}),
            "show_save": False,
            "show_save_and_continue": False,
            "show_save_and_add_another": False,
            "show_delete": False,
            "can_decide": can_decide,
            "reject_form": RejectApplicationForm(),
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def _get_or_404(self, request, object_id) -> LegalPersonApplication:
        application = self.get_object(request, object_id)
        if application is None:
            raise Http404
        return application

    def decide_view(self, request, object_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        application = self._get_or_404(request, object_id)
        if not self.has_change_permission(request, application):
            raise PermissionDenied
        change_url = reverse("admin:accounts_legalpersonapplication_change", args=[application.pk])
        decision = request.POST.get("decision")
        try:
            if decision == "approve":
                client = approve_application(application, by=request.user)
                self.log_change(request, application, _("Apstiprināts"))
                self.message_user(
                    request,
                    _("Pieteikums apstiprināts: izveidots klients %(name)s.") % {"name": client},
                    messages.SUCCESS,
                )
            elif decision == "reject":
                form = RejectApplicationForm(request.POST)
                if not form.is_valid():
                    self.message_user(request, _("Norādiet noraidīšanas iemeslu."), messages.ERROR)
                    return HttpResponseRedirect(change_url)
                reject_application(application, by=request.user, reason=form.cleaned_data["reason"])
                self.log_change(request, application, _("Noraidīts"))
                self.message_user(request, _("Pieteikums noraidīts."), messages.SUCCESS)
            else:
                return HttpResponseBadRequest()
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)
        return HttpResponseRedirect(change_url)

    def document_view(self, request, object_id):
        application = self._get_or_404(request, object_id)
        if not self.has_view_permission(request, application) or not application.authority_document:
            raise Http404
        response = FileResponse(
            application.authority_document.open("rb"),
            as_attachment=True,
            filename=application.authority_document_name,
            content_type=application.authority_document_type or "application/octet-stream",
        )
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, no-store"
        return response


desk.register(
    desk.DeskItem(
        key="legal_person_applications",
        label=_("Juridisko personu kontu pieteikumi izskatīšanā"),
        model="accounts.LegalPersonApplication",
        rows=lambda rows: rows.filter(status=LegalPersonApplication.Status.PENDING),
        query={"status__exact": LegalPersonApplication.Status.PENDING},
        order=20,
    )
)

from accounts import two_factor_admin  # noqa: E402, F401 — devices and lockouts: superusers only
