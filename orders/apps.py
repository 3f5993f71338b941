from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrdersConfig(AppConfig):
    name = "orders"
    verbose_name = _("Pasūtījumi un pakalpojumi")

    def ready(self) -> None:
        # Connecting receivers needs the models loaded: the app-registry moment.
        from orders import receivers  # noqa: F401 — plans parts when billing says an order is paid
