"""Decorators of the client-facing pages. `request.client` (whom the person acts for, or None) is
set for every request by accounts' middleware (accounts.acting_for.resolve_client); this only reads
it, so apps below accounts (notifications' inbox) use it too."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest


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
