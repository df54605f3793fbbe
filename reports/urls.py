from django.urls import path

from reports import views

urlpatterns = [
    path("reports/service-errors/", views.report_service_errors, name="report-service-errors"),
    path("reports/diagnosis-errors/", views.report_diagnosis_errors, name="report-diagnosis-errors"),
    path("reports/program-coverage/", views.report_program_coverage, name="report-program-coverage"),
    path("services/", views.service_list, name="service-list"),
]
