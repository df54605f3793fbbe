"""Service imports through the API: every column's errors, all-or-nothing, both formats, scope, audit."""

from __future__ import annotations

import datetime as dt

import pghistory.models
import pytest

from imports.models import Import
from services.models import ProgramProcedure, Service
from services.validators import DELAY_REASONS
from tests import factories
from tests.imports.conftest import csv_bytes, service_row, upload, xlsx_bytes

pytestmark = pytest.mark.django_db
DELAY_MESSAGE = f"Choose an X12 claim delay reason code: {', '.join(DELAY_REASONS)}."


def errors_of(response) -> list[tuple[int | None, str | None, str]]:
    return [(e["row"], e["column"], e["message"]) for e in response.data["errors"]]


def test_clean_file_is_committed_in_one_go(world):
    before = Service.objects.count()
    rows = [service_row(world), service_row(world, start="2026-03-03 10:00", modifier="hq")]
    response = upload(world.admin, csv_bytes(rows))
    assert response.status_code == 201, response.data
    assert response.data["status"] == "committed"
    assert (response.data["rows"], response.data["created"], response.data["updated"]) == (2, 2, 0)
    assert response.data["errors"] == []
    assert Service.objects.count() == before + 2
    imported = Service.objects.filter(pk__in=Import.objects.get().record_ids).order_by("start")
    first, second = imported
    assert first.client == world.client
    assert first.program == world.program
    assert first.clinician == world.clinician
    assert first.start.astimezone(dt.UTC) == dt.datetime(2026, 3, 2, 17, 30, tzinfo=dt.UTC)  # 09:30 Pacific
    assert first.note_signed
    assert first.duration_minutes == 45
    assert first.status == "show"
    assert second.procedure.modifier == "HQ"


def test_dry_run_checks_and_writes_nothing(world):
    before = Service.objects.count()
    response = upload(world.admin, csv_bytes([service_row(world)]), dry_run="true")
    assert response.status_code == 201
    assert response.data["status"] == "checked"
    assert response.data["created"] == 1
    assert Service.objects.count() == before


def test_bom_and_semicolons_and_xlsx_read_alike(world):
    rows = [service_row(world)]
    assert upload(world.admin, csv_bytes(rows, delimiter=";", bom=True), dry_run="true").status_code == 201
    xlsx = xlsx_bytes(rows)
    response = upload(world.admin, xlsx, name="services.xlsx")
    assert response.status_code == 201, response.data
    assert response.data["created"] == 1


def test_xlsx_typed_cells(world):
    """Numbers, dates and booleans typed in Excel read like their text."""
    row: dict[str, object] = dict(service_row(world))
    row.update(
        client_id=world.client.pk,
        clinician_id=world.clinician.pk,
        duration_minutes=30,
        start=dt.datetime(2026, 3, 2, 9, 30),
        note_signed=True,
    )
    response = upload(world.admin, xlsx_bytes([row]), name="s.xlsx")
    assert response.status_code == 201, response.data
    assert Service.objects.get(pk=Import.objects.get().record_ids[0]).duration_minutes == 30


def test_client_by_name_and_clinician_by_npi(world):
    row = service_row(world, client_id="", clinician_id="", clinician_npi="1234567893")
    row.update(last_name="CHEN", first_name="bo", date_of_birth="1990-01-02")
    response = upload(world.admin, csv_bytes([row]))
    assert response.status_code == 201, response.data
    service = Service.objects.get(pk=Import.objects.get().record_ids[0])
    assert service.client == world.named_client
    assert service.clinician == world.clinician


@pytest.mark.parametrize(
    ("overrides", "column", "message"),
    [
        ({"client_id": ""}, "client_id", "This column is required."),
        ({"client_id": "abc"}, "client_id", "Enter a whole number."),
        ({"program_code": ""}, "program_code", "This column is required."),
        ({"program_code": "NOPE"}, "program_code", "Unknown program code."),
        ({"program_code": "MESA-MH"}, "program_code", "The program belongs to another agency."),
        ({"procedure_code": "ZZZ"}, "procedure_code", "Unknown procedure code and modifier."),
        ({"procedure_code": ""}, "procedure_code", "This column is required."),
        ({"clinician_id": "99999999"}, "clinician_id", "Unknown clinician."),
        ({"clinician_id": "x1"}, "clinician_id", "Enter a whole number."),
        ({"location": "Nowhere"}, "location", "Unknown location."),
        ({"location": ""}, "location", "This column is required."),
        ({"start": "03/02/2026 9:30"}, "start", "Enter a date and time as YYYY-MM-DD HH:MM (county time)."),
        ({"start": "2026-03-08 02:30"}, "start", "This time does not exist in county time (daylight saving change)."),
        ({"start": "2099-01-01 10:00"}, "start", "A service whose start lies in the future can only be Scheduled."),
        ({"duration_minutes": "0"}, "duration_minutes", "The duration must be a positive number of minutes."),
        ({"duration_minutes": "1.5"}, "duration_minutes", "Enter a whole number."),
        ({"duration_minutes": ""}, "duration_minutes", "This column is required."),
        (
            {"mode_of_delivery": "fax"},
            "mode_of_delivery",
            "Choose one of: in_person, telehealth_video, telehealth_audio.",
        ),
        ({"note_signed": "maybe"}, "note_signed", "Enter Y or N."),
        ({"delay_reason_code": "A-9"}, "delay_reason_code", DELAY_MESSAGE),
        ({"billed_amount": "-5"}, "billed_amount", "The billed amount cannot be negative."),
        ({"billed_amount": "12.345"}, "billed_amount", "Enter an amount with at most 2 decimals."),
        ({"billed_amount": "$12"}, "billed_amount", "Enter an amount like 125.00 (no currency sign)."),
    ],
)
def test_each_column_error(world, overrides, column, message):
    rows = [service_row(world), service_row(world, **{"start": "2026-03-03 10:00", **overrides})]
    before = Service.objects.count()
    response = upload(world.admin, csv_bytes(rows))
    assert response.status_code == 400
    assert response.data["status"] == "rejected"
    assert errors_of(response) == [(2, column, message)]
    assert Service.objects.count() == before


def test_out_of_scope_client_and_clinician_of_another_agency(world):
    rows = [
        service_row(world, client_id=str(world.other_client.pk)),
        service_row(world, clinician_id=str(world.other_clinician.pk), start="2026-03-03 10:00"),
        service_row(world, clinician_id="", clinician_npi="1245319599", start="2026-03-04 10:00"),
    ]
    response = upload(world.admin, csv_bytes(rows))
    assert response.status_code == 400
    assert errors_of(response) == [
        (1, "client_id", "The client has no enrollment in a program of this agency."),
        (2, "clinician_id", "The clinician must belong to the agency of the program."),
        (3, "clinician_id", "The clinician must belong to the agency of the program."),
    ]


def test_client_by_name_not_found_or_ambiguous_never_echoes_the_name(world):
    twin = factories.ClientFactory(first_name="Bo", last_name="Chen", date_of_birth=dt.date(1990, 1, 2))
    factories.EnrollmentFactory(client=twin, program=world.program)
    base = {"client_id": "", "date_of_birth": "1990-01-02"}
    rows = [
        service_row(world, **base, last_name="Chen", first_name="Bo"),
        service_row(world, **base, last_name="Nobody", first_name="Bo", start="2026-03-03 10:00"),
    ]
    response = upload(world.admin, csv_bytes(rows))
    assert errors_of(response) == [
        (1, "last_name", "More than one client of this agency has this name and date of birth: give client_id."),
        (2, "last_name", "No client of this agency has this name and date of birth."),
    ]
    assert "Chen" not in str(response.data)
    assert "Nobody" not in str(response.data)


def test_duplicates_inside_the_file(world):
    rows = [service_row(world, external_id="E1"), service_row(world, external_id="E1", start="2026-03-03 10:00")]
    rows.append(service_row(world, start="2026-03-02 09:30"))
    response = upload(world.admin, csv_bytes(rows))
    assert errors_of(response) == [
        (2, "external_id", "This external_id is also on row 1."),
        (3, "start", "The same client, procedure and start are also on row 1."),
    ]


def test_every_bad_row_is_listed_and_a_bad_last_row_writes_nothing(world):
    rows = [service_row(world, start=f"2026-02-{day:02d} 10:00") for day in range(1, 29)]
    rows.append(service_row(world, location="Nowhere", duration_minutes="-5"))
    counts = (Service.objects.count(), Import.objects.count(), pghistory.models.Events.objects.count())
    response = upload(world.admin, csv_bytes(rows))
    assert response.status_code == 400
    assert errors_of(response) == [
        (29, "location", "Unknown location."),
        (29, "duration_minutes", "Enter a whole number."),
    ]
    assert Service.objects.count() == counts[0]
    # The rejected import itself is kept (who, when, file, outcome); no service row was written.
    assert Import.objects.count() == counts[1] + 1
    assert not pghistory.models.Events.objects.filter(pgh_model="services.ServiceEvent").exists()


def test_formula_looking_cells_are_stored_as_text(world):
    row = service_row(world, delay_reason_code="=1")
    response = upload(world.admin, csv_bytes([row]))
    assert errors_of(response) == [(1, "delay_reason_code", DELAY_MESSAGE)]
    row = service_row(world, location='=HYPERLINK("http://x")')
    assert errors_of(upload(world.admin, csv_bytes([row]))) == [(1, "location", "Unknown location.")]
    factories.LocationFactory(name="+Annex")
    response = upload(world.admin, csv_bytes([service_row(world, location="+Annex")]))
    assert response.status_code == 201
    assert Service.objects.get(pk=Import.objects.latest("id").record_ids[0]).location.name == "+Annex"


def test_audit_rows_name_the_importing_user(world):
    rows = [service_row(world), service_row(world, start="2026-03-03 10:00")]
    response = upload(world.admin, csv_bytes(rows))
    ids = Import.objects.get(pk=response.data["id"]).record_ids
    events = pghistory.models.Events.objects.filter(
        pgh_model="services.ServiceEvent", pgh_obj_id__in=[str(i) for i in ids]
    )
    assert events.count() == 2
    for event in events:
        assert event.pgh_context["user"] == world.admin.pk
        assert event.pgh_context["import_id"] == response.data["id"]


def test_provider_imports_into_own_agency_only(world):
    response = upload(world.admin, csv_bytes([service_row(world)]), agency=world.other.pk)
    assert response.status_code == 400
    assert response.data == {"agency": ["You can import into your own agency only."]}
    # The other agency's admin cannot use this agency's program.
    response = upload(world.other_admin, csv_bytes([service_row(world)]))
    assert errors_of(response)[0] == (1, "program_code", "The program belongs to another agency.")


def test_county_must_choose_the_agency(world):
    response = upload(world.county, csv_bytes([service_row(world)]))
    assert response.status_code == 400
    assert response.data == {"agency": ["Choose the agency to import into."]}
    response = upload(world.county, csv_bytes([service_row(world)]), agency=world.agency.pk)
    assert response.status_code == 201, response.data
    assert Import.objects.get(pk=response.data["id"]).agency == world.agency


def test_list_and_detail_are_scoped(world):
    mine = upload(world.admin, csv_bytes([service_row(world)]), dry_run="true").data["id"]
    from tests.imports.conftest import api_for

    assert api_for(world.admin).get(f"/api/imports/{mine}/").status_code == 200
    assert api_for(world.other_admin).get(f"/api/imports/{mine}/").status_code == 404
    assert api_for(world.other_admin).get("/api/imports/").data["count"] == 0
    listed = api_for(world.county).get("/api/imports/").data
    assert [item["id"] for item in listed["results"]] == [mine]
    assert set(listed["results"][0]) >= {"id", "kind", "status", "file_name", "rows", "created", "updated", "errors"}


def test_template(world):
    from tests.imports.conftest import api_for

    response = api_for(world.admin).get("/api/imports/template/?kind=services")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response.content.decode().splitlines()[0].startswith("external_id,client_id,last_name")
    assert api_for(world.admin).get("/api/imports/template/?kind=nope").status_code == 400


def test_program_that_lists_its_procedures_takes_only_those(world):
    other = factories.ProcedureFactory(code="T1017")
    ProgramProcedure.objects.create(program=world.program, procedure=other)
    response = upload(world.admin, csv_bytes([service_row(world)]))
    assert errors_of(response) == [(1, "procedure_code", "The program of the service does not offer this procedure.")]


def test_reimport_with_external_id_updates_never_duplicates(world):
    rows = [service_row(world, external_id="EHR-1"), service_row(world, external_id="EHR-2", start="2026-03-03 10:00")]
    first = upload(world.admin, csv_bytes(rows))
    assert (first.data["created"], first.data["updated"]) == (2, 0)
    count = Service.objects.count()
    rows[0]["duration_minutes"] = "60"
    second = upload(world.admin, csv_bytes(rows))
    assert second.status_code == 201, second.data
    assert (second.data["created"], second.data["updated"]) == (0, 1)
    assert Service.objects.count() == count
    service = Service.objects.get(external_id="EHR-1")
    assert service.duration_minutes == 60
    # The same file a third time changes nothing.
    third = upload(world.admin, csv_bytes(rows))
    assert (third.data["created"], third.data["updated"]) == (0, 0)
    # The update is audited with the importing user.
    update = pghistory.models.Events.objects.filter(
        pgh_model="services.ServiceEvent", pgh_obj_id=str(service.pk), pgh_label="update"
    ).latest("pgh_created_at")
    assert update.pgh_context["user"] == world.admin.pk


def test_reimport_of_a_claimed_service_is_an_error_naming_the_row(world):
    upload(world.admin, csv_bytes([service_row(world, external_id="EHR-1")]))
    Service.objects.filter(external_id="EHR-1").update(status="complete", claimed=True, units=1, rate=100, charge=100)
    rows = [
        service_row(world, external_id="EHR-0", start="2026-03-05 10:00"),
        service_row(world, external_id="EHR-1", duration_minutes="90"),
    ]
    response = upload(world.admin, csv_bytes(rows))
    assert response.status_code == 400
    assert errors_of(response) == [
        (2, "external_id", "This service went out on a claim and can no longer be corrected.")
    ]
    assert not Service.objects.filter(external_id="EHR-0").exists()


def test_reimport_cannot_move_a_service_to_another_client(world):
    upload(world.admin, csv_bytes([service_row(world, external_id="EHR-1")]))
    row = service_row(world, external_id="EHR-1", client_id=str(world.named_client.pk))
    assert errors_of(upload(world.admin, csv_bytes([row]))) == [(1, "client_id", "This field cannot be corrected.")]


def test_another_agencys_external_id_is_a_new_service(world):
    """external_id is unique per agency: the same id at another agency is another service."""
    other_row = service_row(
        world,
        external_id="EHR-1",
        client_id=str(world.other_client.pk),
        program_code="MESA-MH",
        clinician_id=str(world.other_clinician.pk),
    )
    assert upload(world.other_admin, csv_bytes([other_row])).status_code == 201
    response = upload(world.admin, csv_bytes([service_row(world, external_id="EHR-1")]))
    assert (response.data["created"], response.data["updated"]) == (1, 0)


def test_verdicts_of_the_imported_services(world):
    """Tonight's verdict of each imported service, from nightly.verdict (the engine's own checks)."""
    factories.CoverageFactory(client=world.client)
    factories.DiagnosisDocumentFactory(client=world.client, program=world.program)
    factories.RateFactory(procedure=world.procedure)
    rows = [
        service_row(world),  # everything on file: would complete
        service_row(world, client_id=str(world.named_client.pk)),  # no coverage, no diagnosis
        service_row(world, note_signed="N", start="2026-03-04 10:00"),
    ]
    response = upload(world.admin, csv_bytes(rows))
    assert response.status_code == 201, response.data
    verdicts = {v["service"]: v for v in response.data["verdicts"]}
    ids = Import.objects.get(pk=response.data["id"]).record_ids
    assert sorted(verdicts) == sorted(ids)
    by_row = [verdicts[service_id] for service_id in ids]
    assert by_row[0]["would_complete"] is True
    assert by_row[0]["charge"] == "100.00"
    assert by_row[1]["would_complete"] is False
    assert "NO_COVERAGE" in [reason["code"] for reason in by_row[1]["reasons"]]
    assert by_row[2]["would_complete"] is False
    # Nothing of the check was written: the services are still in Show with no charge.
    assert set(Service.objects.filter(pk__in=ids).values_list("status", flat=True)) == {"show"}
