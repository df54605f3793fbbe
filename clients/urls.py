from django.urls import path

from clients import views

# Ids only in URLs: never a client's name, date of birth or SSN.
urlpatterns = [
    path("", views.client_list, name="client-list"),
    path("add/", views.client_add, name="client-add"),
    # The code set only (no client data): the diagnosis forms' search by description.
    path("icd10/", views.icd10_search, name="icd10-search"),
    path("<int:pk>/", views.client_detail, name="client-detail"),
    path("<int:pk>/edit/", views.client_edit, name="client-edit"),
    path("<int:pk>/account/", views.client_account, name="client-account"),
    path("<int:pk>/enrollments/add/", views.enrollment_add, name="client-enrollment-add"),
    path("<int:pk>/enrollments/<int:enrollment_pk>/status/", views.enrollment_status, name="client-enrollment-status"),
    path("<int:pk>/coverage/add/", views.coverage_add, name="client-coverage-add"),
    path("<int:pk>/coverage/<int:coverage_pk>/edit/", views.coverage_edit, name="client-coverage-edit"),
    path("<int:pk>/diagnoses/add/", views.diagnosis_add, name="client-diagnosis-add"),
    path("<int:pk>/diagnoses/<int:diagnosis_pk>/edit/", views.diagnosis_edit, name="client-diagnosis-edit"),
    path("<int:pk>/diagnoses/<int:diagnosis_pk>/sign/", views.diagnosis_sign, name="client-diagnosis-sign"),
    path("<int:pk>/authorizations/add/", views.authorization_add, name="client-authorization-add"),
    path(
        "<int:pk>/authorizations/<int:authorization_pk>/edit/",
        views.authorization_edit,
        name="client-authorization-edit",
    ),
]
