from django.urls import path

from clients import views

# Ids only in URLs: never a client's name, date of birth or SSN. The client record page itself
# (clients/<pk>/) is pages/urls.py's; the coverage, diagnosis and authorization pages under
# clients/<pk>/ are their apps' (coverage/urls.py, diagnosis/urls.py, services/urls.py).
urlpatterns = [
    path("", views.client_list, name="client-list"),
    path("add/", views.client_add, name="client-add"),
    path("<int:pk>/edit/", views.client_edit, name="client-edit"),
    path("<int:pk>/account/", views.client_account, name="client-account"),
    path("<int:pk>/enrollments/add/", views.enrollment_add, name="client-enrollment-add"),
    path("<int:pk>/enrollments/<int:enrollment_pk>/status/", views.enrollment_status, name="client-enrollment-status"),
]
