"""Client imports: a client, its enrollment and optionally a coverage per row; all-or-nothing."""

from __future__ import annotations

import pghistory.models
import pytest

from clients.models import Client, Enrollment
from coverage.models import Coverage
from imports.models import Import
from tests import factories
from tests.imports.conftest import csv_bytes, upload, xlsx_bytes

pytestmark = pytest.mark.django_db


def client_row(world, **overrides: str) -> dict[str, str]:
    row = {
        "external_id": "",
        "first_name": "Dee",
        "last_name": "Okafor",
        "date_of_birth": "1975-06-30",
        "ssn": "123-45-6789",
        "address_street": "1 Main St",
        "address_city": "San Diego",
        "address_state": "ca",
        "address_zip": "92101",
        "billing_address": "Y",
        "financial_info_complete": "N",
        "program_code": world.program.code,
        "requested_date": "2026-01-05",
        "enrolled_date": "2026-01-07",
        "payer": "",
        "priority": "",
        "coverage_start": "",
        "coverage_end": "",
        "insured_id": "",
        "subscriber_is_client": "",
    }
    row.update(overrides)
    return row


def errors_of(response) -> list[tuple[int | None, str | None, str]]:
    return [(e["row"], e["column"], e["message"]) for e in response.data["errors"]]


def test_clients_with_enrollment_and_coverage(world):
    payer = factories.PayerFactory(name="Other Health")
    rows = [
        client_row(world),
        client_row(
            world,
            first_name="Eli",
            ssn="",
            enrolled_date="",
            payer="other health",
            coverage_start="2026-01-01",
            insured_id="X1",
        ),
    ]
    response = upload(world.admin, csv_bytes(rows), kind="clients", name="clients.csv")
    assert response.status_code == 201, response.data
    assert (response.data["rows"], response.data["created"]) == (2, 2)
    dee, eli = Client.objects.filter(pk__in=Import.objects.get().record_ids).order_by("first_name")
    assert dee.ssn_last4 == "6789"
    assert dee.get_ssn() == "123456789"
    assert dee.address_state == "CA"
    assert dee.billing_address
    assert Enrollment.objects.get(client=dee).status == "enrolled"
    assert Enrollment.objects.get(client=eli).status == "requested"
    coverage = Coverage.objects.get(client=eli)
    assert coverage.payer == payer
    assert coverage.priority == 1
    assert coverage.insured_id == "X1"
    events = pghistory.models.Events.objects.filter(
        pgh_model="clients.ClientEvent", pgh_obj_id__in=[str(dee.pk), str(eli.pk)]
    )
    assert {event.pgh_context["user"] for event in events} == {world.admin.pk}
    # The new clients are now the agency's: the provider admin sees them.
    assert Client.objects.filter(enrollments__program__agency=world.agency, pk=dee.pk).exists()


@pytest.mark.parametrize(
    ("overrides", "column", "message"),
    [
        ({"first_name": ""}, "first_name", "This column is required."),
        ({"date_of_birth": "30/06/1975"}, "date_of_birth", "Enter a date as YYYY-MM-DD."),
        ({"date_of_birth": "2999-01-01"}, "date_of_birth", "The date of birth cannot be in the future."),
        ({"ssn": "12345"}, "ssn", "The SSN must be 9 digits."),
        ({"address_zip": "9210"}, "address_zip", "The zip code must be 5 or 9 digits."),
        ({"program_code": "MESA-MH"}, "program_code", "The program belongs to another agency."),
        ({"program_code": "NOPE"}, "program_code", "Unknown program code."),
        ({"enrolled_date": "2026-01-01"}, "enrolled_date", "The enrolled date cannot be before the requested date."),
        ({"payer": "Nobody Pays", "coverage_start": "2026-01-01"}, "payer", "Unknown payer."),
        ({"insured_id": "X"}, "payer", "Give the payer of the coverage."),
        ({"billing_address": "perhaps"}, "billing_address", "Enter Y or N."),
    ],
)
def test_each_column_error(world, overrides, column, message):
    before = Client.objects.count()
    rows = [client_row(world, first_name="Fay"), client_row(world, **overrides)]
    response = upload(world.admin, csv_bytes(rows), kind="clients", name="c.csv")
    assert response.status_code == 400
    assert errors_of(response) == [(2, column, message)]
    assert Client.objects.count() == before


def test_duplicates_in_file_and_clients_the_agency_has(world):
    rows = [
        client_row(world),
        client_row(world, first_name="DEE"),
        client_row(world, first_name="Ana", last_name="Rivera", date_of_birth="1988-04-12"),
    ]
    response = upload(world.admin, csv_bytes(rows), kind="clients", name="c.csv")
    assert errors_of(response) == [
        (2, "last_name", "The same client (name and date of birth) is also on row 1."),
        (3, "last_name", f"This agency already has this client (client id {world.client.pk})."),
    ]


def test_reimport_by_external_id_updates_the_client(world):
    rows = [client_row(world, external_id="C-1")]
    assert upload(world.admin, csv_bytes(rows), kind="clients", name="c.csv").data["created"] == 1
    rows[0]["address_city"] = "Chula Vista"
    response = upload(world.admin, csv_bytes(rows), kind="clients", name="c.csv")
    assert (response.data["created"], response.data["updated"]) == (0, 1), response.data
    client = Client.objects.get(external_id="C-1")
    assert client.address_city == "Chula Vista"
    assert Client.objects.filter(last_name="Okafor").count() == 1


def test_clients_from_xlsx(world):
    response = upload(world.admin, xlsx_bytes([client_row(world)]), kind="clients", name="c.xlsx")
    assert response.status_code == 201, response.data
