"""Agency scope: provider admin staff see only their agency's records, through scope_queryset."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from accounts.models import User
from clients.models import Client, Enrollment, Location, Program, Staff
from common.scope import scope_queryset
from common.selectors import in_scope
from coverage.models import Coverage
from diagnosis.models import DiagnosisDocument
from services.models import Authorization, Service
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_agencies() -> dict[str, Service]:
    """One billable service (with its client's records) in each of two agencies."""
    services = {}
    for name in ("mine", "theirs"):
        service = factories.billable_service()
        factories.AuthorizationFactory(client=service.client, procedure=service.procedure)
        services[name] = service
    return services


SCOPED_MODELS = [Client, Enrollment, Program, Staff, Coverage, DiagnosisDocument, Authorization, Service]


@pytest.mark.parametrize("model", SCOPED_MODELS, ids=lambda m: m.__name__)
def test_provider_admin_sees_only_own_agency(two_agencies: dict[str, Service], model: type) -> None:
    mine, theirs = two_agencies["mine"], two_agencies["theirs"]
    user = factories.UserFactory(role=User.Role.PROVIDER_ADMIN, agency=mine.program.agency)
    visible = scope_queryset(model.objects.all(), user)
    own = model.objects.filter(**_owned_by(model, mine))
    other = model.objects.filter(**_owned_by(model, theirs))
    assert own.exists()
    assert other.exists()
    assert set(visible) == set(own)


def _owned_by(model: type, service: Service) -> dict[str, object]:
    return {
        Client: {"pk": service.client_id},
        Enrollment: {"client": service.client_id},
        Program: {"agency": service.program.agency_id},
        Staff: {"agency": service.program.agency_id},
        Coverage: {"client": service.client_id},
        DiagnosisDocument: {"client": service.client_id},
        Authorization: {"client": service.client_id},
        Service: {"pk": service.pk},
    }[model]


def test_client_of_another_agency_is_out_of_scope(two_agencies: dict[str, Service]) -> None:
    mine, theirs = two_agencies["mine"], two_agencies["theirs"]
    user = factories.UserFactory(agency=mine.program.agency)
    assert in_scope(user, mine.client)
    assert not in_scope(user, theirs.client)


def test_client_shared_by_two_agencies_is_visible_to_both_but_services_stay_apart(
    two_agencies: dict[str, Service],
) -> None:
    mine, theirs = two_agencies["mine"], two_agencies["theirs"]
    factories.EnrollmentFactory(client=theirs.client, program=mine.program)
    user = factories.UserFactory(agency=mine.program.agency)
    assert in_scope(user, theirs.client)
    assert not scope_queryset(Service.objects.filter(pk=theirs.pk), user).exists()


@pytest.mark.parametrize("role", [User.Role.COUNTY_BILLING, User.Role.SYSTEM_ADMIN])
def test_county_roles_see_every_agency(two_agencies: dict[str, Service], role: str) -> None:
    user = factories.UserFactory(role=role, agency=None)
    assert scope_queryset(Service.objects.all(), user).count() == 2


def test_anonymous_user_sees_nothing(two_agencies: dict[str, Service]) -> None:
    assert not scope_queryset(Service.objects.all(), AnonymousUser()).exists()


def test_model_without_a_scope_path_is_refused_loudly(two_agencies: dict[str, Service]) -> None:
    user = factories.UserFactory(agency=two_agencies["mine"].program.agency)
    with pytest.raises(TypeError, match="Location"):
        scope_queryset(Location.objects.all(), user)
