"""REST API of the diagnosis app (shared/API.md)."""

from rest_framework.routers import BaseRouter


def register(router: BaseRouter) -> None:
    """Add this app's viewsets to the project router."""
