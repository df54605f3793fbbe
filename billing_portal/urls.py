from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from accounts import api as accounts_api
from accounts.api import TokenView
from clients import api as clients_api
from coverage import api as coverage_api
from diagnosis import api as diagnosis_api
from imports import api as imports_api
from nightly import api as nightly_api
from reports import api as reports_api
from services import api as services_api
from services import urls as services_urls

admin.site.site_header = "Billing Portal administration"
admin.site.site_title = "Billing Portal"

# Each app's api.py adds its viewsets; the routes are those of shared/API.md.
router = DefaultRouter()
for app_api in (
    accounts_api,
    clients_api,
    coverage_api,
    diagnosis_api,
    services_api,
    nightly_api,
    reports_api,
    imports_api,
):
    app_api.register(router)

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/auth/token/", TokenView.as_view(), name="api-token"),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves Swagger UI's start-up script as a file (?script=): no inline script, so
    # the docs page works under the same Content-Security-Policy as every other page.
    path(
        "api/docs/",
        SpectacularSwaggerSplitView.as_view(url_name="schema", template_name="api/swagger_ui.html"),
        name="api-docs",
    ),
    path("api/", include(router.urls)),
    path("", include("accounts.urls")),
    # Home, the client record and a service's detail: pages composing several apps.
    path("", include("pages.urls")),
    # The client's own pages and, under clients/<pk>/, the sections other apps own.
    path("clients/", include("clients.urls")),
    path("clients/", include("coverage.urls")),
    path("clients/", include("diagnosis.urls")),
    path("clients/", include(services_urls.client_urlpatterns)),
    path("nightly/", include("nightly.urls")),
    path("imports/", include("imports.urls")),
    # One service's pages (services/<pk>/...); before the reports include, which owns services/ itself.
    path("services/", include("services.urls")),
    # The Services list and the reports.
    path("", include("reports.urls")),
]
