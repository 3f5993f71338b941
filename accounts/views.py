from __future__ import annotations

from django.conf import settings
from django.contrib.auth import logout
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from accounts.acting_for import client_required, switch_client
from accounts.demo import DEMO_PERSONS
from accounts.signin import sign_in_person


def _safe_next(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return fallback


@require_GET
def login_page(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "accounts/login.html",
        {
            "demo_enabled": settings.DEMO_IDP_ENABLED,
            "demo_persons": DEMO_PERSONS if settings.DEMO_IDP_ENABLED else (),
            "next": _safe_next(request, ""),
        },
    )


@require_POST
def demo_login(request: HttpRequest) -> HttpResponse:
    """The demo identity provider: vouches for one of the invented persons. Off in production."""
    if not settings.DEMO_IDP_ENABLED:
        raise Http404
    person = next((p for p in DEMO_PERSONS if p.personal_code == request.POST.get("person")), None)
    if person is None:
        raise Http404
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
    """Ends the session server-side (flush deletes it from the session store)."""
    logout(request)
    return redirect(settings.LOGOUT_REDIRECT_URL)


@require_POST
@client_required
def switch(request: HttpRequest) -> HttpResponse:
    try:
        client_id = int(request.POST.get("client", ""))
    except ValueError:
        raise Http404 from None
    switch_client(request, client_id)
    return redirect(_safe_next(request, "overview"))
