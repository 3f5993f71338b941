from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ManskontsConfig(AppConfig):
    """The core: settings, root URLs, shared helpers; in the admin, the audit trail."""

    name = "manskonts"
    verbose_name = _("Audits")
