from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    """The top floor: pages that compose several apps (the overview, the order page)."""

    name = "portal"
    verbose_name = _("Mans konts")
