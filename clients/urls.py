from django.urls import path

from clients import views

urlpatterns = [
    path("", views.client_list, name="client-list"),
    path("add/", views.client_add, name="client-add"),
]
