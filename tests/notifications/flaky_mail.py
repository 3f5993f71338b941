"""An email backend for tests: the mail server is down for the first `FAILURES` attempts, then
delivers into django.core.mail.outbox like the locmem backend."""

from __future__ import annotations

import smtplib

from django.core.mail.backends.locmem import EmailBackend as LocMemBackend


class FlakyBackend(LocMemBackend):
    FAILURES = 2
    attempts = 0

    def send_messages(self, messages):
        FlakyBackend.attempts += 1
        if FlakyBackend.attempts <= FlakyBackend.FAILURES:
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        return super().send_messages(messages)


class DeadBackend(LocMemBackend):
    attempts = 0

    def send_messages(self, messages):
        DeadBackend.attempts += 1
        raise smtplib.SMTPConnectError(421, b"Service not available")
