"""The audit trail as the admin shows it (the entries themselves are django-auditlog's)."""

from __future__ import annotations

from auditlog.models import LogEntry
from django.utils.translation import gettext_lazy as _


class AuditEntry(LogEntry):
    """A proxy of auditlog's LogEntry with Latvian names; the rows are the same."""

    class Meta:
        proxy = True
        verbose_name = _("audita ieraksts")
        verbose_name_plural = _("audita žurnāls")
        # Entries are never added, changed or deleted by hand: only "view" exists (superusers).
        default_permissions = ("view",)
