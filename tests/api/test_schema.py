"""The OpenAPI schema (`/api/schema/`), its docs page (`/api/docs/`), and schemathesis: generated
requests over real HTTP against `live_server`, checked against what the schema says."""

from __future__ import annotations

import re
from importlib import import_module
from typing import Any

import hypothesis
import pytest
import requests
import schemathesis
from django.apps import apps as django_apps
from django.test import Client
from drf_spectacular.validation import validate_schema
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    ignored_auth,
    missing_required_header,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
    unsupported_method,
)

from accounts.models import User
from nightly.models import NightlyRun
from services.models import Rate
from tests import factories
from tests.api.conftest import make_agency_world

pytestmark = pytest.mark.django_db  # the schemathesis tests below mark themselves transactional

SCHEMA_JSON = "/api/schema/?format=json"

# --- the schema holds API.md ----------------------------------------------------------------------

# The record routes of shared/API.md and their fields; each is listed and entered (GET, POST) and
# read and corrected by id (GET, PUT, PATCH).
RECORD_FIELDS = {
    "users": "id username password role agency",
    "agencies": "id name address_city address_state address_zip",
    "programs": "id agency name code program_type",
    "staff": "id agency first_name last_name credential credential_expires npi",
    "locations": "id name place_of_service",
    "payers": "id name payer_type",
    "procedures": "id code modifier name billable requires_note requires_authorization allowed_credentials unit",
    "procedure-limits": "id procedure max_count period distinct_dates max_minutes prerequisite_procedure "
    "prerequisite_months",
    "rates": "id procedure program payer start_date end_date amount",
    "clients": "id first_name last_name date_of_birth ssn ssn_last4 address_street address_city address_state "
    "address_zip billing_address financial_info_complete",
    "enrollments": "id client program status requested_date enrolled_date discharged_date",
    "coverages": "id client payer priority start_date end_date insured_id subscriber_is_client",
    "diagnoses": "id client program effective_date end_date signed codes",
    "authorizations": "id client payer procedure tar_number start_date end_date quantity status",
    "services": "id client program procedure clinician location start duration_minutes status mode_of_delivery "
    "note_signed do_not_complete delay_reason_code units rate charge claimed failure_reasons last_validated_at",
}
# API.md "Additions (v1.1)": the fields of issue 11 (`check` and the claim fields come with their issues).
ADDED_FIELDS = {
    "agencies": "npi tax_id address_street",
    "programs": "procedures",
    "payers": "payer_id timely_filing_months",
    "procedures": "transition_days",
    "rates": "is_maximum",
    "authorizations": "presumptive",
    "clients": "external_id",
    "services": "external_id billed_amount billed_payer",
}
RECORD_FIELDS = {route: f"{names} {ADDED_FIELDS.get(route, '')}".strip() for route, names in RECORD_FIELDS.items()}
API_MD_ROUTES = [
    ("post", "/api/auth/token/"),
    *[(method, f"/api/{route}/") for route in RECORD_FIELDS for method in ("get", "post")],
    *[(method, f"/api/{route}/{{id}}/") for route in RECORD_FIELDS for method in ("get", "put", "patch")],
    ("post", "/api/services/{id}/mark-error/"),
    ("get", "/api/services/{id}/overrides/"),
    ("post", "/api/services/{id}/overrides/"),
    ("get", "/api/nightly-runs/"),
    ("post", "/api/nightly-runs/"),
    ("get", "/api/nightly-runs/{id}/"),
    ("get", "/api/reports/service-errors/"),
    ("get", "/api/reports/services-needing-attention/"),
]
OTHER_FIELDS = {
    "/api/nightly-runs/{id}/": "id as_of status started_at finished_at services_checked services_completed "
    "services_failed failures_by_rule",
    "/api/reports/service-errors/": "service program client client_name date_of_service procedure_code "
    "clinician_name failure_reasons days_outstanding correction_due",
    "/api/reports/services-needing-attention/": "total by_reason by_program by_month",
}


@pytest.fixture(scope="module")
def api_schema(django_db_setup, django_db_blocker) -> dict[str, Any]:
    """The schema as anyone reads it, fetched once: it does not vary with the user (SERVE_PUBLIC)."""
    with django_db_blocker.unblock():
        response = Client().get(SCHEMA_JSON)
    assert response.status_code == 200
    return response.json()


def _properties(schema: dict[str, Any], node: dict[str, Any]) -> set[str]:
    """The property names of a schema node, following $ref and a paginated list's `results`."""
    if "$ref" in node:
        node = schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[1]]
    properties = node.get("properties", {})
    if "results" in properties:
        return _properties(schema, properties["results"]["items"])
    return set(properties)


def _fields(schema: dict[str, Any], path: str) -> set[str]:
    """Every field a route reads back or accepts (write-only fields such as `ssn` are only in the latter)."""
    operations = schema["paths"][path]
    names = _properties(schema, operations["get"]["responses"]["200"]["content"]["application/json"]["schema"])
    for method in ("post", "put"):
        if method in operations:
            names |= _properties(schema, operations[method]["requestBody"]["content"]["application/json"]["schema"])
    return names


def test_schema_is_a_valid_openapi_3_document(api_schema):
    assert api_schema["openapi"].startswith("3.")
    validate_schema(api_schema)  # raises on any violation of the OpenAPI 3 JSON schema


def test_signed_in_users_read_the_schema_anyone_reads(as_a, as_county, api_schema):
    """Decision: the schema and its docs are public, like API.md: routes and field names, no data."""
    for api in (as_a, as_county):
        response = api.get(SCHEMA_JSON)
        assert response.status_code == 200
        assert response.json() == api_schema


@pytest.mark.parametrize(("method", "path"), API_MD_ROUTES, ids=[f"{m.upper()} {p}" for m, p in API_MD_ROUTES])
def test_every_api_md_route_is_in_the_schema(api_schema, method, path):
    assert method in api_schema["paths"].get(path, {}), f"{method.upper()} {path} is missing from the schema"


@pytest.mark.parametrize(
    ("path", "names"),
    [(f"/api/{route}/{{id}}/", names) for route, names in RECORD_FIELDS.items()] + list(OTHER_FIELDS.items()),
    ids=[*RECORD_FIELDS, *OTHER_FIELDS],
)
def test_every_api_md_field_is_in_the_schema(api_schema, path, names):
    assert set(names.split()) - _fields(api_schema, path) == set()


# --- the docs page: Swagger UI from the installed sidecar, no CDN --------------------------------


def test_docs_page_loads_swagger_ui_from_local_static_files(api_client):
    response = api_client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "http://" not in html
    assert "https://" not in html
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert {asset.rsplit("/", 1)[1] for asset in assets} >= {"swagger-ui.css", "swagger-ui-bundle.js"}
    # Swagger UI from the sidecar, the page's own styles, and its start-up script as a file of its own
    # (no inline script or style: the Content-Security-Policy refuses them).
    script = "/api/docs/?script="
    assert set(assets) - {script} <= {
        *(asset for asset in assets if asset.startswith("/static/drf_spectacular_sidecar/")),
        "/static/css/swagger.css",
    }, assets
    assert "<script>" not in html
    assert "<style>" not in html
    start_up = api_client.get(script)
    assert start_up["Content-Type"].startswith("application/javascript")
    assert 'url: "/api/schema/"' in start_up.content.decode()
    for asset in set(assets) - {script}:
        # Served the way production serves them (WhiteNoise), not from a CDN.
        served = api_client.get(asset)
        assert served.status_code == 200, asset
        assert b"".join(served.streaming_content), asset


# --- schemathesis over real HTTP -----------------------------------------------------------------
# County billing and a provider admin send generated requests to every operation of the schema, a
# system admin to the users routes only they may use. Every answer must be no 5xx and what the
# schema documents: status code, content type, headers and body. Fuzzing only (Hypothesis' generate
# phase, 10 examples an operation, derandomized so a run repeats exactly): schemathesis' coverage
# phase builds tens of cases per field up front, over a second an operation, so it runs only on
# service entry and correction, the API's busiest writes.

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    ignored_auth,
    unsupported_method,
    missing_required_header,
]
# Not checked, and why:
# - negative_data_rejection: DRF coerces on input by design (`0` for a text field is "0", "5" for an
#   integer 5) and ignores unknown query parameters; API.md's promise is a 400 naming the field for
#   input the API cannot use, never a 500, which the checks above hold. The path ids below also turn
#   generated malformed ids into real ones, which that check would count as accepted bad input.
# - positive_data_acceptance: the schema cannot say "an id of a record in your agency" or "end on or
#   after start", so schema-valid bodies are rightly refused with a 400 or 409.
FUZZ = hypothesis.settings(
    max_examples=10,
    derandomize=True,
    database=None,
    deadline=None,
    phases=[hypothesis.Phase.generate],
    suppress_health_check=[hypothesis.HealthCheck.too_slow, hypothesis.HealthCheck.filter_too_much],
)


@pytest.fixture
def seeded_catalogue(transactional_db: None) -> None:
    """The rule catalogue and correction deadlines that data migrations seed: `live_server` needs a
    transactional test, whose flush removes them, so they are seeded again the way the migrations do."""
    for migration in ("nightly.migrations.0003_seed_rule_catalogue", "reports.migrations.0002_seed_memo_deadlines"):
        import_module(migration).seed(django_apps, None)


@pytest.fixture
def live_records(seeded_catalogue) -> dict[str, Any]:
    """Two agencies' records; the ids of agency A's are what the `{id}` of each route is set to, so
    reads, corrections, mark-error and deletes (409 while in use) reach real records."""
    world = make_agency_world("a")
    make_agency_world("b")
    ids = {
        "agencies": world.agency.pk,
        "programs": world.program.pk,
        "staff": world.clinician.pk,
        "locations": world.service.location_id,
        "payers": world.coverage.payer_id,
        "procedures": world.service.procedure_id,
        "procedure-limits": factories.ProcedureLimitFactory(procedure=world.service.procedure).pk,
        "rates": Rate.objects.get(procedure=world.service.procedure).pk,
        "clients": world.client.pk,
        "enrollments": world.enrollment.pk,
        "coverages": world.coverage.pk,
        "diagnoses": world.diagnosis.pk,
        "authorizations": world.authorization.pk,
        "services": world.service.pk,
        "nightly-runs": NightlyRun.objects.create(as_of="2026-03-31", status=NightlyRun.Status.SUCCEEDED).pk,
        "users": world.admin.pk,
    }
    return {"ids": ids, "provider_admin": world.admin}


def load_schema(live_url: str, user: User, ids: dict[str, int]) -> Any:
    """The live schema, read with the user's token from the real token endpoint."""
    answer = requests.post(
        f"{live_url}/api/auth/token/", json={"username": user.username, "password": factories.PASSWORD}, timeout=30
    )
    assert answer.status_code == 200, answer.text
    auth = {"Authorization": f"Token {answer.json()['token']}"}
    config = schemathesis.Config.from_dict(
        {
            "base-url": live_url,
            "headers": auth,
            # The token above is the credential; generated ones would replace it with noise.
            "generation": {"with-security-parameters": False},
            "operations": [
                {"include-path-regex": f"^/api/{route}/{{id}}/", "parameters": {"path.id": pk}}
                for route, pk in ids.items()
            ],
        }
    )
    return schemathesis.openapi.from_url(f"{live_url}{SCHEMA_JSON}", config=config, headers=auth, timeout=30)


@pytest.fixture
def county_billing_api(live_server, live_records):
    return load_schema(live_server.url, factories.CountyUserFactory(), live_records["ids"])


@pytest.fixture
def provider_admin_api(live_server, live_records):
    return load_schema(live_server.url, live_records["provider_admin"], live_records["ids"])


@pytest.fixture
def system_admin_api(live_server, live_records):
    return load_schema(live_server.url, factories.SystemAdminFactory(), live_records["ids"])


def call_and_check(case: Any) -> None:
    # The token goes with every call: cases of the coverage phase carry no headers of their own.
    case.call_and_validate(headers=dict(case.operation.schema.config.headers), checks=CHECKS)


county_billing = schemathesis.pytest.from_fixture("county_billing_api")
provider_admin = schemathesis.pytest.from_fixture("provider_admin_api")
system_admin = schemathesis.pytest.from_fixture("system_admin_api")


@pytest.mark.django_db(transaction=True)
@county_billing.parametrize()
@FUZZ
def test_api_answers_county_billing_as_its_schema_says(case):
    call_and_check(case)


@pytest.mark.django_db(transaction=True)
@provider_admin.parametrize()
@FUZZ
def test_api_answers_a_provider_admin_as_its_schema_says(case):
    call_and_check(case)


@pytest.mark.django_db(transaction=True)
@system_admin.include(path_regex="^/api/users/").parametrize()
@FUZZ
def test_users_api_answers_a_system_admin_as_its_schema_says(case):
    call_and_check(case)


@pytest.mark.django_db(transaction=True)
@provider_admin.include(path_regex=r"^/api/services/(\{id\}/)?$", method=["POST", "PUT", "PATCH"]).parametrize()
@hypothesis.settings(FUZZ, phases=[hypothesis.Phase.explicit, hypothesis.Phase.generate])
def test_service_entry_and_corrections_answer_as_the_schema_says_at_every_boundary(case):
    """Schemathesis' coverage phase as well: each field at its limits, missing, of the wrong type."""
    call_and_check(case)
