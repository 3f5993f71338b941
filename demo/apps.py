from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Demo data (`manage.py seed_demo`): the top layer, which nothing imports."""

    name = "demo"
    verbose_name = "Demo"
