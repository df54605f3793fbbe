from django.urls import path

from nightly import views

urlpatterns = [
    path("", views.nightly_runs, name="nightly-runs"),
]
