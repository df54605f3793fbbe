"""`/api/services/`: entry, corrections, mark-error, filters, failure reasons, query counts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from nightly.models import NightlyRun, Rule, ServiceFailure
from services.models import Service
from tests import factories

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 4, 15, 12, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


def service_body(world, **change):
    service = world.service
    return {
        "client": world.client.pk,
        "program": world.program.pk,
        "procedure": service.procedure_id,
        "clinician": world.clinician.pk,
        "location": service.location_id,
        "start": "2026-04-01T09:30:00-07:00",
        "duration_minutes": 50,
        "status": "show",
        "mode_of_delivery": "telehealth_video",
        "note_signed": True,
        "do_not_complete": False,
        "delay_reason_code": "",
        **change,
    }


def complete(service: Service, **extra) -> Service:
    Service.objects.filter(pk=service.pk).update(
        status="complete", units=Decimal(1), rate=Decimal("100.00"), charge=Decimal("100.00"), **extra
    )
    service.refresh_from_db()
    return service


def fail(service: Service, *codes: str) -> None:
    run = NightlyRun.objects.create(as_of=dt.date(2026, 4, 14), status="succeeded")
    for code in codes:
        ServiceFailure.objects.create(service=service, rule=Rule.objects.get(code=code), run=run)


def test_service_is_entered_and_read_back_with_its_read_only_fields(world_a, as_a):
    created = as_a.post("/api/services/", service_body(world_a), format="json")
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["date_of_service"] == "2026-04-01"
    assert body["start"] == "2026-04-01T09:30:00-07:00"
    assert (body["units"], body["rate"], body["charge"], body["claimed"]) == (None, None, None, False)
    assert body["failure_reasons"] == []
    assert as_a.get(f"/api/services/{body['id']}/").json() == body


def test_a_future_service_can_only_be_scheduled(world_a, as_a):
    future = "2026-05-01T09:00:00-07:00"
    refused = as_a.post("/api/services/", service_body(world_a, start=future), format="json")
    assert refused.status_code == 400
    assert "start" in refused.json()
    accepted = as_a.post("/api/services/", service_body(world_a, start=future, status="scheduled"), format="json")
    assert accepted.status_code == 201


def test_read_only_fields_in_the_body_are_ignored(world_a, as_a):
    body = service_body(world_a, claimed=True, charge="999.00", units="9")
    created = as_a.post("/api/services/", body, format="json").json()
    assert (created["claimed"], created["charge"], created["units"]) == (False, None, None)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"start": "2026-04-31T09:00:00-07:00"}, "start"),
        ({"start": "next tuesday"}, "start"),
        ({"start": None}, "start"),
        ({"duration_minutes": 0}, "duration_minutes"),
        ({"duration_minutes": -15}, "duration_minutes"),
        ({"duration_minutes": "an hour"}, "duration_minutes"),
        ({"status": "done"}, "status"),
        ({"status": "complete"}, "status"),
        ({"mode_of_delivery": "carrier_pigeon"}, "mode_of_delivery"),
        ({"procedure": 999999}, "procedure"),
        ({"location": 999999}, "location"),
        ({"clinician": 999999}, "clinician"),
        ({"program": 999999}, "program"),
        ({"client": 999999}, "client"),
        ({"client": True}, "client"),
        ({"delay_reason_code": "ABC"}, "delay_reason_code"),
        ({"delay_reason_code": "#"}, "delay_reason_code"),
        ({"note_signed": "yes please"}, "note_signed"),
    ],
)
def test_bad_service_input_answers_400_naming_the_field(world_a, as_a, change, field):
    response = as_a.post("/api/services/", service_body(world_a, **change), format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not Service.objects.exclude(pk=world_a.service.pk).exists()


def test_clinician_must_belong_to_the_programs_agency(world_a, world_b, as_admin):
    response = as_admin.post("/api/services/", service_body(world_a, clinician=world_b.clinician.pk), format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"clinician"}


def test_client_must_be_enrolled_in_the_programs_agency(world_a, as_admin):
    stranger = factories.ClientFactory()
    response = as_admin.post("/api/services/", service_body(world_a, client=stranger.pk), format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"client"}


def test_provider_cannot_enter_a_service_into_another_agency(world_a, world_b, as_a):
    for change in ({"program": world_b.program.pk}, {"client": world_b.client.pk}, {"clinician": world_b.clinician.pk}):
        response = as_a.post("/api/services/", service_body(world_a, **change), format="json")
        assert response.status_code == 400
        assert set(response.json()) == set(change)


# --- corrections ----------------------------------------------------------------------------------


def test_correcting_a_complete_service_sends_it_back_to_show(world_a, as_a):
    service = complete(world_a.service)
    response = as_a.patch(
        f"/api/services/{service.pk}/", {"duration_minutes": 30, "mode_of_delivery": "telehealth_audio"}, format="json"
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["status"], body["duration_minutes"], body["mode_of_delivery"]) == ("show", 30, "telehealth_audio")
    assert (body["units"], body["rate"], body["charge"]) == (None, None, None)


def test_a_complete_service_patched_with_its_own_values_stays_complete(world_a, as_a):
    service = complete(world_a.service)
    response = as_a.patch(f"/api/services/{service.pk}/", {"duration_minutes": service.duration_minutes}, format="json")
    assert response.json()["status"] == "complete"


def test_put_repeats_fixed_fields_unchanged_and_corrects_the_rest(world_a, as_a):
    service = world_a.service
    body = service_body(world_a, start="2026-03-02T11:00:00-08:00", duration_minutes=25)
    response = as_a.put(f"/api/services/{service.pk}/", body, format="json")
    assert response.status_code == 200, response.json()
    service.refresh_from_db()
    assert (service.duration_minutes, service.mode_of_delivery) == (25, "telehealth_video")


@pytest.mark.parametrize("field", ["clinician", "program", "client"])
def test_fields_outside_the_editable_list_cannot_be_corrected(world_a, as_admin, field):
    other = {
        "clinician": factories.StaffFactory(agency=world_a.agency).pk,
        "program": factories.ProgramFactory(agency=world_a.agency).pk,
        "client": factories.EnrollmentFactory(program=world_a.program).client_id,
    }[field]
    response = as_admin.patch(f"/api/services/{world_a.service.pk}/", {field: other}, format="json")
    assert response.status_code == 400
    assert field in response.json()


def test_a_billable_procedure_cannot_become_non_billable(world_a, as_a):
    free = factories.ProcedureFactory(billable=False)
    response = as_a.patch(f"/api/services/{world_a.service.pk}/", {"procedure": free.pk}, format="json")
    assert response.status_code == 400
    assert "procedure" in response.json()


def test_a_correction_cannot_move_a_show_service_into_the_future(world_a, as_a):
    response = as_a.patch(f"/api/services/{world_a.service.pk}/", {"start": "2026-06-01T09:00:00-07:00"}, format="json")
    assert response.status_code == 400
    assert "start" in response.json()


def test_a_claimed_service_answers_409_to_corrections_and_mark_error(world_a, as_a):
    service = complete(world_a.service, claimed=True)
    assert as_a.patch(f"/api/services/{service.pk}/", {"duration_minutes": 30}, format="json").status_code == 409
    assert as_a.post(f"/api/services/{service.pk}/mark-error/").status_code == 409
    service.refresh_from_db()
    assert (service.status, service.duration_minutes, service.claimed) == ("complete", 60, True)


def test_status_moves_follow_the_status_table(world_a, as_a):
    url = f"/api/services/{world_a.service.pk}/"
    assert as_a.patch(url, {"status": "no_show"}, format="json").json()["status"] == "no_show"
    refused = as_a.patch(url, {"status": "cancel"}, format="json")
    assert refused.status_code == 409
    assert "status" in refused.json()


@pytest.mark.parametrize(
    ("status", "instead"),
    [("error", "mark-error"), ("complete", "nightly run"), ("scheduled", "Show, No Show or Cancel")],
)
def test_a_status_patch_cannot_make_the_moves_that_have_their_own_action(world_a, as_a, status, instead):
    service = world_a.service
    service.note_signed = True
    service.save()
    response = as_a.patch(f"/api/services/{service.pk}/", {"status": status, "duration_minutes": 45}, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["status"]
    assert instead in response.json()["status"][0]
    service.refresh_from_db()
    # All or nothing: the correction sent with it is not kept either.
    assert (service.status, service.note_signed, service.duration_minutes) == ("show", True, 60)


def test_other_moves_and_a_put_repeating_the_status_still_pass(world_a, as_a):
    future = factories.ServiceFactory(
        client=world_a.client,
        program=world_a.program,
        clinician=world_a.clinician,
        status="scheduled",
        start=timezone.now() + dt.timedelta(days=3),
    )
    # Scheduled stays allowed while the start is ahead.
    response = as_a.patch(f"/api/services/{future.pk}/", {"status": "scheduled", "duration_minutes": 30}, format="json")
    assert response.status_code == 200, response.json()
    assert (response.json()["status"], response.json()["duration_minutes"]) == ("scheduled", 30)
    # A PUT repeats the status the service has: no move, so not refused.
    body = as_a.get(f"/api/services/{world_a.service.pk}/").json()
    assert as_a.put(f"/api/services/{world_a.service.pk}/", body, format="json").status_code == 200


def test_mark_error_puts_the_service_in_error_and_discards_the_note(world_a, as_a):
    response = as_a.post(f"/api/services/{world_a.service.pk}/mark-error/")
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["note_signed"]) == ("error", False)
    assert as_a.patch(f"/api/services/{world_a.service.pk}/", {"duration_minutes": 5}, format="json").status_code == 409


def test_mark_error_is_scoped_and_refused_to_county_billing(world_a, world_b, as_a, as_county):
    assert as_a.post(f"/api/services/{world_b.service.pk}/mark-error/").status_code == 404
    assert as_county.post(f"/api/services/{world_a.service.pk}/mark-error/").status_code == 403
    assert Service.objects.filter(status="error").count() == 0


def test_services_are_never_deleted(world_a, as_admin):
    assert as_admin.delete(f"/api/services/{world_a.service.pk}/").status_code == 405


def test_each_write_records_the_acting_user_in_the_audit_trail(world_a, as_a):
    import pghistory.models

    as_a.patch(f"/api/services/{world_a.service.pk}/", {"duration_minutes": 30}, format="json")
    event = pghistory.models.Events.objects.filter(
        pgh_obj_model="services.Service", pgh_obj_id=world_a.service.pk, pgh_label="update"
    ).get()
    assert event.pgh_context["user"] == world_a.admin.pk


# --- reading back ---------------------------------------------------------------------------------


def test_failure_reasons_are_listed_with_code_and_message(world_a, as_a):
    fail(world_a.service, "NO_COVERAGE", "FINANCIAL_INFO_INCOMPLETE")
    reasons = as_a.get(f"/api/services/{world_a.service.pk}/").json()["failure_reasons"]
    assert reasons == [
        {"code": "FINANCIAL_INFO_INCOMPLETE", "message": Rule.objects.get(code="FINANCIAL_INFO_INCOMPLETE").message},
        {"code": "NO_COVERAGE", "message": Rule.objects.get(code="NO_COVERAGE").message},
    ]


@pytest.fixture
def listed(world_a):
    """Four services of agency A on different days, procedures, clinicians and statuses."""
    procedure = factories.ProcedureFactory()
    clinician = factories.StaffFactory(agency=world_a.agency)
    day = dt.date(2026, 3, 10)
    made = {
        "first": world_a.service,  # 2026-03-02, show
        "late": factories.billable_service(
            client=world_a.client, program=world_a.program, start=factories.county_datetime(day, 23, 30)
        ),
        "other_procedure": factories.billable_service(
            client=world_a.client,
            program=world_a.program,
            procedure=procedure,
            clinician=clinician,
            start=factories.county_datetime(dt.date(2026, 3, 20)),
        ),
        "cancelled": factories.billable_service(
            client=world_a.client,
            program=world_a.program,
            status="cancel",
            start=factories.county_datetime(dt.date(2026, 4, 1)),
        ),
    }
    fail(made["late"], "NOTE_NOT_SIGNED")
    return made


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({}, ["first", "late", "other_procedure", "cancelled"]),
        ({"status": "cancel"}, ["cancelled"]),
        ({"failure_reason": "NOTE_NOT_SIGNED"}, ["late"]),
        ({"failure_reason": "NO_COVERAGE"}, []),
        ({"dos_from": "2026-03-10", "dos_to": "2026-03-20"}, ["late", "other_procedure"]),
        ({"dos_to": "2026-03-09"}, ["first"]),
        ({"ordering": "-start"}, ["cancelled", "other_procedure", "late", "first"]),
        ({"ordering": "start", "status": "show"}, ["first", "late", "other_procedure"]),
    ],
)
def test_service_list_filters(listed, as_a, query, expected):
    rows = as_a.get("/api/services/", query).json()["results"]
    assert [row["id"] for row in rows] == [listed[name].pk for name in expected]


def test_service_list_filters_by_ids(listed, world_a, as_a):
    other = listed["other_procedure"]
    for query in (
        {"procedure": other.procedure_id},
        {"clinician": other.clinician_id},
        {"procedure": other.procedure_id, "program": world_a.program.pk, "client": world_a.client.pk},
    ):
        assert [row["id"] for row in as_a.get("/api/services/", query).json()["results"]] == [other.pk]


def test_date_of_service_is_the_county_date_of_a_late_evening_start(listed, as_a):
    # 23:30 in the county is already the next day in UTC; the date of service stays the county's.
    body = as_a.get(f"/api/services/{listed['late'].pk}/").json()
    assert body["date_of_service"] == "2026-03-10"


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"status": "finished"}, "status"),
        ({"program": "abc"}, "program"),
        ({"client": "1.5"}, "client"),
        ({"dos_from": "2026-02-30"}, "dos_from"),
        ({"dos_to": "soon"}, "dos_to"),
        ({"ordering": "charge"}, "ordering"),
        ({"page": "0"}, "page"),
        ({"page": "99"}, "detail"),
    ],
)
def test_bad_filters_answer_400_or_404_naming_the_problem(listed, as_a, query, field):
    response = as_a.get("/api/services/", query)
    assert response.status_code in {400, 404}
    assert field in response.json()


def test_pages_hold_page_size_rows_and_cap_at_500(listed, as_a):
    first = as_a.get("/api/services/", {"page_size": 3}).json()
    assert (first["count"], len(first["results"]), first["previous"]) == (4, 3, None)
    second = as_a.get(first["next"]).json()
    assert len(second["results"]) == 1
    factories.ServiceFactory.create_batch(
        501, client=listed["first"].client, program=listed["first"].program, clinician=listed["first"].clinician
    )
    assert len(as_a.get("/api/services/", {"page_size": 1000}).json()["results"]) == 500


@pytest.mark.parametrize("who", ["provider_admin", "county_billing"])
def test_service_list_query_count_does_not_grow_with_the_page(who, world_a, county_user, django_assert_num_queries):
    from tests.api.conftest import client_for

    api = client_for(world_a.admin if who == "provider_admin" else county_user)
    for index in range(30):
        service = factories.billable_service(
            client=world_a.client, program=world_a.program, start=factories.county_datetime(dt.date(2026, 1, 1 + index))
        )
        fail(service, "NO_COVERAGE", "NOTE_NOT_SIGNED")
    # count, page, failures, their rules: the same four queries for 3 rows or 30, each row with its own
    # procedure, clinician and two failure reasons; plus the page's `check`, one engine call
    # (tests/api/test_checks.py counts its queries: 10 and one per rule).
    for page_size in (3, 30):
        with django_assert_num_queries(4 + 10 + Rule.objects.count()):
            response = api.get("/api/services/", {"page_size": page_size})
        assert response.status_code == 200
        assert len(response.json()["results"]) == page_size


def test_county_billing_lists_every_agencys_services(world_a, world_b, as_county):
    rows = as_county.get("/api/services/").json()["results"]
    assert {row["program"] for row in rows} == {world_a.program.pk, world_b.program.pk}
