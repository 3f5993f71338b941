from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = _("API piekļuve")

    def ready(self) -> None:
        # Connecting receivers needs the models loaded: the app-registry moment.
        from api import receivers  # noqa: F401 — a removed or demoted user's tokens are revoked
        from api.auth import may_upload  # the app-registry moment: it reads the token models
        from manskonts.uploads import register_uploader

        # POST …/documents takes files from a token with documents:write (manskonts/uploads.py).
        register_uploader("api-v1", may_upload)
