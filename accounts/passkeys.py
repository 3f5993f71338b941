"""Passkeys (django-otp-webauthn) as a staff second factor: its JSON endpoints, for staff only.

Mounted inside the admin site (admin:passkey_*). The package's views let anyone signed in register a passkey and, with passwordless sign-in on, let
a passkey alone sign in. Here both need the password step of a staff account first (passwordless
sign-in is off in settings); registering more needs a verified session, as the package checks.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.middleware.csrf import get_token
from django.urls import path, reverse
from django.views.i18n import JavaScriptCatalog
from django_otp_webauthn import exceptions
from django_otp_webauthn import views as webauthn

from accounts.two_factor import next_url


class StaffPasswordStepRequired:
    def initial(self, request, *args, **kwargs):
        user = request.user
        if not (user.is_authenticated and user.is_active and user.is_staff):
            raise exceptions.NotAuthenticated()
        super().initial(request, *args, **kwargs)


class BeginRegistration(StaffPasswordStepRequired, webauthn.BeginCredentialRegistrationView):
    pass


class CompleteRegistration(StaffPasswordStepRequired, webauthn.CompleteCredentialRegistrationView):
    pass


class BeginAuthentication(StaffPasswordStepRequired, webauthn.BeginCredentialAuthenticationView):
    pass


class CompleteAuthentication(
    StaffPasswordStepRequired, webauthn.CompleteCredentialAuthenticationView
):
    def complete_auth(self, device):
        super().complete_auth(device)
        self.request.session.cycle_key()

    def get_success_url(self):
        # Back to the admin page that asked for the second factor, never the client portal.
        return next_url(self.request)


def urls() -> list:
    """Mounted by the admin site under divfaktoru/passkey/ (names admin:passkey_*)."""
    return [
        path("registration/begin/", BeginRegistration.as_view(), name="passkey_register_begin"),
        path(
            "registration/complete/",
            CompleteRegistration.as_view(),
            name="passkey_register_complete",
        ),
        path("authentication/begin/", BeginAuthentication.as_view(), name="passkey_auth_begin"),
        path(
            "authentication/complete/",
            CompleteAuthentication.as_view(),
            name="passkey_auth_complete",
        ),
        path(
            "jsi18n/",
            JavaScriptCatalog.as_view(packages=["django_otp_webauthn"]),
            name="passkey_jsi18n",
        ),
    ]


def script_config(request: HttpRequest) -> dict:
    """What the package's scripts read from the page (its template tags name its own URLs)."""
    return {
        "autocompleteLoginFieldSelector": None,
        "nextFieldSelector": "input[name='next']",
        "csrfToken": get_token(request),
        "beginAuthenticationUrl": reverse("admin:passkey_auth_begin"),
        "completeAuthenticationUrl": reverse("admin:passkey_auth_complete"),
        "beginRegistrationUrl": reverse("admin:passkey_register_begin"),
        "completeRegistrationUrl": reverse("admin:passkey_register_complete"),
    }
