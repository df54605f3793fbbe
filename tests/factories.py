"""factory_boy factories for every domain model. Defaults make a record that passes every rule."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import factory
from django.conf import settings

from accounts.models import User
from clients.models import Agency, Client, Enrollment, Location, Program, Staff
from clients.validators import npi_check_digit
from coverage.models import Coverage, Payer
from diagnosis.models import DiagnosisCode, DiagnosisDocument
from services.models import Authorization, Procedure, ProcedureLimit, Rate, Service

PASSWORD = "Test-Pass-2025"


def county_datetime(day: dt.date, hour: int = 10, minute: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=ZoneInfo(settings.TIME_ZONE))


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency

    name = factory.Sequence(lambda n: f"Agency {n}")
    address_city = "San Diego"
    address_state = "CA"
    address_zip = "92101"


class ProgramFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Program

    agency = factory.SubFactory(AgencyFactory)
    name = factory.Sequence(lambda n: f"Program {n}")
    code = factory.Sequence(lambda n: f"PRG{n:04d}")
    program_type = Program.ProgramType.MH


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    role = User.Role.PROVIDER_ADMIN
    agency = factory.SubFactory(AgencyFactory)
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class CountyUserFactory(UserFactory):
    role = User.Role.COUNTY_BILLING
    agency = None


class SystemAdminFactory(UserFactory):
    role = User.Role.SYSTEM_ADMIN
    agency = None
    is_staff = True
    is_superuser = True


class StaffFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Staff

    agency = factory.SubFactory(AgencyFactory)
    first_name = factory.Sequence(lambda n: f"Clin{n}")
    last_name = "Clinician"
    credential = Staff.Credential.LPHA
    credential_expires = None
    npi = factory.Sequence(lambda n: f"{100000000 + n}" + npi_check_digit(f"{100000000 + n}"))


class LocationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Location

    name = factory.Sequence(lambda n: f"Office {n}")
    place_of_service = "11"


class ClientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Client

    first_name = factory.Sequence(lambda n: f"First{n}")
    last_name = factory.Sequence(lambda n: f"Last{n}")
    date_of_birth = dt.date(1980, 5, 17)
    address_street = "123 Main St"
    address_city = "San Diego"
    address_state = "CA"
    address_zip = "92101"
    billing_address = True
    financial_info_complete = True


class EnrollmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enrollment

    client = factory.SubFactory(ClientFactory)
    program = factory.SubFactory(ProgramFactory)
    status = Enrollment.Status.ENROLLED
    requested_date = dt.date(2020, 1, 1)
    enrolled_date = dt.date(2020, 1, 1)


class PayerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Payer
        django_get_or_create = ("name",)

    name = "Medi-Cal"
    payer_type = Payer.PayerType.MEDI_CAL


class CoverageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Coverage

    client = factory.SubFactory(ClientFactory)
    payer = factory.SubFactory(PayerFactory)
    priority = 1
    start_date = dt.date(2020, 1, 1)
    end_date = None
    insured_id = factory.Sequence(lambda n: f"9{n:07d}A")
    subscriber_is_client = True


class DiagnosisDocumentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DiagnosisDocument
        skip_postgeneration_save = True

    client = factory.SubFactory(ClientFactory)
    program = factory.SubFactory(ProgramFactory)
    effective_date = dt.date(2020, 1, 1)
    end_date = None
    signed = True
    signed_at = factory.LazyFunction(lambda: dt.datetime(2020, 1, 1, tzinfo=dt.UTC))

    code = factory.RelatedFactory("tests.factories.DiagnosisCodeFactory", factory_related_name="document")


class DiagnosisCodeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DiagnosisCode

    document = factory.SubFactory(DiagnosisDocumentFactory, code=None)
    code = "F32.9"
    billing_order = 1


class ProcedureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Procedure

    code = factory.Sequence(lambda n: f"P{n:04d}")
    modifier = ""
    name = factory.Sequence(lambda n: f"Procedure {n}")
    billable = True
    requires_note = True
    requires_authorization = False
    allowed_credentials = factory.LazyFunction(list)
    unit = Procedure.Unit.SERVICE


class ProcedureLimitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProcedureLimit

    procedure = factory.SubFactory(ProcedureFactory)
    max_count = 1
    period = ProcedureLimit.Period.MONTH


class RateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Rate

    procedure = factory.SubFactory(ProcedureFactory)
    program = None
    payer = None
    start_date = dt.date(2020, 1, 1)
    end_date = None
    amount = Decimal("100.00")


class AuthorizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Authorization

    client = factory.SubFactory(ClientFactory)
    payer = factory.SubFactory(PayerFactory)
    procedure = factory.SubFactory(ProcedureFactory)
    tar_number = factory.Sequence(lambda n: f"TAR{n:06d}")
    start_date = dt.date(2020, 1, 1)
    end_date = dt.date(2030, 12, 31)
    quantity = 10
    status = Authorization.Status.APPROVED


class ServiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Service

    client = factory.SubFactory(ClientFactory)
    program = factory.SubFactory(ProgramFactory)
    procedure = factory.SubFactory(ProcedureFactory)
    clinician = factory.SubFactory(StaffFactory, agency=factory.SelfAttribute("..program.agency"))
    location = factory.SubFactory(LocationFactory)
    start = factory.LazyFunction(lambda: county_datetime(dt.date(2026, 10, 5)))
    duration_minutes = 60
    status = Service.Status.SHOW
    note_signed = True


def billable_service(**overrides) -> Service:
    """A show service with everything on file that makes it pass every rule of the catalogue.

    Pass `program`, `procedure`, `client`, `start`... to vary it; the enrollment, coverage, signed
    diagnosis and rate are made to fit what was passed.
    """
    program = overrides.pop("program", None) or ProgramFactory()
    client = overrides.pop("client", None) or ClientFactory()
    procedure = overrides.pop("procedure", None) or ProcedureFactory()
    if not Enrollment.objects.filter(client=client, program=program).exists():
        EnrollmentFactory(client=client, program=program)
    if not Coverage.objects.filter(client=client).exists():
        CoverageFactory(client=client)
    if not DiagnosisDocument.objects.filter(client=client, program=program).exists():
        DiagnosisDocumentFactory(client=client, program=program)
    if not Rate.objects.filter(procedure=procedure).exists():
        RateFactory(procedure=procedure)
    overrides.setdefault("clinician", StaffFactory(agency=program.agency))
    return ServiceFactory(client=client, program=program, procedure=procedure, **overrides)
