"""Checking a service sheet: whole columns first (pandas), then each row through the same entry checks
as one-by-one entry (`services.actions.check_service_values` and `check_service_references`).

The result is either the errors of every bad row or the services to create and to update; nothing
is written here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from django.core.exceptions import ValidationError
from django.db.models.functions import Lower, Upper

from clients.models import Agency, Client, Enrollment, Location, Program, Staff
from imports import columns as col
from imports.columns import Errors
from services import actions as service_actions
from services.models import Procedure, ProgramProcedure, Service

BATCH = 2_000
COLUMNS = [
    "external_id",
    "client_id",
    "last_name",
    "first_name",
    "date_of_birth",
    "program_code",
    "procedure_code",
    "modifier",
    "clinician_id",
    "clinician_npi",
    "location",
    "start",
    "duration_minutes",
    "mode_of_delivery",
    "note_signed",
    "delay_reason_code",
    "billed_amount",
]
REQUIRED = [
    ["client_id", "last_name+first_name+date_of_birth"],
    ["program_code"],
    ["procedure_code"],
    ["clinician_id", "clinician_npi"],
    ["location"],
    ["start"],
    ["duration_minutes"],
]
EXAMPLE = {
    "external_id": "EHR-2025-000123",
    "client_id": "",
    "last_name": "Rivera",
    "first_name": "Ana",
    "date_of_birth": "1988-04-12",
    "program_code": "HBH-MH-OP",
    "procedure_code": "H0004",
    "modifier": "",
    "clinician_id": "",
    "clinician_npi": "1234567893",
    "location": "Main Clinic",
    "start": "2025-03-04 09:30",
    "duration_minutes": "45",
    "mode_of_delivery": "in_person",
    "note_signed": "Y",
    "delay_reason_code": "",
    "billed_amount": "",
}


@dataclass
class Plan:
    creates: list[Service] = field(default_factory=list)
    updates: list[Service] = field(default_factory=list)
    update_fields: set[str] = field(default_factory=set)


def _clients_by_name(frame: pd.DataFrame, agency: Agency, errors: Errors) -> pd.Series:
    """Client ids matched by last name + first name + date of birth: exactly one client of the agency.

    The messages never repeat the name or date of birth (PHI stays out of error lists and logs).
    """
    by_name = frame["client_id"] == ""
    keys = pd.DataFrame(
        {
            "last": col.column(frame, "last_name").str.lower(),
            "first": col.column(frame, "first_name").str.lower(),
        },
        index=frame.index,
    )
    keys["dob"] = col.date(col.column(frame, "date_of_birth").where(by_name, ""), "date_of_birth", errors)
    if all(name in frame.columns for name in ("last_name", "first_name", "date_of_birth")):
        for name in ("last_name", "first_name", "date_of_birth"):
            errors.add_mask(
                by_name & (frame[name] == ""), name, "Give client_id, or the last name, first name and date of birth."
            )
    else:
        errors.add_mask(by_name, "client_id", "This column is required.")
    wanted = keys[by_name & keys["dob"].notna()]
    if wanted.empty:
        return pd.Series(pd.NA, index=frame.index, dtype="Int64")
    candidates = (
        Client.objects.filter(
            id__in=Enrollment.objects.filter(program__agency=agency).values("client_id"),
            date_of_birth__in=set(wanted["dob"]),
        )
        .annotate(last=Lower("last_name"), first=Lower("first_name"))
        .values_list("id", "last", "first", "date_of_birth")
    )
    reference = pd.DataFrame(list(candidates), columns=["id", "last", "first", "dob"])
    found = col.lookup(wanted, reference, ["last", "first", "dob"], "id")
    several = col.ambiguous(wanted, reference, ["last", "first", "dob"])
    errors.add_mask(
        several, "last_name", "More than one client of this agency has this name and date of birth: give client_id."
    )
    errors.add_mask(found.isna() & ~several, "last_name", "No client of this agency has this name and date of birth.")
    return found.astype("Int64").reindex(frame.index)


def _clinicians(frame: pd.DataFrame, agency: Agency, errors: Errors) -> tuple[pd.Series, pd.Series, str]:
    """Clinician id and agency per row, from clinician_id or else clinician_npi (the agency's first)."""
    ids = col.whole_number(col.column(frame, "clinician_id"), "clinician_id", errors)
    npis = col.column(frame, "clinician_npi")
    by_npi = ids.isna() & (col.column(frame, "clinician_id") == "")
    name = "clinician_id" if "clinician_id" in frame.columns else "clinician_npi"
    errors.add_mask(by_npi & (npis == ""), name, "Give clinician_id or clinician_npi.")
    staff = pd.DataFrame(
        list(Staff.objects.filter(pk__in=[int(v) for v in ids.dropna().unique()]).values_list("id", "agency_id")),
        columns=["id", "agency_id"],
    )
    agency_of = staff.set_index("id")["agency_id"]
    found_id = ids.where(ids.isin(agency_of.index))
    errors.add_mask(ids.notna() & found_id.isna(), "clinician_id", "Unknown clinician.")
    wanted_npi = npis.where(by_npi & (npis != ""))
    if wanted_npi.notna().any():
        rows = Staff.objects.filter(npi__in=set(wanted_npi.dropna())).values_list("id", "agency_id", "npi")
        reference = pd.DataFrame(list(rows), columns=["id", "agency_id", "npi"])
        # Prefer the agency's own clinician with that NPI; an NPI only another agency holds is kept so
        # the entry check says "another agency", like one-by-one entry does.
        own = reference[reference["agency_id"] == agency.pk]
        keys = pd.DataFrame({"npi": wanted_npi}, index=frame.index)[wanted_npi.notna()]
        found_own = col.lookup(keys, own, ["npi"], "id")
        several = col.ambiguous(keys, own, ["npi"])
        errors.add_mask(
            several, "clinician_npi", "More than one clinician of this agency has this NPI: give clinician_id."
        )
        other = col.lookup(keys, reference.drop_duplicates("npi"), ["npi"], "id")
        found_npi = found_own.where(found_own.notna() | several, other)
        errors.add_mask(found_npi.isna() & ~several, "clinician_npi", "Unknown clinician NPI.")
        by_npi = reference.set_index("id")["agency_id"]
        # (pandas warns when concat meets an empty part: skip it rather than rely on the old dtype rule)
        parts = [part for part in (agency_of, by_npi) if len(part)]
        agency_of = pd.concat(parts) if parts else by_npi
        agency_of = agency_of[~agency_of.index.duplicated()]
        found_id = found_id.fillna(found_npi.reindex(frame.index))
    clinician = found_id.astype("Int64")
    return clinician, clinician.map(agency_of).astype("Int64"), name


def check(frame: pd.DataFrame, agency: Agency) -> tuple[Errors, Plan]:
    errors = Errors()
    n = len(frame)
    if "client_id" not in frame.columns:
        frame = frame.assign(client_id="")

    # --- types and required values, whole columns at once -------------------------------------
    client_ids = col.whole_number(frame["client_id"], "client_id", errors)
    named_clients = _clients_by_name(frame, agency, errors)
    client = client_ids.fillna(named_clients) if n else client_ids
    col.required(col.column(frame, "program_code"), "program_code", errors)
    col.required(col.column(frame, "procedure_code"), "procedure_code", errors)
    col.required(col.column(frame, "location"), "location", errors)
    col.required(col.column(frame, "start"), "start", errors)
    col.required(col.column(frame, "duration_minutes"), "duration_minutes", errors)
    start = col.county_datetime(col.column(frame, "start"), "start", errors)
    # A zero duration is left to the entry check (one message for it, the same as one-by-one entry).
    minutes = col.whole_number(col.column(frame, "duration_minutes"), "duration_minutes", errors)
    mode = col.choice(
        col.column(frame, "mode_of_delivery"),
        "mode_of_delivery",
        errors,
        Service.ModeOfDelivery.choices,
        Service.ModeOfDelivery.IN_PERSON,
    )
    note_signed = col.yes_no(col.column(frame, "note_signed"), "note_signed", errors)
    billed = col.amount(col.column(frame, "billed_amount"), "billed_amount", errors)
    delay = col.column(frame, "delay_reason_code")
    external = col.column(frame, "external_id")

    # --- lookups as joins against the scope's reference data ----------------------------------
    programs = pd.DataFrame(
        list(Program.objects.annotate(key=Upper("code")).values_list("key", "id", "agency_id")),
        columns=["program_code", "id", "agency_id"],
    )
    keys = pd.DataFrame({"program_code": col.column(frame, "program_code").str.upper()}, index=frame.index)
    program = col.lookup(keys, programs, ["program_code"], "id").astype("Int64")
    program_agency = col.lookup(keys, programs, ["program_code"], "agency_id").astype("Int64")
    given = keys["program_code"] != ""
    errors.add_mask(given & program.isna(), "program_code", "Unknown program code.")
    in_scope = (program_agency == agency.pk).fillna(False)
    errors.add_mask(given & program.notna() & ~in_scope, "program_code", "The program belongs to another agency.")

    procedures = pd.DataFrame(
        list(Procedure.objects.annotate(c=Upper("code"), m=Upper("modifier")).values_list("c", "m", "id")),
        columns=["code", "modifier", "id"],
    )
    keys = pd.DataFrame(
        {
            "code": col.column(frame, "procedure_code").str.upper(),
            "modifier": col.column(frame, "modifier").str.upper(),
        },
        index=frame.index,
    )
    procedure = col.lookup(keys, procedures, ["code", "modifier"], "id").astype("Int64")
    errors.add_mask((keys["code"] != "") & procedure.isna(), "procedure_code", "Unknown procedure code and modifier.")

    locations = pd.DataFrame(
        list(Location.objects.annotate(key=Lower("name")).values_list("key", "id")), columns=["location", "id"]
    )
    keys = pd.DataFrame({"location": col.column(frame, "location").str.lower()}, index=frame.index)
    location = col.lookup(keys, locations, ["location"], "id").astype("Int64")
    several = col.ambiguous(keys, locations, ["location"])
    errors.add_mask(several, "location", "More than one location has this name.")
    errors.add_mask((keys["location"] != "") & location.isna() & ~several, "location", "Unknown location.")

    clinician, clinician_agency, clinician_column = _clinicians(frame, agency, errors)

    enrolled = set(
        Enrollment.objects.filter(program__agency=agency, client_id__in=[int(v) for v in client.dropna().unique()])
        .values_list("client_id", flat=True)
        .distinct()
    )

    # --- duplicates inside the file -------------------------------------------------------------
    col.duplicates(external, "external_id", errors, "This external_id is also on row {row}.")
    same = pd.Series(
        [
            f"{c}|{p}|{s}" if pd.notna(c) and pd.notna(p) and pd.notna(s) else None
            for c, p, s in zip(client, procedure, start, strict=True)
        ],
        index=frame.index,
        name="key",
    )
    col.duplicates(same, "start", errors, "The same client, procedure and start are also on row {row}.")

    # --- existing services by external_id (re-import) ---------------------------------------------
    existing: dict[str, Service] = {}
    if (external != "").any():
        existing = {
            str(service.external_id): service
            for service in Service.objects.select_related("procedure", "program").filter(
                program__agency=agency, external_id__in=set(external[external != ""])
            )
        }

    # --- each row through the entry checks of one-by-one entry ------------------------------------
    plan = Plan()
    column_of = {
        "client": "client_id" if "client_id" in frame.columns and (frame["client_id"] != "").any() else "last_name",
        "program": "program_code",
        "clinician": clinician_column,
        "procedure": "procedure_code",
        "location": "location",
    }
    # The objects the entry checks read (program, procedure), and the procedures each program lists,
    # fetched once for the file instead of once per row.
    program_objects = Program.objects.in_bulk([int(v) for v in program.dropna().unique()])
    procedure_objects = Procedure.objects.in_bulk([int(v) for v in procedure.dropna().unique()])
    offered: dict[int, set[int]] = {pk: set() for pk in program_objects}
    for program_id, procedure_id in ProgramProcedure.objects.filter(program_id__in=list(program_objects)).values_list(
        "program_id", "procedure_id"
    ):
        offered[program_id].add(procedure_id)
    bad_rows = errors.rows()
    # Plain Python lists: reading a pandas value per cell (`.iat`) costs more than the checks.
    values = {
        "client": client.tolist(),
        "program": program.tolist(),
        "procedure": procedure.tolist(),
        "clinician": clinician.tolist(),
        "clinician_agency": clinician_agency.tolist(),
        "location": location.tolist(),
        "start": [stamp.to_pydatetime() if pd.notna(stamp) else None for stamp in start],
        "minutes": minutes.tolist(),
        "mode": mode.tolist(),
        "note_signed": note_signed.tolist(),
        "delay": delay.tolist(),
        "billed": billed.tolist(),
        "external": external.tolist(),
    }
    # The model's own field checks that the columns above do not already make (the id's length).
    unchecked = [f.name for f in Service._meta.concrete_fields if f.name != "external_id"]
    for position, row in enumerate(frame.index):
        if row in bad_rows:
            continue
        program_id = int(values["program"][position])
        external_id = values["external"][position]
        fields: dict[str, Any] = {
            "client_id": int(values["client"][position]),
            "program": program_objects[program_id],
            "procedure": procedure_objects[int(values["procedure"][position])],
            "clinician_id": int(values["clinician"][position]),
            "location_id": int(values["location"][position]),
            "start": values["start"][position],
            "duration_minutes": int(values["minutes"][position]),
            "mode_of_delivery": values["mode"][position],
            "note_signed": bool(values["note_signed"][position]),
            "delay_reason_code": values["delay"][position],
            "billed_amount": values["billed"][position],
            "external_id": service_actions.normal_external_id(external_id),
        }
        try:
            service_actions.check_service_references(
                status=Service.Status.SHOW,
                program_in_scope=True,
                clinician_agency_id=values["clinician_agency"][position],
                program_agency_id=agency.pk,
                client_enrolled=fields["client_id"] in enrolled,
            )
            known = existing.get(external_id) if external_id else None
            if known is None:
                service = Service(**fields)
                service_actions.check_service_values(service, offered=offered[program_id])
                service.full_clean(exclude=unchecked, validate_unique=False, validate_constraints=False)
                plan.creates.append(service)
            else:
                fixed = service_actions.fixed_field_errors(
                    known,
                    {
                        "client": fields["client_id"],
                        "program": program_id,
                        "clinician": fields["clinician_id"],
                    },
                )
                if fixed:
                    raise ValidationError(fixed)
                changes = {
                    name: value
                    for name, value in fields.items()
                    if name not in {"client_id", "program", "clinician_id", "external_id"}
                }
                changed = service_actions.apply_correction(known, changes, offered=offered[program_id])
                if changed:
                    plan.updates.append(known)
                    plan.update_fields.update(changed)
        except service_actions.ServiceLocked as exc:
            errors.add([row], "external_id", str(exc))
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                errors.add([row], column_of.get(name, name), " ".join(messages))
    return errors, plan


def write(plan: Plan) -> list[int]:
    """Create and update the checked services in batches (the caller holds the transaction)."""
    Service.objects.bulk_create(plan.creates, batch_size=BATCH)
    if plan.updates:
        Service.objects.bulk_update(plan.updates, sorted({*plan.update_fields, "updated_at"}), batch_size=BATCH)
    return [service.pk for service in plan.creates] + [service.pk for service in plan.updates]
