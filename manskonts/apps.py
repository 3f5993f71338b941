from django.apps import AppConfig
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from manskonts import replicas


class ManskontsConfig(AppConfig):
    """The core: settings, root URLs, shared helpers; in the admin, the audit trail."""

    name = "manskonts"
    verbose_name = _("Audits")

    def ready(self):
        if settings.DATABASE_REPLICAS:
            replicas.connect_task_signals()
