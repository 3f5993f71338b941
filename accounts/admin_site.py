"""The admin site: staff need their password and a second factor (accounts/two_factor.py).

Django's admin refuses staff without a verified second factor like anyone without staff rights;
a signed-in staff member who still owes it is sent to verify it, or to enrol a device if they have
none. The second-factor pages themselves need only the password step.
"""

from __future__ import annotations

from functools import update_wrapper
from urllib.parse import urlencode

from django.contrib import admin
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponseRedirect
from django.urls import include, path, reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect

from accounts import passkeys, two_factor
from accounts import two_factor_views as views
from accounts.staff_signin import StaffAuthenticationForm
from manskonts import desk


class StaffAdminSite(admin.AdminSite):
    def __init__(self, name="admin"):
        super().__init__(name)
        self.login_form = StaffAuthenticationForm

    def index(self, request, extra_context=None):
        """The start page: the clerk's desk (manskonts/desk.py) above the list of models."""
        return super().index(
            request, {"desk": desk.lines_for(request, self), **(extra_context or {})}
        )

    def has_permission(self, request):
        return super().has_permission(request) and two_factor.second_factor_done(request)

    def _to_pending_step(self, request, step: str):
        target = reverse(f"{self.name}:otp_{step}", current_app=self.name)
        next_path = request.GET.get(REDIRECT_FIELD_NAME) or request.get_full_path()
        if next_path.startswith(reverse(f"{self.name}:login", current_app=self.name)):
            next_path = reverse(f"{self.name}:index", current_app=self.name)
        return HttpResponseRedirect(f"{target}?{urlencode({REDIRECT_FIELD_NAME: next_path})}")

    def admin_view(self, view, cacheable=False):
        inner = super().admin_view(view, cacheable)

        def guarded(request, *args, **kwargs):
            step = two_factor.pending_step(request)
            if step is not None:
                return self._to_pending_step(request, step)
            return inner(request, *args, **kwargs)

        return update_wrapper(guarded, inner)

    def login(self, request, extra_context=None):
        step = two_factor.pending_step(request) if request.method == "GET" else None
        if step is not None:
            return self._to_pending_step(request, step)
        return super().login(request, extra_context)

    def password_step_view(self, view):
        """A page for a staff member who has given the password but maybe not the second factor."""

        def inner(request, *args, **kwargs):
            user = request.user
            if not (user.is_authenticated and user.is_active and user.is_staff):
                return redirect_to_login(
                    request.get_full_path(), reverse(f"{self.name}:login", current_app=self.name)
                )
            return view(self, request, *args, **kwargs)

        return update_wrapper(csrf_protect(never_cache(inner)), view)

    def get_urls(self):
        def full_admin(view):
            return self.admin_view(lambda request, *a, **kw: view(self, request, *a, **kw))

        return [
            path("divfaktoru/", self.password_step_view(views.verify), name="otp_verify"),
            path("divfaktoru/iestatit/", self.password_step_view(views.enrol), name="otp_enrol"),
            path(
                "divfaktoru/rezerves-kodi/",
                self.password_step_view(views.recovery_codes),
                name="otp_recovery_codes",
            ),
            path("divfaktoru/atiestatit/", full_admin(views.reset), name="otp_reset"),
            path("divfaktoru/passkey/", include(passkeys.urls())),
            *super().get_urls(),
        ]
