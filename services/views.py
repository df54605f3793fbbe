from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


@login_required
def service_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return render(request, "placeholder.html", {"page_title": "Service"})


@login_required
def service_correct(request: HttpRequest, pk: int) -> HttpResponse:
    return render(request, "placeholder.html", {"page_title": "Correct service"})


@login_required
def service_mark_error(request: HttpRequest, pk: int) -> HttpResponse:
    return render(request, "placeholder.html", {"page_title": "Mark service in error"})


@login_required
def service_add(request: HttpRequest) -> HttpResponse:
    return render(request, "placeholder.html", {"page_title": "Add service"})
