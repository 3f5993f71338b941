from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts import oidc
from accounts.acting_for import switch_client
from accounts.applications import duplicate_error
from accounts.demo import DEMO_PERSONS
from accounts.forms import (
    ActingForForm,
    AddUserForm,
    DemoSignInForm,
    LegalPersonApplicationForm,
    RoleForm,
)
from accounts.memberships import add_user, change_role, is_client_admin, remove_user
from accounts.models import LegalPersonApplication, Membership
from accounts.signin import sign_in_person
from accounts.tables import APPLICATIONS, USERS, application_status_tag
from manskonts.decorators import client_required
from manskonts.uploads import reports_upload_limits


def _safe_next(request: HttpRequest, fallback: str) -> str:
    """A path on this site to go on to, else the fallback. Only paths: redirect() would take any
    other word ("next=15069010120") for a view name and fail with a 500."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, {request.get_host()}, request.is_secure()
    ):
        return target
    return fallback


@require_safe
def login_page(request: HttpRequest) -> HttpResponse:
    next_page = _safe_next(request, "")
    return render(
        request,
        "accounts/login.html",
        {
            "oidc_enabled": oidc.enabled(),
            "demo_enabled": settings.DEMO_IDP_ENABLED,
            "demo_persons": [
                (
                    person,
                    DemoSignInForm(
                        index=index, initial={"person": person.personal_code, "next": next_page}
                    ),
                )
                for index, person in enumerate(DEMO_PERSONS if settings.DEMO_IDP_ENABLED else ())
            ],
            "next": next_page,
        },
    )


@require_POST
def demo_login(request: HttpRequest) -> HttpResponse:
    """The demo identity provider: vouches for one of the invented persons. Off in production."""
    if not settings.DEMO_IDP_ENABLED:
        raise Http404
    form = DemoSignInForm(request.POST)
    if not form.is_valid():
        raise Http404
    person = form.person_object
    sign_in_person(
        request,
        person.personal_code,
        first_name=person.first_name,
        last_name=person.last_name,
        email=person.email,
    )
    return redirect(_safe_next(request, settings.LOGIN_REDIRECT_URL))


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    """Ends the session server-side (flush deletes it from the session store), and at the identity
    provider too when the person signed in there."""
    id_token = request.session.get("oidc_id_token")
    logout(request)
    provider_logout = oidc.end_session_url(id_token)
    if provider_logout:
        return HttpResponseRedirect(provider_logout)
    return redirect(settings.LOGOUT_REDIRECT_URL)


@require_POST
@client_required
def switch(request: HttpRequest) -> HttpResponse:
    form = ActingForForm(request.POST, user=request.user, choices=request.client_choices)
    if not form.is_valid():
        raise Http404
    switch_client(request, form.cleaned_data["client"])
    return redirect(_safe_next(request, "overview"))


# --- Legal-person account applications ------------------------------------------------------------


@require_safe
@client_required
def application_list(request: HttpRequest) -> HttpResponse:
    applications = LegalPersonApplication.objects.for_applicant(request.user).order_by(
        "-created_at", "-id"
    )[:100]
    return render(
        request,
        "accounts/application_list.html",
        {"applications": applications, "table": APPLICATIONS.layout()},
    )


@reports_upload_limits
@require_http_methods(["GET", "HEAD", "POST"])
@client_required
def application_create(request: HttpRequest) -> HttpResponse:
    posted = request.method == "POST"
    form = LegalPersonApplicationForm(
        # An empty submit is still a submit: `request.POST or None` left it unbound, without errors.
        request.POST if posted else None,
        request.FILES if posted else None,
        applicant=request.user,
        upload_overflow=getattr(request, "upload_overflow", None),
    )
    if request.method == "POST":
        if form.is_valid():
            application = submit_application(request.user, form)
            if application is not None:
                messages.success(
                    request,
                    _("Pieteikums iesniegts. VZD to izskatīs, un Jūs saņemsiet paziņojumu."),
                )
                return redirect("accounts:application_detail", pk=application.pk)
        status = 400
    else:
        status = 200
    return render(request, "accounts/application_form.html", {"form": form}, status=status)


def submit_application(
    applicant, form: LegalPersonApplicationForm
) -> LegalPersonApplication | None:
    """Store the application and its document together; a lost race leaves no file behind."""
    data = form.cleaned_data
    checked = form.checked_document
    application = LegalPersonApplication(
        applicant=applicant,
        registration_number=data["registration_number"],
        name=data["name"],
        legal_address=data["legal_address"],
        email=data["email"],
        phone=data["phone"],
        authority=data["authority"],
        authority_document_name=checked.display_name,
        authority_document_type=checked.content_type,
        user_codes=data["user_codes"],
    )
    application.authority_document.save("", checked.upload, save=False)
    try:
        with transaction.atomic():
            application.save()
    except IntegrityError:
        application.authority_document.delete(save=False)
        form.add_error("registration_number", duplicate_error(data["registration_number"]))
        return None
    return application


@require_safe
@client_required
def application_detail(request: HttpRequest, pk: int) -> HttpResponse:
    application = get_object_or_404(
        LegalPersonApplication.objects.for_applicant(request.user).select_related("client"), pk=pk
    )
    return render(
        request,
        "accounts/application_detail.html",
        {"application": application, "status_tag": application_status_tag(application)},
    )


# --- The legal person's users, managed by its administrator ---------------------------------------


def _require_client_admin(request: HttpRequest) -> None:
    """Only a legal person's administrator manages its users: 404 when acting for oneself (no such
    page), 403 for a user of the legal person who may see it exists but not change it."""
    if not request.client.is_legal:
        raise Http404
    if not is_client_admin(request.user, request.client):
        raise PermissionDenied


def _users_page(request: HttpRequest, add_form: AddUserForm | None = None, status: int = 200):
    memberships = list(
        Membership.objects.filter(client=request.client)
        .select_related("user")
        .order_by("user__last_name", "user__first_name", "user__personal_code", "id")
    )
    return render(
        request,
        "accounts/users.html",
        {
            "memberships": memberships,
            # Each row's role select, through the form renderer.
            "rows": [(m, RoleForm(membership=m)) for m in memberships],
            "table": USERS.layout(),
            "add_form": add_form or AddUserForm(),
        },
        status=status,
    )


@require_safe
@client_required
def users(request: HttpRequest) -> HttpResponse:
    _require_client_admin(request)
    return _users_page(request)


@require_POST
@client_required
def user_add(request: HttpRequest) -> HttpResponse:
    _require_client_admin(request)
    form = AddUserForm(request.POST)
    if form.is_valid():
        try:
            membership = add_user(
                request.client,
                form.cleaned_data["personal_code"],
                form.cleaned_data["role"],
                by=request.user,
            )
        except ValidationError as error:
            form.add_error("personal_code", error)
        else:
            messages.success(
                request,
                _("Persona %(code)s pievienota kā „%(role)s”.")
                % {
                    "code": membership.user.personal_code_display,
                    "role": membership.get_role_display(),
                },
            )
            return redirect("accounts:users")
    return _users_page(request, form, status=400)


def _scoped_membership(request: HttpRequest, pk: int) -> Membership:
    return get_object_or_404(
        Membership.objects.filter(client=request.client).select_related("user"), pk=pk
    )


@require_POST
@client_required
def user_role(request: HttpRequest, pk: int) -> HttpResponse:
    _require_client_admin(request)
    membership = _scoped_membership(request, pk)
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Izvēlieties lomu."))
        return redirect("accounts:users")
    try:
        change_role(membership, form.cleaned_data["role"], by=request.user)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, _("Loma mainīta: %(name)s.") % {"name": _person(membership)})
    return redirect("accounts:users")


@require_POST
@client_required
def user_remove(request: HttpRequest, pk: int) -> HttpResponse:
    _require_client_admin(request)
    membership = _scoped_membership(request, pk)
    try:
        remove_user(membership, by=request.user)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, _("Lietotājs noņemts: %(name)s.") % {"name": _person(membership)})
    if membership.user_id == request.user.pk and not Membership.objects.filter(pk=pk).exists():
        return redirect("overview")
    return redirect("accounts:users")


def _person(membership: Membership) -> str:
    user = membership.user
    return user.get_full_name() or user.personal_code_display
