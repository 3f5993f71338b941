from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConversationsConfig(AppConfig):
    name = "conversations"
    verbose_name = _("Sarunas ar klientiem")

    def ready(self):
        # The app-registry moment: the hooks of the apps below (the header's unread count, the
        # daily purge, an order moved to another client) are registered once the models exist.
        from conversations import receivers  # noqa: F401 — connects and registers on import
