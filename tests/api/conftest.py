"""Two agencies, each with a provider admin, a program, a clinician and an enrolled client with a
service, coverage, diagnosis and authorization: enough to prove every route's scope both ways."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from rest_framework.test import APIClient

from accounts.models import User
from clients.models import Agency, Client, Enrollment, Program, Staff
from coverage.models import Coverage
from diagnosis.models import DiagnosisDocument
from services.models import Authorization, Service
from tests import factories


@dataclasses.dataclass
class AgencyWorld:
    agency: Agency
    admin: User
    program: Program
    clinician: Staff
    client: Client
    enrollment: Enrollment
    coverage: Coverage
    diagnosis: DiagnosisDocument
    authorization: Authorization
    service: Service


def make_agency_world(name: str) -> AgencyWorld:
    agency = factories.AgencyFactory(name=name)
    program = factories.ProgramFactory(agency=agency)
    client = factories.ClientFactory()
    enrollment = factories.EnrollmentFactory(client=client, program=program)
    service = factories.billable_service(
        client=client, program=program, start=factories.county_datetime(dt.date(2026, 3, 2))
    )
    return AgencyWorld(
        agency=agency,
        admin=factories.UserFactory(agency=agency, username=f"admin-{name}"),
        program=program,
        clinician=service.clinician,
        client=client,
        enrollment=enrollment,
        coverage=Coverage.objects.get(client=client),
        diagnosis=DiagnosisDocument.objects.get(client=client, program=program),
        authorization=factories.AuthorizationFactory(client=client, procedure=service.procedure),
        service=service,
    )


@pytest.fixture
def world_a(db) -> AgencyWorld:
    return make_agency_world("a")


@pytest.fixture
def world_b(db) -> AgencyWorld:
    return make_agency_world("b")


def client_for(user: User) -> APIClient:
    api = APIClient()
    api.force_authenticate(user)
    return api


@pytest.fixture
def as_a(world_a) -> APIClient:
    return client_for(world_a.admin)


@pytest.fixture
def as_county(county_user) -> APIClient:
    return client_for(county_user)


@pytest.fixture
def as_admin(system_admin) -> APIClient:
    return client_for(system_admin)
