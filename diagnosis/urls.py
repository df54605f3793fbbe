from django.urls import path

from diagnosis import views

# Mounted at /clients/ (a client's diagnoses are a section of the client record).
urlpatterns = [
    # The code set only (no client data): the diagnosis forms' search by description.
    path("icd10/", views.icd10_search, name="icd10-search"),
    path("<int:pk>/diagnoses/add/", views.diagnosis_add, name="client-diagnosis-add"),
    path("<int:pk>/diagnoses/<int:diagnosis_pk>/edit/", views.diagnosis_edit, name="client-diagnosis-edit"),
    path("<int:pk>/diagnoses/<int:diagnosis_pk>/sign/", views.diagnosis_sign, name="client-diagnosis-sign"),
]
