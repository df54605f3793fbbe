"""Links from report rows to pages other engineers own, resolved once here."""

from __future__ import annotations

from django.urls import NoReverseMatch, reverse


def service_url(pk: int) -> str:
    """The service page (`service-detail`, client pages), even before its route is mounted."""
    try:
        return reverse("service-detail", kwargs={"pk": pk})
    except NoReverseMatch:
        return f"/services/{pk}/"
