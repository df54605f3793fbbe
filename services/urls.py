from django.urls import path

from services import views

# Mounted at /services/ before the reports include: the Services list itself is `services/`
# exactly (reports/urls.py); the pages of one service live under `services/<pk>/`.
urlpatterns = [
    path("<int:pk>/", views.service_detail, name="service-detail"),
    path("<int:pk>/correct/", views.service_correct, name="service-correct"),
    path("<int:pk>/mark-error/", views.service_mark_error, name="service-mark-error"),
    path("add/", views.service_add, name="service-add"),
]
