"""Whom the signed-in person acts for. One place decides it; every client-facing query is scoped by it.

The choice lives in the session as a client id and is checked against the person's memberships on
every request, so a removed membership takes effect at the next request.
"""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest

from accounts.models import Client

SESSION_KEY = "acting_for_client_id"


def resolve_client(request: HttpRequest) -> Client | None:
    user = request.user
    if not user.is_authenticated or not user.personal_code:
        return None
    chosen = request.session.get(SESSION_KEY)
    if chosen is not None:
        client = Client.objects.for_user(user).filter(pk=chosen).first()
        if client is not None:
            return client
        request.session.pop(SESSION_KEY, None)
    return Client.objects.for_person(user)


def switch_client(request: HttpRequest, client_id: int) -> Client:
    """Act for another client of this person's; any other id is a 404."""
    client = Client.objects.for_user(request.user).filter(pk=client_id).first()
    if client is None:
        raise Http404
    request.session[SESSION_KEY] = client.pk
    request.client = client
    return client


def client_required(view):
    """Views of Mans konts: a signed-in person acting for a client; anyone else signs in first."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if request.client is None:
            raise Http404  # a staff account without a personal code has no Mans konts
        return view(request, *args, **kwargs)

    return wrapper
