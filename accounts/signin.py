"""The one code path that signs a person in, whichever identity provider vouched for them."""

from __future__ import annotations

import logging

from django.contrib.auth import login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from accounts.acting_for import SESSION_KEY
from accounts.models import User

log = logging.getLogger("manskonts.signin")


def sign_in_person(
    request: HttpRequest,
    personal_code: str,
    *,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
) -> User:
    """Sign in the person with this personal code, creating them (and their client) at first sign-in.

    django.contrib.auth.login rotates the session id, so a session fixed before sign-in is useless.
    A deactivated person is refused (PermissionDenied).
    """
    user, created = User.objects.get_or_create_person(
        personal_code, first_name=first_name, last_name=last_name, email=email
    )
    if not user.is_active:
        log.warning("sign-in refused for an inactive person user_id=%s", user.pk)
        raise PermissionDenied
    details = {"first_name": first_name, "last_name": last_name, "email": email}
    changed = {k: v for k, v in details.items() if v and getattr(user, k) != v}
    if changed:
        for field, value in changed.items():
            setattr(user, field, value)
        user.save(update_fields=list(changed))
    login(request, user, backend="accounts.backends.SessionUserBackend")
    request.session.pop(SESSION_KEY, None)
    log.info("person signed in user_id=%s created=%s", user.pk, created)
    return user
