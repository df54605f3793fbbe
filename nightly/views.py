from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


@login_required
def nightly_runs(request: HttpRequest) -> HttpResponse:
    return render(request, "placeholder.html", {"page_title": "nightly_runs"})
