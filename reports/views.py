from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "placeholder.html", {"page_title": "home"})


@login_required
def report_service_errors(request: HttpRequest) -> HttpResponse:
    return render(request, "placeholder.html", {"page_title": "report_service_errors"})


@login_required
def report_diagnosis_errors(request: HttpRequest) -> HttpResponse:
    return render(request, "placeholder.html", {"page_title": "report_diagnosis_errors"})


@login_required
def report_program_coverage(request: HttpRequest) -> HttpResponse:
    return render(request, "placeholder.html", {"page_title": "report_program_coverage"})


@login_required
def service_list(request: HttpRequest) -> HttpResponse:
    return render(request, "placeholder.html", {"page_title": "service_list"})
