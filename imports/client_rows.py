"""Checking a client sheet: each row is a client, its enrollment in one of the agency's programs and,
optionally, one coverage. Whole columns first (pandas), then each row through the entry checks of
one-by-one entry (`clients.actions.clean_client_fields`, `check_enrollment_dates`,
`coverage.actions.coverage_value_errors`).

Decisions: a row whose client (last name, first name, date of birth) the agency already has is an
error naming that client's id, unless the row's `external_id` is the client's own (then the client's
fields are updated; its enrollments and coverage are left as they are). A client of another agency
with the same name is never revealed: the row creates a new client, as one-by-one entry would after
its duplicate warning.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd
from django.core.exceptions import ValidationError
from django.db.models.functions import Lower, Upper

from clients import actions as client_actions
from clients.models import Agency, Client, Enrollment, Program
from coverage.actions import coverage_value_errors
from coverage.models import Coverage, Payer
from imports import columns as col
from imports.columns import Errors

BATCH = 2_000
COLUMNS = [
    "external_id",
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
    "program_code",
    "requested_date",
    "enrolled_date",
    "payer",
    "priority",
    "coverage_start",
    "coverage_end",
    "insured_id",
    "subscriber_is_client",
]
REQUIRED = [["first_name"], ["last_name"], ["date_of_birth"], ["program_code"], ["requested_date"]]
EXAMPLE = {
    "external_id": "EHR-CL-0042",
    "first_name": "Ana",
    "last_name": "Rivera",
    "date_of_birth": "1988-04-12",
    "ssn": "",
    "address_street": "12 Harbor Way",
    "address_city": "Oceanside",
    "address_state": "CA",
    "address_zip": "92054",
    "billing_address": "Y",
    "financial_info_complete": "Y",
    "program_code": "HBH-MH-OP",
    "requested_date": "2025-03-01",
    "enrolled_date": "2025-03-03",
    "payer": "Medi-Cal",
    "priority": "1",
    "coverage_start": "2025-01-01",
    "coverage_end": "",
    "insured_id": "91234567A",
    "subscriber_is_client": "Y",
}
COVERAGE_COLUMN = {"priority": "priority", "start_date": "coverage_start", "end_date": "coverage_end"}


@dataclass
class Plan:
    creates: list[Client] = field(default_factory=list)
    updates: list[Client] = field(default_factory=list)
    update_fields: set[str] = field(default_factory=set)
    enrollments: list[Enrollment] = field(default_factory=list)
    coverages: list[Coverage] = field(default_factory=list)


def check(frame: pd.DataFrame, agency: Agency) -> tuple[Errors, Plan]:
    errors = Errors()
    for name in ("first_name", "last_name", "date_of_birth", "program_code", "requested_date"):
        col.required(col.column(frame, name), name, errors)
    dob = col.date(col.column(frame, "date_of_birth"), "date_of_birth", errors)
    requested = col.date(col.column(frame, "requested_date"), "requested_date", errors)
    enrolled = col.date(col.column(frame, "enrolled_date"), "enrolled_date", errors)
    coverage_start = col.date(col.column(frame, "coverage_start"), "coverage_start", errors)
    coverage_end = col.date(col.column(frame, "coverage_end"), "coverage_end", errors)
    priority = col.whole_number(col.column(frame, "priority"), "priority", errors)
    billing = col.yes_no(col.column(frame, "billing_address"), "billing_address", errors)
    financial = col.yes_no(col.column(frame, "financial_info_complete"), "financial_info_complete", errors)
    subscriber_text = col.column(frame, "subscriber_is_client").where(
        col.column(frame, "subscriber_is_client") != "", "Y"
    )
    subscriber = col.yes_no(subscriber_text, "subscriber_is_client", errors)
    external = col.column(frame, "external_id")

    programs = pd.DataFrame(
        list(Program.objects.annotate(key=Upper("code")).values_list("key", "id", "agency_id")),
        columns=["program_code", "id", "agency_id"],
    )
    keys = pd.DataFrame({"program_code": col.column(frame, "program_code").str.upper()}, index=frame.index)
    program = col.lookup(keys, programs, ["program_code"], "id").astype("Int64")
    program_agency = col.lookup(keys, programs, ["program_code"], "agency_id").astype("Int64")
    given = keys["program_code"] != ""
    errors.add_mask(given & program.isna(), "program_code", "Unknown program code.")
    errors.add_mask(
        given & program.notna() & ~(program_agency == agency.pk).fillna(False),
        "program_code",
        "The program belongs to another agency.",
    )

    payers = pd.DataFrame(
        list(Payer.objects.annotate(key=Lower("name")).values_list("key", "id")), columns=["payer", "id"]
    )
    keys = pd.DataFrame({"payer": col.column(frame, "payer").str.lower()}, index=frame.index)
    payer = col.lookup(keys, payers, ["payer"], "id").astype("Int64")
    has_payer = keys["payer"] != ""
    errors.add_mask(has_payer & payer.isna(), "payer", "Unknown payer.")
    coverage_given = pd.Series(False, index=frame.index)
    for name in ("priority", "coverage_start", "coverage_end", "insured_id"):
        coverage_given |= col.column(frame, name) != ""
    errors.add_mask(coverage_given & ~has_payer, "payer", "Give the payer of the coverage.")
    errors.add_mask(
        has_payer & (col.column(frame, "coverage_start") == ""),
        "coverage_start",
        "This column is required with a payer.",
    )

    # Duplicates inside the file, and clients the agency already has.
    col.duplicates(external, "external_id", errors, "This external_id is also on row {row}.")
    person = pd.Series(
        [
            f"{last.lower()}|{first.lower()}|{born}" if born is not None else None
            for last, first, born in zip(
                col.column(frame, "last_name"), col.column(frame, "first_name"), dob, strict=True
            )
        ],
        index=frame.index,
        name="person",
    )
    col.duplicates(person, "last_name", errors, "The same client (name and date of birth) is also on row {row}.")
    known_by_external: dict[str, Client] = {}
    if (external != "").any():
        known_by_external = {
            str(client.external_id): client
            for client in Client.objects.filter(
                external_id_agency=agency, external_id__in=set(external[external != ""])
            )
        }
    births = {born for born in dob if born is not None}
    agency_clients: dict[str, int] = {}
    if births:
        for client_id, last, first, born in (
            Client.objects.filter(
                id__in=Enrollment.objects.filter(program__agency=agency).values("client_id"), date_of_birth__in=births
            )
            .annotate(last=Lower("last_name"), first=Lower("first_name"))
            .values_list("id", "last", "first", "date_of_birth")
        ):
            agency_clients.setdefault(f"{last}|{first}|{born}", client_id)

    plan = Plan()
    bad_rows = errors.rows()
    frame_columns = set(frame.columns)
    for position, row in enumerate(frame.index):
        if row in bad_rows:
            continue
        values = {
            "first_name": frame["first_name"].iat[position],
            "last_name": frame["last_name"].iat[position],
            "date_of_birth": dob.iat[position],
            "ssn": col.column(frame, "ssn").iat[position],
            "address_street": col.column(frame, "address_street").iat[position],
            "address_city": col.column(frame, "address_city").iat[position],
            "address_state": col.column(frame, "address_state").iat[position],
            "address_zip": col.column(frame, "address_zip").iat[position],
            "billing_address": bool(billing.iat[position]),
            "financial_info_complete": bool(financial.iat[position]),
        }
        try:
            fields = client_actions.clean_client_fields(values)
            known = known_by_external.get(external.iat[position]) if external.iat[position] else None
            if known is not None:
                # Only the columns the file has change a known client (a missing column keeps its value).
                present = {
                    name: value for name, value in fields.items() if name in frame_columns and (name != "ssn" or value)
                }
                changed = [name for name, value in present.items() if name != "ssn" and getattr(known, name) != value]
                client_actions.apply_client_fields(known, present)
                if changed or "ssn" in present:
                    plan.updates.append(known)
                    plan.update_fields.update(changed)
                    if "ssn" in present:
                        plan.update_fields.update({"ssn_encrypted", "ssn_last4", "ssn_digest"})
                continue
            existing = agency_clients.get(person.iat[position] or "")
            if existing is not None:
                raise ValidationError({"last_name": [f"This agency already has this client (client id {existing})."]})
            status = Enrollment.Status.ENROLLED if enrolled.iat[position] else Enrollment.Status.REQUESTED
            client_actions.check_enrollment_dates(
                status=status,
                requested_date=requested.iat[position],
                enrolled_date=enrolled.iat[position],
                discharged_date=None,
            )
            # The importing agency created the client (as `clients.actions._new_client` records it for one
            # entered on a page): the access rules of a just-created client name it.
            client = Client(created_by_agency=agency)
            if external.iat[position]:
                # Unique per agency: the file's own duplicates were refused above, the agency's
                # existing ids are the known clients updated above.
                client.external_id, client.external_id_agency = external.iat[position], agency
            client_actions.apply_client_fields(client, fields)
            enrollment = Enrollment(
                client=client,
                program_id=int(program.iat[position]),
                status=status,
                requested_date=requested.iat[position],
                enrolled_date=enrolled.iat[position],
            )
            coverage = None
            if has_payer.iat[position]:
                coverage = Coverage(
                    client=client,
                    payer_id=int(payer.iat[position]),
                    priority=int(priority.iat[position]) if pd.notna(priority.iat[position]) else 1,
                    start_date=coverage_start.iat[position],
                    end_date=coverage_end.iat[position],
                    insured_id=col.column(frame, "insured_id").iat[position],
                    subscriber_is_client=bool(subscriber.iat[position]),
                )
                problems = coverage_value_errors(coverage)
                if problems:
                    raise ValidationError(problems)
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                errors.add([row], COVERAGE_COLUMN.get(name, name) if name != "ssn" else "ssn", " ".join(messages))
            continue
        plan.creates.append(client)
        plan.enrollments.append(enrollment)
        if coverage is not None:
            plan.coverages.append(coverage)
    return errors, plan


def write(plan: Plan) -> list[int]:
    """Create clients, then their enrollments and coverages (with the new ids), in batches."""
    Client.objects.bulk_create(plan.creates, batch_size=BATCH)
    for enrollment in plan.enrollments:
        enrollment.client_id = enrollment.client.pk
    for coverage in plan.coverages:
        coverage.client_id = coverage.client.pk
    Enrollment.objects.bulk_create(plan.enrollments, batch_size=BATCH)
    Coverage.objects.bulk_create(plan.coverages, batch_size=BATCH)
    if plan.updates:
        Client.objects.bulk_update(plan.updates, sorted(plan.update_fields) or ["first_name"], batch_size=BATCH)
    return [client.pk for client in plan.creates] + [client.pk for client in plan.updates]
