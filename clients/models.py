"""Agencies, their programs, staff and locations; clients and their program enrollments."""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.db.models import F, Q

from accounts.audit import audited
from clients.crypto import decrypt, encrypt, ssn_digest
from clients.validators import validate_npi, validate_tax_id


@audited()
class Agency(models.Model):
    name = models.CharField(max_length=200, unique=True)
    # The billing provider of the agency's claims (837P loop 2010AA): address, NPI and tax id.
    address_street = models.CharField(max_length=200, blank=True, default="", db_default="")
    address_city = models.CharField(max_length=100, blank=True)
    address_state = models.CharField(max_length=2, blank=True)
    address_zip = models.CharField(max_length=10, blank=True)
    # Blank until known: claims leave out services of an agency without them (DOMAIN.md, Claims).
    npi = models.CharField(max_length=10, blank=True, default="", db_default="", validators=[validate_npi])
    tax_id = models.CharField(
        max_length=10,
        blank=True,
        default="",
        db_default="",
        help_text="EIN, 9 digits",
        validators=[validate_tax_id],
    )

    class Meta:
        verbose_name_plural = "agencies"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


@audited()
class Program(models.Model):
    class ProgramType(models.TextChoices):
        MH = "MH", "Mental health"
        SUD = "SUD", "Substance use disorder"
        ECM = "ECM", "Enhanced Care Management"
        CS = "CS", "Community Supports"

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="programs")
    name = models.CharField(max_length=200)
    code = models.CharField(max_length=40, unique=True)
    program_type = models.CharField(max_length=3, choices=ProgramType.choices)

    AGENCY_PATH: ClassVar[str] = "agency"

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


@audited()
class Staff(models.Model):
    class Credential(models.TextChoices):
        LPHA = "LPHA", "Licensed Practitioner of the Healing Arts"
        SUD_CERTIFIED = "SUD_CERTIFIED", "Certified SUD counselor"
        SUD_REGISTERED = "SUD_REGISTERED", "Registered SUD counselor"
        PEER = "PEER", "Peer support specialist"
        PRESCRIBER = "PRESCRIBER", "Prescriber"
        OTHER = "OTHER", "Other"

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="staff")
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    credential = models.CharField(max_length=20, choices=Credential.choices)
    credential_expires = models.DateField(null=True, blank=True)
    npi = models.CharField(max_length=10, blank=True, validators=[validate_npi])

    AGENCY_PATH: ClassVar[str] = "agency"

    class Meta:
        verbose_name_plural = "staff"
        ordering = ["last_name", "first_name"]
        constraints = [
            models.CheckConstraint(condition=Q(npi="") | Q(npi__regex=r"^\d{10}$"), name="staff_npi_10_digits"),
        ]

    def __str__(self) -> str:
        return f"{self.last_name}, {self.first_name}"


@audited()
class Location(models.Model):
    name = models.CharField(max_length=200)
    place_of_service = models.CharField(max_length=2)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(place_of_service__regex=r"^\d{2}$"), name="location_place_of_service_2_digits"
            ),
        ]

    def __str__(self) -> str:
        return self.name


@audited(exclude=["ssn_encrypted", "ssn_digest"])
class Client(models.Model):
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    date_of_birth = models.DateField()
    # The SSN is kept encrypted; only the last four digits are ever shown. The digest (a keyed hash)
    # finds duplicates on create without decrypting every row.
    ssn_encrypted = models.TextField(blank=True, editable=False)
    ssn_last4 = models.CharField(max_length=4, blank=True, editable=False)
    ssn_digest = models.CharField(max_length=64, blank=True, editable=False, db_index=True)
    address_street = models.CharField(max_length=200, blank=True)
    address_city = models.CharField(max_length=100, blank=True)
    address_state = models.CharField(max_length=2, blank=True)
    address_zip = models.CharField(max_length=10, blank=True)
    billing_address = models.BooleanField(default=False)
    financial_info_complete = models.BooleanField(default=False)
    # The client's id in the EHR of the agency that gave it (imports match on it). "Unique per agency"
    # for clients, who may be served by several agencies: unique among the ids one agency gave, that
    # agency kept in `external_id_agency` (see clients.actions.external_id_agency).
    external_id = models.CharField(max_length=64, null=True, blank=True, default=None)
    external_id_agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, null=True, blank=True, editable=False, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    CLIENT_PATH: ClassVar[str] = "id"

    class Meta:
        ordering = ["last_name", "first_name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["external_id_agency", "external_id"],
                condition=Q(external_id__isnull=False),
                name="client_external_id_unique_per_agency",
            ),
            models.CheckConstraint(
                condition=Q(external_id__isnull=True) | Q(external_id_agency__isnull=False),
                name="client_external_id_has_agency",
            ),
        ]
        indexes = [
            # Duplicate check on new clients (name + date of birth).
            models.Index(fields=["last_name", "first_name", "date_of_birth"], name="client_name_dob_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.last_name}, {self.first_name}"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def ssn_masked(self) -> str:
        return f"***-**-{self.ssn_last4}" if self.ssn_last4 else ""

    def set_ssn(self, ssn: str) -> None:
        digits = "".join(ch for ch in ssn if ch.isdigit())
        if not digits:
            self.ssn_encrypted = self.ssn_last4 = self.ssn_digest = ""
            return
        self.ssn_encrypted = encrypt(digits)
        self.ssn_last4 = digits[-4:]
        self.ssn_digest = ssn_digest(digits)

    def get_ssn(self) -> str:
        return decrypt(self.ssn_encrypted) if self.ssn_encrypted else ""


@audited()
class Enrollment(models.Model):
    """A client's assignment to a program: requested, then enrolled, then discharged."""

    class Status(models.TextChoices):
        REQUESTED = "requested", "Requested"
        ENROLLED = "enrolled", "Enrolled"
        DISCHARGED = "discharged", "Discharged"

    # Allowed status moves; checked by clients.actions.change_enrollment_status.
    TRANSITIONS: ClassVar[dict[str, set[str]]] = {
        Status.REQUESTED: {Status.ENROLLED, Status.DISCHARGED},
        Status.ENROLLED: {Status.DISCHARGED},
        Status.DISCHARGED: set(),
    }

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="enrollments")
    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="enrollments")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.REQUESTED)
    requested_date = models.DateField()
    enrolled_date = models.DateField(null=True, blank=True)
    discharged_date = models.DateField(null=True, blank=True)

    AGENCY_PATH: ClassVar[str] = "program__agency"

    class Meta:
        ordering = ["client_id", "requested_date", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(enrolled_date__isnull=True) | Q(enrolled_date__gte=F("requested_date")),
                name="enrollment_enrolled_on_or_after_requested",
            ),
            models.CheckConstraint(
                condition=Q(discharged_date__isnull=True)
                | Q(enrolled_date__isnull=True)
                | Q(discharged_date__gte=F("enrolled_date")),
                name="enrollment_discharged_on_or_after_enrolled",
            ),
            models.CheckConstraint(
                condition=Q(status="requested", enrolled_date__isnull=True, discharged_date__isnull=True)
                | Q(status="enrolled", enrolled_date__isnull=False, discharged_date__isnull=True)
                | Q(status="discharged", discharged_date__isnull=False),
                name="enrollment_dates_match_status",
            ),
            models.UniqueConstraint(
                fields=["client", "program"],
                condition=~Q(status="discharged"),
                name="enrollment_one_open_per_client_program",
            ),
        ]
        indexes = [
            # NOT_ENROLLED_ON_DOS and the Program Coverage Report look enrollments up by client and program.
            models.Index(fields=["client", "program", "enrolled_date"], name="enrollment_client_program_idx"),
            # Agency scope: clients with an enrollment in one of the agency's programs.
            models.Index(fields=["program", "client"], name="enrollment_program_client_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.client_id} in {self.program_id} ({self.status})"
