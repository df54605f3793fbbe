"""The sign-in page: Django's, answering 400 when the username itself is unusable."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import views as auth_views
from django.http import HttpResponse


class SignInView(auth_views.LoginView):
    """A wrong password shows the form again (200, and django-axes counts it); a username no user can
    have (blank, or longer than 150 characters: `UsernameLengthBackend`) is bad input, a 400."""

    redirect_authenticated_user = True

    def form_invalid(self, form: Any) -> HttpResponse:
        response = super().form_invalid(form)
        if form.has_error("username"):
            response.status_code = 400
        return response
