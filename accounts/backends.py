"""The backend that signs staff in by password and loads the session's user on every request.

Django's ModelBackend, except that a page's session user is read in the same statement as the
header's clients (accounts.acting_for.user_with_clients): the user, the clients they may act for,
their role and unread counts come in one round trip instead of two. The checks are Django's own:
`django.contrib.auth.get_user` still verifies the session's password hash, and an inactive user is
refused here as ModelBackend.get_user refuses them.
"""

from __future__ import annotations

from django.contrib.auth.backends import ModelBackend

from accounts.acting_for import user_with_clients


class SessionUserBackend(ModelBackend):
    def get_user(self, user_id):
        user = user_with_clients(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None
