from django.urls import path

from pages import views

# Mounted at the root: the paths are those the pages had in their first apps (names unchanged).
urlpatterns = [
    path("", views.home, name="home"),
    path("clients/<int:pk>/", views.client_detail, name="client-detail"),
    path("services/<int:pk>/", views.service_detail, name="service-detail"),
]
