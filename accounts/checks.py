"""System checks: production settings never let staff into the admin with a password alone."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Error, Tags, register


@register(Tags.security)
def staff_two_factor_required(app_configs, **kwargs):
    if settings.DEBUG:
        return []
    errors = []
    if not settings.STAFF_OTP_REQUIRED:
        errors.append(
            Error(
                "STAFF_OTP_REQUIRED is off with DEBUG=0: staff would reach the admin with a "
                "password alone.",
                hint="Unset STAFF_OTP_REQUIRED (it defaults to on) or set it to 1.",
                id="accounts.E001",
            )
        )
    if settings.STAFF_OTP_EXEMPT_USERNAMES:
        errors.append(
            Error(
                "STAFF_OTP_EXEMPT_USERNAMES is set with DEBUG=0: the demo staff accounts may skip "
                "the second factor only locally.",
                hint="Unset STAFF_OTP_EXEMPT_USERNAMES.",
                id="accounts.E002",
            )
        )
    return errors
