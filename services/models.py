"""Clinical service records and what they are billed by: procedures, limits, rates, authorizations."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import F, Q

from accounts.audit import audited
from clients.models import Client, Location, Program, Staff
from coverage.models import Payer


class LocalDate(models.Func):
    """The calendar date of a timestamp in a named time zone, as PostgreSQL computes it (immutable)."""

    output_field = models.DateField()

    def __init__(self, expression: str, *, zone: str) -> None:
        if not zone.replace("/", "").replace("_", "").replace("-", "").replace("+", "").isalnum():
            raise ValueError(f"Not a time zone name: {zone!r}")
        self.zone = zone
        super().__init__(expression, template=f"(timezone('{zone}', %(expressions)s))::date")

    def deconstruct(self):  # type: ignore[no-untyped-def]
        path, args, kwargs = super().deconstruct()
        kwargs.pop("template", None)
        return path, args, {**kwargs, "zone": self.zone}


@audited()
class Procedure(models.Model):
    class Unit(models.TextChoices):
        SERVICE = "service", "Per service"
        MINUTE = "minute", "Per 15 minutes (Medi-Cal units)"
        DAY = "day", "Per day"
        MONTH = "month", "Per month"

    code = models.CharField(max_length=10)
    modifier = models.CharField(max_length=2, blank=True)
    name = models.CharField(max_length=200)
    billable = models.BooleanField(default=True)
    requires_note = models.BooleanField(default=True)
    requires_authorization = models.BooleanField(default=False)
    # Credentials (Staff.Credential values) allowed to bill it; empty means any.
    allowed_credentials = ArrayField(
        models.CharField(max_length=20, choices=Staff.Credential.choices), default=list, blank=True
    )
    unit = models.CharField(max_length=7, choices=Unit.choices, default=Unit.SERVICE)
    # Transition care (NOT_ENROLLED_ON_DOS): with N > 0 the procedure also bills between an
    # enrollment's requested and enrolled dates and up to N days after its discharge (care
    # coordination's warm hand-offs "before admission / after discharge": 30).
    transition_days = models.PositiveSmallIntegerField(default=0, db_default=0)
    # The programs that offer the procedure. Kept here (services depends on clients, never the other
    # way); a program reads them as `program.procedures`. A program with none offers every procedure.
    programs: models.ManyToManyField[Program, ProgramProcedure] = models.ManyToManyField(
        Program, through="ProgramProcedure", blank=True, related_name="procedures"
    )

    class Meta:
        ordering = ["code", "modifier"]
        constraints = [
            models.UniqueConstraint(fields=["code", "modifier"], name="procedure_unique_code_modifier"),
        ]

    def __str__(self) -> str:
        return f"{self.display_code} {self.name}"

    @property
    def display_code(self) -> str:
        return f"{self.code}-{self.modifier}" if self.modifier else self.code


@audited()
class ProgramProcedure(models.Model):
    """A procedure a program offers (`/api/programs/` field `procedures`); audited like every record."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="+")
    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="+")

    class Meta:
        ordering = ["program_id", "procedure_id"]
        constraints = [
            models.UniqueConstraint(fields=["program", "procedure"], name="program_procedure_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.program_id} offers {self.procedure_id}"


@audited()
class ProcedureLimit(models.Model):
    class Period(models.TextChoices):
        LIFETIME = "lifetime", "Lifetime"
        MONTH = "month", "Calendar month"
        DAY = "day", "Calendar day"

    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="limits")
    max_count = models.PositiveIntegerField(null=True, blank=True)
    period = models.CharField(max_length=8, choices=Period.choices, default=Period.LIFETIME)
    # With distinct dates, two services on the same date count as two (the second is an extra).
    distinct_dates = models.BooleanField(default=False)
    max_minutes = models.PositiveIntegerField(null=True, blank=True)
    prerequisite_procedure = models.ForeignKey(
        Procedure, on_delete=models.PROTECT, null=True, blank=True, related_name="prerequisite_of"
    )
    prerequisite_months = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["procedure_id", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(max_count__isnull=False)
                | Q(max_minutes__isnull=False)
                | Q(prerequisite_procedure__isnull=False),
                name="procedure_limit_limits_something",
            ),
            models.CheckConstraint(
                condition=Q(prerequisite_procedure__isnull=True, prerequisite_months__isnull=True)
                # isnull=False spelled out: a NULL month count would make `>= 1` unknown, which a CHECK lets pass.
                | Q(
                    prerequisite_procedure__isnull=False, prerequisite_months__isnull=False, prerequisite_months__gte=1
                ),
                name="procedure_limit_prerequisite_with_months",
            ),
            models.CheckConstraint(
                condition=Q(max_count__isnull=True) | Q(max_count__gte=1), name="procedure_limit_count_positive"
            ),
            models.CheckConstraint(
                condition=Q(max_minutes__isnull=True) | Q(max_minutes__gte=1),
                name="procedure_limit_minutes_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"Limit on {self.procedure_id}"


@audited()
class Rate(models.Model):
    procedure = models.ForeignKey(Procedure, on_delete=models.PROTECT, related_name="rates")
    program = models.ForeignKey(Program, on_delete=models.PROTECT, null=True, blank=True, related_name="rates")
    payer = models.ForeignKey(Payer, on_delete=models.PROTECT, null=True, blank=True, related_name="rates")
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    amount = models.DecimalField(max_digits=10, decimal_places=2)
    # A maximum ("up to $5,000"): the service's billed amount is charged, one unit, at most this.
    is_maximum = models.BooleanField(default=False, db_default=False)

    class Meta:
        ordering = ["procedure_id", "start_date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="rate_end_on_or_after_start",
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="rate_amount_not_negative"),
        ]
        indexes = [
            # NO_MATCHING_RATE and the completion's rate match: by procedure and date.
            models.Index(fields=["procedure", "start_date"], name="rate_procedure_start_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.procedure_id} {self.amount} from {self.start_date}"


@audited()
class Authorization(models.Model):
    """A treatment authorization request (TAR) approving a quantity of a procedure over a span."""

    class Status(models.TextChoices):
        IN_PROGRESS = "in_progress", "In progress"
        APPROVED = "approved", "Approved"
        DENIED = "denied", "Denied"

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="authorizations")
    payer = models.ForeignKey(Payer, on_delete=models.PROTECT, related_name="authorizations")
    procedure = models.ForeignKey(Procedure, on_delete=models.PROTECT, related_name="authorizations")
    # Blank only on a presumptive authorization (the plan granted it before any TAR).
    tar_number = models.CharField(max_length=40, blank=True)
    start_date = models.DateField()
    end_date = models.DateField()
    quantity = models.PositiveIntegerField()
    status = models.CharField(max_length=11, choices=Status.choices, default=Status.IN_PROGRESS)
    presumptive = models.BooleanField(default=False, db_default=False)

    CLIENT_PATH: ClassVar[str] = "client"

    class Meta:
        ordering = ["client_id", "start_date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")), name="authorization_end_on_or_after_start"
            ),
            models.CheckConstraint(condition=Q(quantity__gte=1), name="authorization_quantity_positive"),
            models.CheckConstraint(
                condition=Q(presumptive=True) | ~Q(tar_number=""), name="authorization_tar_number_unless_presumptive"
            ),
        ]
        indexes = [
            # AUTHORIZATION_REQUIRED / AUTHORIZATION_EXHAUSTED: approved TARs of a client for a procedure.
            models.Index(fields=["client", "procedure", "start_date"], name="authorization_lookup_idx"),
        ]

    def __str__(self) -> str:
        return f"TAR {self.tar_number}" if self.tar_number else f"Presumptive authorization {self.pk}"


@audited()
class Service(models.Model):
    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        SHOW = "show", "Show"
        NO_SHOW = "no_show", "No Show"
        CANCEL = "cancel", "Cancel"
        ERROR = "error", "Error"
        COMPLETE = "complete", "Complete"

    class DelayReason(models.TextChoices):
        """X12 claim delay reason codes (837P CLM20), the list Medi-Cal accepts."""

        PROOF_OF_ELIGIBILITY = "1", "1 Proof of eligibility unknown or unavailable"
        LITIGATION = "2", "2 Litigation"
        AUTHORIZATION_DELAYS = "3", "3 Authorization delays"
        CERTIFYING_PROVIDER = "4", "4 Delay in certifying provider"
        BILLING_FORMS = "5", "5 Delay in supplying billing forms"
        CUSTOM_APPLIANCES = "6", "6 Delay in delivery of custom-made appliances"
        THIRD_PARTY = "7", "7 Third party processing delay"
        ELIGIBILITY_DETERMINATION = "8", "8 Delay in eligibility determination"
        ORIGINAL_CLAIM_REJECTED = (
            "9",
            "9 Original claim rejected or denied due to a reason unrelated to the billing limitation rules",
        )
        PRIOR_APPROVAL = "10", "10 Administration delay in the prior approval process"
        OTHER = "11", "11 Other"
        NATURAL_DISASTER = "15", "15 Natural disaster"

    class ModeOfDelivery(models.TextChoices):
        IN_PERSON = "in_person", "In person"
        TELEHEALTH_VIDEO = "telehealth_video", "Telehealth (video)"
        TELEHEALTH_AUDIO = "telehealth_audio", "Telehealth (audio only)"

    # Statuses that count towards limits, authorizations and duplicates.
    COUNTED_STATUSES: ClassVar[tuple[str, ...]] = (Status.SHOW, Status.COMPLETE)

    # Every index is rewritten by each completion of the nightly run (the status moves out of the
    # partial indexes' predicate, so no completion is a HOT update): each one below names the query
    # that needs it. The client and program foreign keys have no index of their own: the composite
    # indexes that start with them (Meta.indexes) serve every lookup by client or by program.
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="services", db_index=False)
    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="services", db_index=False)
    # The Services list and the error report filtered by procedure (their count and page).
    procedure = models.ForeignKey(Procedure, on_delete=models.PROTECT, related_name="services")
    # The Services list and the error report filtered by clinician (their count and page).
    clinician = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="services")
    # No query filters services by location; deleting a location (rare, PROTECTed) may scan.
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="services", db_index=False)
    start = models.DateTimeField()
    # The date of service: the start's calendar date in the county's time zone. Computed by
    # PostgreSQL so that bulk writes can never disagree with it.
    date_of_service = models.GeneratedField(
        expression=LocalDate("start", zone=settings.TIME_ZONE),
        output_field=models.DateField(),
        db_persist=True,
    )
    duration_minutes = models.PositiveIntegerField()
    status = models.CharField(max_length=9, choices=Status.choices, default=Status.SHOW)
    mode_of_delivery = models.CharField(max_length=16, choices=ModeOfDelivery.choices, default=ModeOfDelivery.IN_PERSON)
    note_signed = models.BooleanField(default=False)
    do_not_complete = models.BooleanField(default=False)
    delay_reason_code = models.CharField(max_length=2, blank=True, choices=DelayReason.choices)
    # What staff bill under a maximum rate (the actual deposit); BILLED_AMOUNT_INVALID checks it.
    billed_amount = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True, default=None)
    # The provider's own id of the service, unique per agency (imports update by it).
    external_id = models.CharField(max_length=64, null=True, blank=True, default=None)
    # Set by the nightly run when the service completes: the billed coverage's payer (claims go to it).
    billed_payer = models.ForeignKey(
        Payer, on_delete=models.PROTECT, null=True, blank=True, editable=False, related_name="+"
    )
    # Set by the nightly run when the service completes.
    units = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    rate = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    charge = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    claimed = models.BooleanField(default=False)
    last_validated_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    AGENCY_PATH: ClassVar[str] = "program__agency"

    class Meta:
        ordering = ["date_of_service", "start", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(duration_minutes__gte=1), name="service_duration_positive"),
            models.CheckConstraint(
                condition=Q(billed_amount__isnull=True) | Q(billed_amount__gte=0),
                name="service_billed_amount_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(claimed=False) | Q(status="complete"), name="service_claimed_only_when_complete"
            ),
            models.CheckConstraint(
                condition=~Q(status="complete") | Q(units__isnull=False, rate__isnull=False, charge__isnull=False),
                name="service_complete_has_charge",
            ),
        ]
        indexes = [
            # The nightly run's candidates (status show, by client range) and the Services Needing
            # Attention queue, oldest date of service first.
            models.Index(
                fields=["client", "date_of_service"], condition=Q(status="show"), name="service_show_client_idx"
            ),
            models.Index(fields=["date_of_service", "id"], condition=Q(status="show"), name="service_show_dos_idx"),
            # Oldest-first counting for frequency limits, authorizations, daily maximums, prerequisites
            # and duplicates (nightly.rules), the Services list filtered by client, a client record's
            # services, and any lookup by client (it replaces the single-column client_id index).
            models.Index(fields=["client", "procedure", "date_of_service"], name="service_client_proc_dos_idx"),
            # The Services list filtered by program and date range (reports.queries.service_list), and any
            # lookup by program (it replaces the single-column program_id index).
            models.Index(fields=["program", "date_of_service"], name="service_program_dos_idx"),
            # Services Needing Attention and the COSD error report count failing services by program and
            # month of service with an index-only scan (reports.queries.attention_counts), and a
            # provider's queue reads its programs' show services oldest first.
            models.Index(
                fields=["program", "date_of_service", "id"],
                condition=Q(status="show"),
                name="service_show_program_dos_idx",
            ),
            # The Services list over every status, oldest first (reports.queries.service_list).
            models.Index(fields=["date_of_service", "id"], name="service_dos_id_idx"),
        ]

    def __str__(self) -> str:
        return f"Service {self.pk}"
