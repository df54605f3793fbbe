from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


@login_required
def client_list(request: HttpRequest) -> HttpResponse:
    return render(request, "placeholder.html", {"page_title": "client_list"})


@login_required
def client_add(request: HttpRequest) -> HttpResponse:
    return render(request, "placeholder.html", {"page_title": "client_add"})
