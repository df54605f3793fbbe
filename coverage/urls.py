from django.urls import path

from coverage import views

# Mounted at /clients/ (a client's coverage is a section of the client record).
urlpatterns = [
    path("<int:pk>/coverage/add/", views.coverage_add, name="client-coverage-add"),
    path("<int:pk>/coverage/<int:coverage_pk>/edit/", views.coverage_edit, name="client-coverage-edit"),
]
