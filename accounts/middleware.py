"""Response headers every page, export and API answer carries."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponseBase
from django.utils.cache import patch_cache_control


class NoStoreMiddleware:
    """`Cache-Control: no-store` on every response Django makes: pages, exports and API answers hold
    client data (names, dates of birth, failure lists), which must not stay in a browser's or a
    proxy's cache on a shared county workstation. Placed after WhiteNoise, so the static files it
    serves (CSS, JavaScript: no client data) keep their caching."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        patch_cache_control(response, no_store=True)
        return response
