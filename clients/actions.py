"""Writes of client records: clients and their program enrollments (STYLE.md, "Writes").

Every action takes the acting user, checks agency scope through `common.scope`, validates the
input (a `ValidationError` naming the field; SSNs and names never appear in a message) and writes in
one transaction under `acting_as(user)` so the audit trail records who did it.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.models import User
from clients.address import STATE_RE, ZIP_RE
from clients.models import Agency, Client, Enrollment, Program
from clients.selectors import enrollable_clients_for_user
from common.audit import acting_as
from common.records import create_record, save_new_record, save_record_changes, update_record
from common.scope import scope_queryset
from common.selectors import in_scope

CLIENT_FIELDS = frozenset(
    {
        "first_name",
        "last_name",
        "date_of_birth",
        "ssn",
        "address_street",
        "address_city",
        "address_state",
        "address_zip",
        "billing_address",
        "financial_info_complete",
        "external_id",
    }
)


def check_address_parts(fields: dict[str, Any]) -> dict[str, Any]:
    """State 2 letters and zip 5 or 9 digits when given (upper-cases the state). Blank passes."""
    errors: dict[str, list[str]] = {}
    state = fields.get("address_state")
    if state and not STATE_RE.match(state):
        errors["address_state"] = ["The state must be a 2-letter code."]
    elif state:
        fields["address_state"] = state.upper()
    zip_code = fields.get("address_zip")
    if zip_code and not ZIP_RE.match(zip_code):
        errors["address_zip"] = ["The zip code must be 5 or 9 digits."]
    if errors:
        raise ValidationError(errors)
    return fields


def create_agency(*, user: User, **fields: Any) -> Agency:
    """The NPI's check digit and the tax id's shape are field validators (full_clean checks them)."""
    return create_record(user=user, model=Agency, **check_address_parts(fields))


def update_agency(*, user: User, agency: Agency, **fields: Any) -> Agency:
    return update_record(user=user, instance=agency, **check_address_parts(fields))


def create_program(*, user: User, procedures: Any = None, **fields: Any) -> Program:
    """A program and the procedures it offers (none listed = any procedure)."""
    with transaction.atomic(durable=True), acting_as(user):
        program = save_new_record(Program, **fields)
        if procedures:
            program.procedures.set(procedures)  # type: ignore[attr-defined]  # Procedure.programs' reverse
    return program


def update_program(*, user: User, program: Program, procedures: Any = None, **fields: Any) -> Program:
    """Change a program; `procedures` given replaces the list it offers (empty = any procedure).

    Services already entered keep their procedure: the list guards entry, not history."""
    with transaction.atomic(durable=True), acting_as(user):
        program = save_record_changes(program, **fields)
        if procedures is not None:
            program.procedures.set(procedures)  # type: ignore[attr-defined]
    return program


def external_id_agency(user: User, client: Client) -> Agency | None:
    """The agency a client's external id belongs to (unique per agency; DOMAIN.md, client import).

    Decision: a client may be served by several agencies, each with its own EHR, so "unique per
    agency" means unique among the ids one agency gave. The id is the one of the agency of the user
    who sets it (a provider admin's own agency); for a user without an agency (system admin), the
    agency of the client's first program assignment. None: the client is in no agency yet.
    """
    if user.agency_id:
        return user.agency
    if client.pk is None:
        return None
    first = Enrollment.objects.filter(client=client).select_related("program__agency").order_by("requested_date", "id")
    enrollment = first.first()
    return enrollment.program.agency if enrollment else None


def _set_external_id(user: User, client: Client, value: Any) -> None:
    """Set (or clear, with blank) the client's external id; 400 naming `external_id` when another
    client of the same agency has it. Call inside the writing transaction."""
    external_id = str(value).strip() if value is not None else ""
    if not external_id:
        client.external_id, client.external_id_agency = None, None
        return
    if external_id == client.external_id:
        return
    agency = external_id_agency(user, client)
    if agency is None:
        raise ValidationError(
            {"external_id": ["Enroll the client in a program first: an external id is unique per agency."]}
        )
    # Lock the agency row: two clients of one agency cannot take the same id at once.
    Agency.objects.select_for_update().filter(pk=agency.pk).first()
    taken = Client.objects.filter(external_id_agency=agency, external_id=external_id)
    if client.pk:
        taken = taken.exclude(pk=client.pk)
    if taken.exists():
        raise ValidationError({"external_id": ["Another client of this agency has this external id."]})
    client.external_id, client.external_id_agency = external_id, agency


def ssn_digits(ssn: str) -> str:
    """The nine digits of an SSN typed with or without dashes and spaces; raises on anything else.

    The Social Security Administration never issues an area (first three digits) of 000, 666 or
    900-999, a group (middle two) of 00 or a serial (last four) of 0000: such a number is a typo or a
    placeholder (`000-00-0000`), and a claim with it would be denied, so it is refused at entry.
    """
    digits = re.sub(r"[\s-]", "", ssn)
    if not re.fullmatch(r"[0-9]{9}", digits):
        raise ValidationError({"ssn": ["The SSN must be 9 digits."]})
    area, group, serial = digits[:3], digits[3:5], digits[5:]
    if area in {"000", "666"} or area >= "900" or group == "00" or serial == "0000":
        raise ValidationError(
            {
                "ssn": [
                    "Not a valid SSN: an area of 000, 666 or 900-999, a group of 00 or a serial of 0000 is never issued."
                ]
            }
        )
    return digits


def clean_client_fields(fields: dict[str, Any]) -> dict[str, Any]:
    """Entry-time checks. Blank address parts pass: the nightly ADDRESS_INCOMPLETE rule reports them."""
    errors: dict[str, list[str]] = {}
    unknown = set(fields) - CLIENT_FIELDS
    for name in sorted(unknown):
        errors[name] = ["This field cannot be set on a client."]
    for name in ("first_name", "last_name"):
        if name in fields and not str(fields[name] or "").strip():
            errors[name] = ["This field is required."]
    if "date_of_birth" in fields:
        dob = fields["date_of_birth"]
        if not isinstance(dob, dt.date):
            errors["date_of_birth"] = ["Enter a date (YYYY-MM-DD)."]
        elif dob > dt.date.today():
            errors["date_of_birth"] = ["The date of birth cannot be in the future."]
    try:
        check_address_parts(fields)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if fields.get("ssn"):
        try:
            fields["ssn"] = ssn_digits(fields["ssn"])
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    return fields


def apply_client_fields(client: Client, fields: dict[str, Any]) -> Client:
    """Set checked fields on a client without saving (the SSN encrypted); then the model's own field
    checks, which need no query. Shared with the client import, which saves in bulk."""
    fields = dict(fields)
    ssn = fields.pop("ssn", None)
    for name, value in fields.items():
        setattr(client, name, value)
    if ssn is not None:
        client.set_ssn(ssn)
    client.full_clean(validate_unique=False, validate_constraints=False)
    return client


def _save_client(client: Client, fields: dict[str, Any], user: User) -> Client:
    fields = dict(fields)
    if "external_id" in fields:
        _set_external_id(user, client, fields.pop("external_id"))
    apply_client_fields(client, fields)
    client.validate_unique()
    client.validate_constraints()
    client.save()
    return client


def create_client(
    *,
    user: User,
    first_name: str,
    last_name: str,
    date_of_birth: dt.date,
    ssn: str = "",
    address_street: str = "",
    address_city: str = "",
    address_state: str = "",
    address_zip: str = "",
    billing_address: bool = False,
    financial_info_complete: bool = False,
    external_id: str | None = None,
) -> Client:
    """Create a client. It belongs to no agency until it is enrolled in a program (`create_enrollment`)."""
    fields = clean_client_fields(
        {
            "first_name": first_name,
            "last_name": last_name,
            "date_of_birth": date_of_birth,
            "ssn": ssn,
            "address_street": address_street,
            "address_city": address_city,
            "address_state": address_state,
            "address_zip": address_zip,
            "billing_address": billing_address,
            "financial_info_complete": financial_info_complete,
            "external_id": external_id,
        }
    )
    with transaction.atomic(durable=True), acting_as(user):
        return _save_client(_new_client(user), fields, user)


def _new_client(user: User) -> Client:
    """A provider's new client remembers the agency, which alone may give it its first enrollment."""
    return Client(created_by_agency_id=None if user.sees_all_agencies else user.agency_id)


def create_client_with_enrollment(
    *, user: User, program: Program | None, requested_date: dt.date | None, **client_fields: Any
) -> Client:
    """A new client and, when a program is given, its first program assignment (requested), in one
    transaction: without the enrollment a provider admin's new client would be outside their own
    agency's scope, so neither is written without the other."""
    fields = clean_client_fields({**client_fields})
    with transaction.atomic(durable=True), acting_as(user):
        client = _save_client(_new_client(user), fields, user)
        if program:
            _enroll(
                user=user,
                client=client,
                program=program,
                status=Enrollment.Status.REQUESTED,
                requested_date=requested_date,
            )
    return client


def update_client(*, user: User, client: Client, **fields: Any) -> Client:
    """Change a client's fields. `ssn` absent keeps the SSN; `ssn=""` clears it; digits re-encrypt it."""
    if not in_scope(user, client):
        raise ValidationError({"client": ["Unknown client."]})
    fields = clean_client_fields(dict(fields))
    with transaction.atomic(durable=True), acting_as(user):
        return _save_client(client, fields, user)


def _program_for_user(user: User, program: Program) -> Program:
    if not scope_queryset(Program.objects.filter(pk=program.pk), user).exists():
        raise ValidationError({"program": ["Unknown program."]})
    return program


def _client_enrollable(user: User, client: Client) -> None:
    """A provider admin may enroll a client of their agency, or a client their agency created that
    is enrolled nowhere yet (`clients.selectors.enrollable_clients_for_user` says why). Another
    agency's client is "Unknown client.", as a client id that does not exist."""
    if not enrollable_clients_for_user(user).filter(pk=client.pk).exists():
        raise ValidationError({"client": ["Unknown client."]})


def check_enrollment_dates(*, status: str, requested_date: Any, enrolled_date: Any, discharged_date: Any) -> None:
    errors: dict[str, list[str]] = {}
    if status not in Enrollment.Status.values:
        raise ValidationError({"status": [f"Choose one of: {', '.join(Enrollment.Status.values)}."]})
    if requested_date is None:
        errors["requested_date"] = ["This field is required."]
    if status == Enrollment.Status.REQUESTED:
        if enrolled_date is not None:
            errors["enrolled_date"] = ["A requested enrollment has no enrolled date yet."]
        if discharged_date is not None:
            errors["discharged_date"] = ["A requested enrollment has no discharged date yet."]
    elif status == Enrollment.Status.ENROLLED:
        if enrolled_date is None:
            errors["enrolled_date"] = ["An enrolled enrollment needs its enrolled date."]
        if discharged_date is not None:
            errors["discharged_date"] = ["Only a discharged enrollment has a discharged date."]
    elif discharged_date is None:
        errors["discharged_date"] = ["A discharged enrollment needs its discharged date."]
    if requested_date is not None and enrolled_date is not None and enrolled_date < requested_date:
        errors.setdefault("enrolled_date", []).append("The enrolled date cannot be before the requested date.")
    floor = enrolled_date or requested_date
    if floor is not None and discharged_date is not None and discharged_date < floor:
        errors.setdefault("discharged_date", []).append(
            "The discharged date cannot be before the enrolled (or requested) date."
        )
    if errors:
        raise ValidationError(errors)


def _check_one_open(enrollment: Enrollment) -> None:
    if enrollment.status == Enrollment.Status.DISCHARGED:
        return
    others = Enrollment.objects.filter(client_id=enrollment.client_id, program_id=enrollment.program_id).exclude(
        status=Enrollment.Status.DISCHARGED
    )
    if enrollment.pk:
        others = others.exclude(pk=enrollment.pk)
    if others.exists():
        raise ValidationError({"program": ["The client already has an open enrollment in this program."]})


def create_enrollment(
    *,
    user: User,
    client: Client,
    program: Program,
    status: str = Enrollment.Status.REQUESTED,
    requested_date: dt.date,
    enrolled_date: dt.date | None = None,
    discharged_date: dt.date | None = None,
) -> Enrollment:
    with transaction.atomic(durable=True), acting_as(user):
        return _enroll(
            user=user,
            client=client,
            program=program,
            status=status,
            requested_date=requested_date,
            enrolled_date=enrolled_date,
            discharged_date=discharged_date,
        )


def _enroll(
    *,
    user: User,
    client: Client,
    program: Program,
    status: str,
    requested_date: dt.date | None,
    enrolled_date: dt.date | None = None,
    discharged_date: dt.date | None = None,
) -> Enrollment:
    """The enrollment write, inside the caller's transaction (create_enrollment, create_client_with_enrollment)."""
    _program_for_user(user, program)
    check_enrollment_dates(
        status=status, requested_date=requested_date, enrolled_date=enrolled_date, discharged_date=discharged_date
    )
    assert requested_date is not None  # check_enrollment_dates refused a missing one
    # Lock the client so two concurrent first enrollments cannot both pass the checks.
    Client.objects.select_for_update().filter(pk=client.pk).first()
    _client_enrollable(user, client)
    enrollment = Enrollment(
        client=client,
        program=program,
        status=status,
        requested_date=requested_date,
        enrolled_date=enrolled_date,
        discharged_date=discharged_date,
    )
    _check_one_open(enrollment)
    enrollment.full_clean()
    enrollment.save()
    return enrollment


def change_enrollment_status(*, user: User, enrollment: Enrollment, status: str, on_date: dt.date) -> Enrollment:
    """Move an enrollment along Enrollment.TRANSITIONS, dating the move `on_date`."""
    if not in_scope(user, enrollment):
        raise ValidationError({"enrollment": ["Unknown enrollment."]})
    if status not in Enrollment.Status.values:
        raise ValidationError({"status": [f"Choose one of: {', '.join(Enrollment.Status.values)}."]})
    if status == enrollment.status:
        return enrollment
    if status not in Enrollment.TRANSITIONS[enrollment.status]:
        raise ValidationError({"status": [f"An enrollment cannot go from {enrollment.status} to {status}."]})
    enrolled_date = enrollment.enrolled_date
    discharged_date = enrollment.discharged_date
    if status == Enrollment.Status.ENROLLED:
        enrolled_date = on_date
    else:
        discharged_date = on_date
    check_enrollment_dates(
        status=status,
        requested_date=enrollment.requested_date,
        enrolled_date=enrolled_date,
        discharged_date=discharged_date,
    )
    with transaction.atomic(durable=True), acting_as(user):
        enrollment.status = status
        enrollment.enrolled_date = enrolled_date
        enrollment.discharged_date = discharged_date
        enrollment.full_clean()
        enrollment.save()
    return enrollment


def update_enrollment(*, user: User, enrollment: Enrollment, **fields: Any) -> Enrollment:
    """Change an enrollment's program or dates; a status change goes through the allowed transitions.

    With `status`, the move is dated by the matching date field given (enrolled_date for enrolled,
    discharged_date for discharged), else today.
    """
    if not in_scope(user, enrollment):
        raise ValidationError({"enrollment": ["Unknown enrollment."]})
    allowed = {"program", "status", "requested_date", "enrolled_date", "discharged_date"}
    unknown = sorted(set(fields) - allowed)
    if unknown:
        raise ValidationError({name: ["This field cannot be changed on an enrollment."] for name in unknown})
    if "client" in fields and fields["client"].pk != enrollment.client_id:
        raise ValidationError({"client": ["An enrollment cannot move to another client."]})
    with transaction.atomic(durable=True), acting_as(user):
        new_status = fields.pop("status", enrollment.status)
        if "program" in fields:
            enrollment.program = _program_for_user(user, fields.pop("program"))
        for name, value in fields.items():
            setattr(enrollment, name, value)
        if new_status != enrollment.status:
            if new_status not in Enrollment.Status.values:
                raise ValidationError({"status": [f"Choose one of: {', '.join(Enrollment.Status.values)}."]})
            if new_status not in Enrollment.TRANSITIONS[enrollment.status]:
                raise ValidationError(
                    {"status": [f"An enrollment cannot go from {enrollment.status} to {new_status}."]}
                )
            today = dt.date.today()
            if new_status == Enrollment.Status.ENROLLED and enrollment.enrolled_date is None:
                enrollment.enrolled_date = today
            if new_status == Enrollment.Status.DISCHARGED and enrollment.discharged_date is None:
                enrollment.discharged_date = today
            enrollment.status = new_status
        check_enrollment_dates(
            status=enrollment.status,
            requested_date=enrollment.requested_date,
            enrolled_date=enrollment.enrolled_date,
            discharged_date=enrollment.discharged_date,
        )
        _check_one_open(enrollment)
        enrollment.full_clean()
        enrollment.save()
    return enrollment
