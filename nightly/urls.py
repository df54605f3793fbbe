from django.urls import path

from nightly import views

urlpatterns = [
    path("", views.nightly_runs, name="nightly-runs"),
    path("start/", views.start_run, name="nightly-run-start"),
    path("<int:pk>/progress/", views.run_progress, name="nightly-run-progress"),
    path("overrides/add/", views.override_add, name="nightly-override-add"),
    path("check-now/", views.check_now, name="nightly-check-now"),
]
