from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Users, roles and access log"

    def ready(self) -> None:
        # Connects the receiver that revokes a user's API tokens when they sign out of the pages.
        from accounts import tokens  # noqa: F401
