from django.urls import path

from reports import deadline_views, views

urlpatterns = [
    path("reports/service-errors/", views.report_service_errors, name="report-service-errors"),
    path("reports/diagnosis-errors/", views.report_diagnosis_errors, name="report-diagnosis-errors"),
    path("reports/program-coverage/", views.report_program_coverage, name="report-program-coverage"),
    path("services/", views.service_list, name="service-list"),
    path("reports/deadlines/", deadline_views.deadline_list, name="deadline-list"),
    path("reports/deadlines/add/", deadline_views.deadline_add, name="deadline-add"),
    path("reports/deadlines/<int:pk>/", deadline_views.deadline_edit, name="deadline-edit"),
    path("reports/deadlines/<int:pk>/delete/", deadline_views.deadline_delete, name="deadline-delete"),
    path("services/selected/", views.service_selection, name="service-selection"),
]
