from django.apps import AppConfig


class PagesConfig(AppConfig):
    """Pages that compose the records of several apps (the client record, a service with its reasons
    and history, the home dashboard) and the demo county: the layer above every app but the wiring."""

    name = "pages"
    verbose_name = "Pages"
