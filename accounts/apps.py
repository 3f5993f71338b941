from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Personas un klienti")

    def ready(self):
        from accounts import staff_signin  # noqa: F401 — connects the axes lockout receiver
