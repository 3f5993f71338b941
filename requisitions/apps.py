from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RequisitionsConfig(AppConfig):
    name = "requisitions"
    verbose_name = _("VZD pieprasījumi")

    def ready(self) -> None:
        # The blocks read the models and the receivers connect to orders' signals: both at the
        # app-registry moment.
        from requisitions import (
            blocks,  # noqa: F401 — requests on the order, e-service, overview
            receivers,  # noqa: F401 — an order's requests follow its client
        )
