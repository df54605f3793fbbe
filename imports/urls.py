from django.urls import path

from imports import views

urlpatterns = [
    path("", views.import_new, name="import-new"),
    path("history/", views.import_list, name="import-list"),
    path("batch/", views.batch_entry, name="import-batch"),
    path("template/<str:kind>.<str:extension>", views.import_template, name="import-template"),
    path("<int:pk>/", views.import_detail, name="import-detail"),
    path("<int:pk>/progress/", views.import_progress, name="import-progress"),
    path("<int:pk>/errors.<str:extension>", views.import_errors_sheet, name="import-errors-sheet"),
]
