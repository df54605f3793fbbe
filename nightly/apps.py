from django.apps import AppConfig


class NightlyConfig(AppConfig):
    name = "nightly"
    verbose_name = "Nightly validation"
