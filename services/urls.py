from django.urls import path

from services import views

# Mounted at /services/ before the reports include: the Services list itself is `services/`
# exactly (reports/urls.py); the pages of one service live under `services/<pk>/` (its detail page
# composes several apps: pages/urls.py).
urlpatterns = [
    path("<int:pk>/correct/", views.service_correct, name="service-correct"),
    path("<int:pk>/mark-error/", views.service_mark_error, name="service-mark-error"),
    path("add/", views.service_add, name="service-add"),
]

# Mounted at /clients/ (a client's authorizations are a section of the client record).
client_urlpatterns = [
    path("<int:pk>/authorizations/add/", views.authorization_add, name="client-authorization-add"),
    path(
        "<int:pk>/authorizations/<int:authorization_pk>/edit/",
        views.authorization_edit,
        name="client-authorization-edit",
    ),
]
