"""Writes of services and authorizations (STYLE.md, "Writes").

Every action takes the acting user, checks agency scope through `common.scope`, raises a
`ValidationError` naming the field for bad input, and writes in one transaction under
`acting_as(user)`. A claimed service raises `ServiceLocked`; a status move DOMAIN.md does not allow
raises `services.status.TransitionError` (both answer 409 in the API).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from clients.models import Agency, Client, Enrollment, Location, Program, Staff
from common.audit import acting_as
from common.scope import scope_queryset
from common.selectors import in_scope
from coverage.models import Payer
from services.models import Authorization, Procedure, Service
from services.status import TransitionError, check_transition, plain_move_problem
from services.validators import check_billed_amount, check_program_offers, normal_delay_reason_code

S = Service.Status

# DOMAIN.md: what a correction may change (the clinician, client and program never change).
EDITABLE_FIELDS = frozenset(
    {
        "location",
        "mode_of_delivery",
        "start",
        "duration_minutes",
        "procedure",
        "note_signed",
        "do_not_complete",
        "delay_reason_code",
        "billed_amount",
        "external_id",
    }
)


# Computed once: Django's `Choices.values` builds a new list on every call, and an import checks
# every row of a file.
MODES_OF_DELIVERY = list(Service.ModeOfDelivery.values)
CREATABLE_STATUSES = [value for value in S.values if value != S.COMPLETE]


class ServiceLocked(Exception):
    """The service went out on a claim (or is in Error) and can no longer be changed."""


def _choice_error(value: Any, choices: list[str]) -> list[str]:
    return [f"Choose one of: {', '.join(choices)}."] if value not in choices else []


def check_service_values(service: Service, *, offered: set[int] | None = None) -> None:
    """Entry-time checks shared by creation, correction, imports and batch entry; raises one error
    naming every bad field. `offered` (the procedure ids the program lists, empty = any) spares the
    program-procedure query when an import has looked them up for the whole file."""
    errors: dict[str, list[str]] = {}
    if problem := _choice_error(service.mode_of_delivery, MODES_OF_DELIVERY):
        errors["mode_of_delivery"] = problem
    if service.duration_minutes is None or service.duration_minutes < 1:
        errors["duration_minutes"] = ["The duration must be a positive number of minutes."]
    # The entry guardrails (services/validators.py), each reported on its own field.
    try:
        service.delay_reason_code = normal_delay_reason_code(service.delay_reason_code)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    try:
        check_billed_amount(service.billed_amount)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    try:
        check_program_offers(service.program, service.procedure, offered=offered)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if not isinstance(service.start, dt.datetime) or timezone.is_naive(service.start):
        errors["start"] = ["Enter a date and time with its UTC offset."]
    elif service.status != S.SCHEDULED and service.start > timezone.now():
        errors["start"] = ["A service whose start lies in the future can only be Scheduled."]
    if errors:
        raise ValidationError(errors)


CLINICIAN_OF_ANOTHER_AGENCY = "The clinician must belong to the agency of the program."
CLIENT_NOT_ENROLLED = "The client has no enrollment in a program of this agency."
CLAIMED_NO_CORRECTION = "This service went out on a claim and can no longer be corrected."
ERROR_NO_CORRECTION = "A service in Error cannot be corrected."


def check_service_references(
    *,
    status: str,
    program_in_scope: bool,
    clinician_agency_id: int | None,
    program_agency_id: int | None,
    client_enrolled: bool,
) -> None:
    """Scope checks of a new service, given what the caller looked up (one query each for a single
    service; one join over the whole file for an import). Raises one error naming every bad field."""
    errors: dict[str, list[str]] = {}
    if problem := _choice_error(status, CREATABLE_STATUSES):
        errors["status"] = problem
    if not program_in_scope:
        errors["program"] = ["Unknown program."]
    else:
        if clinician_agency_id != program_agency_id:
            errors["clinician"] = [CLINICIAN_OF_ANOTHER_AGENCY]
        if not client_enrolled:
            errors["client"] = [CLIENT_NOT_ENROLLED]
    if errors:
        raise ValidationError(errors)


def normal_external_id(value: Any) -> str | None:
    """Trimmed; blank is no external id (NULL, so any number of services may have none)."""
    text = str(value).strip() if value is not None else ""
    return text or None


def _check_external_id(service: Service) -> None:
    """Unique per agency (the agency of the service's program). The agency row is locked so two
    services of one agency cannot take the same id at once; call inside the writing transaction."""
    if service.external_id is None:
        return
    Agency.objects.select_for_update().filter(pk=service.program.agency_id).first()
    taken = Service.objects.filter(program__agency_id=service.program.agency_id, external_id=service.external_id)
    if service.pk:
        taken = taken.exclude(pk=service.pk)
    if taken.exists():
        raise ValidationError({"external_id": ["Another service of this agency has this external id."]})


def create_service(
    *,
    user: User,
    client: Client,
    program: Program,
    procedure: Procedure,
    clinician: Staff,
    location: Location,
    start: dt.datetime,
    duration_minutes: int,
    status: str = S.SHOW,
    mode_of_delivery: str = Service.ModeOfDelivery.IN_PERSON,
    note_signed: bool = False,
    do_not_complete: bool = False,
    delay_reason_code: str = "",
    billed_amount: Decimal | None = None,
    external_id: str | None = None,
) -> Service:
    """Record a service. It cannot be entered Complete: only the nightly run completes a service."""
    program_in_scope = scope_queryset(Program.objects.filter(pk=program.pk), user).exists()
    enrolled_in_agency = Enrollment.objects.filter(client=client, program__agency_id=program.agency_id)
    check_service_references(
        status=status,
        program_in_scope=program_in_scope,
        clinician_agency_id=clinician.agency_id,
        program_agency_id=program.agency_id,
        client_enrolled=program_in_scope and enrolled_in_agency.exists() and in_scope(user, client),
    )
    service = Service(
        client=client,
        program=program,
        procedure=procedure,
        clinician=clinician,
        location=location,
        start=start,
        duration_minutes=duration_minutes,
        status=status,
        mode_of_delivery=mode_of_delivery,
        note_signed=note_signed,
        do_not_complete=do_not_complete,
        delay_reason_code=delay_reason_code or "",
        billed_amount=billed_amount,
        external_id=normal_external_id(external_id),
    )
    check_service_values(service)
    with transaction.atomic(durable=True), acting_as(user):
        _check_external_id(service)
        service.save()
    return service


def _lock(service: Service) -> None:
    """Lock the row and reread what a concurrent run or claim may have changed since it was read."""
    Service.objects.select_for_update().filter(pk=service.pk).first()
    service.refresh_from_db(
        fields=["status", "claimed", "units", "rate", "charge", "billed_payer", "last_validated_at"]
    )


def _apply_status(service: Service, status: str) -> list[str]:
    """Set a status the transition table allows; returns the fields that changed."""
    if problem := _choice_error(status, S.values):
        raise ValidationError({"status": problem})
    if status == service.status:
        return []
    check_transition(service, status, start_in_future=service.start > timezone.now())
    changed = ["status"]
    if service.status == S.COMPLETE:
        # Leaving Complete: the next run recomputes units, rate, charge and the billed payer.
        service.units = service.rate = service.charge = None
        service.billed_payer = None
        changed += ["units", "rate", "charge", "billed_payer"]
    service.status = status
    return changed


def set_service_status(*, user: User, service: Service, status: str) -> Service:
    """The one function that changes a service's status (services/status.py decides what is allowed).

    A move that has an action of its own (Error: `mark_service_error`; Complete: the nightly run;
    Scheduled once the start has passed) is bad input, a ValidationError on `status` naming it.
    """
    if not in_scope(user, service):
        raise ValidationError({"service": ["Unknown service."]})
    with transaction.atomic(durable=True), acting_as(user):
        _set_status(service, status)
    return service


def _set_status(service: Service, status: str) -> None:
    """A plain status move (PATCH): Error, Complete and a past Scheduled have actions of their own."""
    _lock(service)
    if problem := plain_move_problem(service, status, now=timezone.now()):
        raise ValidationError({"status": [problem]})
    changed = _apply_status(service, status)
    if changed:
        service.save(update_fields=[*changed, "updated_at"])


FIXED_FIELDS = ("client", "program", "clinician")


def fixed_field_errors(service: Service, ids: dict[str, int | None]) -> dict[str, list[str]]:
    """The client, program and clinician may be repeated but never changed (`ids`: name -> id given)."""
    return {
        name: ["This field cannot be corrected."]
        for name in FIXED_FIELDS
        if name in ids and ids[name] != getattr(service, f"{name}_id")
    }


def apply_correction(service: Service, changes: dict[str, Any], *, offered: set[int] | None = None) -> list[str]:
    """Check a correction and set its fields on `service` without saving; returns the changed fields.

    Shared by `correct_service` and the re-import of a known `external_id` (imports/). Decisions: a
    change that leaves every value as it was is no correction (a Complete service stays Complete); a
    service in Error cannot be corrected (it never bills), like a claimed one.
    """
    if service.claimed:
        raise ServiceLocked(CLAIMED_NO_CORRECTION)
    if service.status == S.ERROR:
        raise ServiceLocked(ERROR_NO_CORRECTION)
    not_editable = sorted(set(changes) - EDITABLE_FIELDS - {"location_id"})
    if not_editable:
        raise ValidationError({name: ["This field cannot be corrected."] for name in not_editable})
    new_procedure = changes.get("procedure")
    if new_procedure is not None and service.procedure.billable and not new_procedure.billable:
        raise ValidationError({"procedure": ["A billable procedure cannot be changed to a non-billable one."]})
    if "delay_reason_code" in changes:
        changes["delay_reason_code"] = normal_delay_reason_code(changes["delay_reason_code"])
    if "external_id" in changes:
        changes["external_id"] = normal_external_id(changes["external_id"])
    changed = [name for name, value in changes.items() if getattr(service, name) != value]
    for name in changed:
        setattr(service, name, changes[name])
    check_service_values(service, offered=offered)
    if "external_id" in changed:
        _check_external_id(service)
    if changed and service.status == S.COMPLETE:
        changed += _apply_status(service, S.SHOW)
    return changed


def correct_service(*, user: User, service: Service, **changes: Any) -> Service:
    """Correct the editable fields of an unclaimed service; a corrected Complete service goes back to Show."""
    if not in_scope(user, service):
        raise ValidationError({"service": ["Unknown service."]})
    _check_editable(changes)
    with transaction.atomic(durable=True), acting_as(user):
        _correct(service, changes)
    return service


def correct_service_and_status(*, user: User, service: Service, status: str | None = None, **changes: Any) -> Service:
    """A correction and a status move of one service together (the API's PATCH may send both): both
    are written or neither. Each part is checked as `correct_service` and `set_service_status` check it."""
    if not in_scope(user, service):
        raise ValidationError({"service": ["Unknown service."]})
    _check_editable(changes)
    with transaction.atomic(durable=True), acting_as(user):
        if changes:
            _correct(service, changes)
        if status is not None:
            _set_status(service, status)
    return service


def _check_editable(changes: dict[str, Any]) -> None:
    not_editable = sorted(set(changes) - EDITABLE_FIELDS)
    if not_editable:
        raise ValidationError({name: ["This field cannot be corrected."] for name in not_editable})


def _correct(service: Service, changes: dict[str, Any]) -> None:
    """The correction, inside the caller's transaction (`apply_correction` checks and sets it)."""
    _lock(service)
    changed = apply_correction(service, changes)
    if changed:
        service.save(update_fields=[*changed, "updated_at"])


def mark_service_error(*, user: User, service: Service) -> Service:
    """Put a service in Error (it never bills) and discard its note; refused once claimed."""
    with transaction.atomic(durable=True), acting_as(user):
        _mark_error(user, service)
    return service


def _mark_error(user: User, service: Service) -> None:
    """The Error move of one service, inside the caller's (durable) transaction."""
    if not in_scope(user, service):
        raise ValidationError({"service": ["Unknown service."]})
    _lock(service)
    if service.claimed:
        raise ServiceLocked("This service went out on a claim and cannot be put in Error.")
    changed = _apply_status(service, S.ERROR)
    if service.note_signed:
        service.note_signed = False
        changed.append("note_signed")
    if changed:
        service.save(update_fields=[*changed, "updated_at"])


def mark_services_error(*, user: User, services: list[Service]) -> list[Service]:
    """Put several services in Error at once (the Services list's selected rows), all or nothing.

    One durable transaction runs the same move as `mark_service_error` for each; the first that
    refuses (claimed, already in Error, out of scope) undoes the whole batch and raises a
    ValidationError on `services` naming its service id.
    """
    if not services:
        raise ValidationError({"services": ["Select at least one service."]})
    with transaction.atomic(durable=True), acting_as(user):
        for service in services:
            try:
                _mark_error(user, service)
            except (ServiceLocked, TransitionError) as error:
                raise ValidationError({"services": [f"Service {service.pk}: {error}"]}) from error
            except ValidationError as error:
                raise ValidationError({"services": [f"Service {service.pk}: {' '.join(error.messages)}"]}) from error
    return services


AUTHORIZATION_FIELDS = frozenset(
    {"client", "payer", "procedure", "tar_number", "start_date", "end_date", "quantity", "status", "presumptive"}
)


def _validate_authorization(authorization: Authorization, user: User) -> None:
    errors: dict[str, list[str]] = {}
    if not in_scope(user, authorization.client):
        errors["client"] = ["Unknown client."]
    if not (authorization.tar_number or "").strip() and not authorization.presumptive:
        errors["tar_number"] = ["Enter the TAR number (only a presumptive authorization has none)."]
    if authorization.start_date and authorization.end_date and authorization.end_date < authorization.start_date:
        errors["end_date"] = ["The end date cannot be before the start date."]
    if authorization.quantity is None or authorization.quantity < 1:
        errors["quantity"] = ["The quantity must be 1 or more."]
    if problem := _choice_error(authorization.status, Authorization.Status.values):
        errors["status"] = problem
    if errors:
        raise ValidationError(errors)


def create_authorization(
    *,
    user: User,
    client: Client,
    payer: Payer,
    procedure: Procedure,
    tar_number: str = "",
    start_date: dt.date,
    end_date: dt.date,
    quantity: int,
    status: str | None = None,
    presumptive: bool = False,
) -> Authorization:
    """Record a TAR. Decision: a presumptive authorization (the plan's, before any TAR) is entered
    approved unless a status is given; it may have no TAR number. Without one, a new TAR is in progress."""
    if status is None:
        status = Authorization.Status.APPROVED if presumptive else Authorization.Status.IN_PROGRESS
    authorization = Authorization(
        client=client,
        payer=payer,
        procedure=procedure,
        tar_number=(tar_number or "").strip(),
        start_date=start_date,
        end_date=end_date,
        quantity=quantity,
        status=status,
        presumptive=presumptive,
    )
    _validate_authorization(authorization, user)
    with transaction.atomic(durable=True), acting_as(user):
        authorization.full_clean()
        authorization.save()
    return authorization


def update_authorization(*, user: User, authorization: Authorization, **fields: Any) -> Authorization:
    if not in_scope(user, authorization):
        raise ValidationError({"authorization": ["Unknown authorization."]})
    unknown = sorted(set(fields) - AUTHORIZATION_FIELDS)
    if unknown:
        raise ValidationError({name: ["This field cannot be changed on an authorization."] for name in unknown})
    with transaction.atomic(durable=True), acting_as(user):
        for name, value in fields.items():
            setattr(authorization, name, value)
        _validate_authorization(authorization, user)
        authorization.full_clean()
        authorization.save()
    return authorization
