from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EservicesConfig(AppConfig):
    name = "eservices"
    verbose_name = _("E-pakalpojumi")

    def ready(self) -> None:
        from eservices import signals  # noqa: F401 — connects the sort-key receivers
