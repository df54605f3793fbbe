"""Two agencies with the reference data a service sheet names, and helpers to build and upload sheets."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io

import openpyxl
import pytest
from rest_framework.test import APIClient

from accounts.models import User
from clients.models import Agency, Client, Location, Program, Staff
from services.models import Procedure
from tests import factories


@dataclasses.dataclass
class World:
    agency: Agency
    other: Agency
    admin: User
    other_admin: User
    county: User
    program: Program
    other_program: Program
    clinician: Staff
    other_clinician: Staff
    location: Location
    procedure: Procedure
    client: Client
    named_client: Client
    other_client: Client


@pytest.fixture
def world(db) -> World:
    agency = factories.AgencyFactory(name="Harbor")
    other = factories.AgencyFactory(name="Mesa")
    program = factories.ProgramFactory(agency=agency, code="HBH-MH")
    other_program = factories.ProgramFactory(agency=other, code="MESA-MH")
    procedure = factories.ProcedureFactory(code="H0004", modifier="")
    factories.ProcedureFactory(code="H0004", modifier="HQ")
    client = factories.ClientFactory(first_name="Ana", last_name="Rivera", date_of_birth=dt.date(1988, 4, 12))
    named_client = factories.ClientFactory(first_name="Bo", last_name="Chen", date_of_birth=dt.date(1990, 1, 2))
    other_client = factories.ClientFactory()
    for c in (client, named_client):
        factories.EnrollmentFactory(client=c, program=program)
    factories.EnrollmentFactory(client=other_client, program=other_program)
    return World(
        agency=agency,
        other=other,
        admin=factories.UserFactory(agency=agency, username="harbor-admin"),
        other_admin=factories.UserFactory(agency=other, username="mesa-admin"),
        county=factories.CountyUserFactory(username="county-imports"),
        program=program,
        other_program=other_program,
        clinician=factories.StaffFactory(agency=agency, npi="1234567893"),
        other_clinician=factories.StaffFactory(agency=other, npi="1245319599"),
        location=factories.LocationFactory(name="Main Clinic"),
        procedure=procedure,
        client=client,
        named_client=named_client,
        other_client=other_client,
    )


def service_row(world: World, **overrides: str) -> dict[str, str]:
    row = {
        "external_id": "",
        "client_id": str(world.client.pk),
        "program_code": world.program.code,
        "procedure_code": "H0004",
        "modifier": "",
        "clinician_id": str(world.clinician.pk),
        "location": "Main Clinic",
        "start": "2026-03-02 09:30",
        "duration_minutes": "45",
        "mode_of_delivery": "in_person",
        "note_signed": "Y",
        "delay_reason_code": "",
    }
    row.update(overrides)
    return row


def csv_bytes(rows: list[dict[str, str]], *, delimiter: str = ",", bom: bool = False) -> bytes:
    buffer = io.StringIO()
    names = list(dict.fromkeys(name for row in rows for name in row))
    writer = csv.DictWriter(buffer, fieldnames=names, delimiter=delimiter, lineterminator="\r\n", restval="")
    writer.writeheader()
    writer.writerows(rows)
    data = buffer.getvalue().encode("utf-8")
    return (b"\xef\xbb\xbf" + data) if bom else data


def xlsx_bytes(rows: list[dict[str, object]], header: list[str] | None = None) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    header = header or list(rows[0])
    sheet.append(header)
    for row in rows:
        sheet.append([row.get(name) for name in header])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def api_for(user: User) -> APIClient:
    api = APIClient()
    api.force_authenticate(user)
    return api


def upload(user: User, data: bytes, *, name: str = "services.csv", kind: str = "services", **fields: object):
    file = io.BytesIO(data)
    file.name = name
    return api_for(user).post("/api/imports/", {"kind": kind, "file": file, **fields}, format="multipart")
