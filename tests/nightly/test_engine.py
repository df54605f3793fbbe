"""The engine as a whole: reasons replaced, completions, what it leaves alone, runs, chunks, races."""

from __future__ import annotations

import datetime as dt
import threading
import time
from decimal import Decimal

import psycopg2
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from nightly import engine
from nightly.models import FailureHistory, FailureOverride, NightlyRun, NightlyRunChunk, Rule, ServiceFailure
from services.models import Procedure, Service
from tests import factories as f
from tests.nightly.conftest import AS_OF, DOS, reasons

pytestmark = pytest.mark.django_db


def test_all_reasons_of_a_service_are_found_in_one_run(validate):
    service = f.billable_service(
        client=f.ClientFactory(financial_info_complete=False, address_city=""), note_signed=False
    )
    validate()
    assert reasons(service) == {"FINANCIAL_INFO_INCOMPLETE", "ADDRESS_INCOMPLETE", "NOTE_NOT_SIGNED"}


def test_passing_service_completes_with_units_rate_charge_and_validation_time(validate):
    procedure = f.ProcedureFactory(unit=Procedure.Unit.MINUTE)
    f.RateFactory(procedure=procedure, amount=Decimal("42.10"))
    service = f.billable_service(procedure=procedure, duration_minutes=53)
    validate()
    service.refresh_from_db()
    assert service.status == Service.Status.COMPLETE
    assert (service.units, service.rate, service.charge) == (Decimal("4.00"), Decimal("42.10"), Decimal("168.40"))
    assert service.last_validated_at is not None


def test_non_billable_procedure_is_checked_only_by_its_subset_and_completes_with_charge_zero(validate):
    client = f.ClientFactory(financial_info_complete=False, address_street="")  # billable-only rules
    procedure = f.ProcedureFactory(billable=False, requires_authorization=True, unit=Procedure.Unit.MINUTE)
    program = f.ProgramFactory()
    f.EnrollmentFactory(client=client, program=program)
    f.DiagnosisDocumentFactory(client=client, program=program)
    # No coverage, no rate, too short for a unit: none of that matters for a non-billable procedure.
    service = f.ServiceFactory(
        client=client,
        program=program,
        procedure=procedure,
        duration_minutes=5,
        clinician=f.StaffFactory(agency=program.agency),
    )
    validate()
    service.refresh_from_db()
    assert reasons(service) == set()
    assert service.status == Service.Status.COMPLETE
    assert (service.rate, service.charge) == (Decimal("0.00"), Decimal("0.00"))


@pytest.mark.parametrize(
    ("code", "change"),
    [
        ("NOTE_NOT_SIGNED", {"note_signed": False}),
        ("DX_NONE_IN_PROGRAM", "no_dx"),
        ("NOT_ENROLLED_ON_DOS", "no_enrollment"),
        ("CREDENTIAL_EXPIRED", "expired"),
        ("DUPLICATE_SERVICE", "duplicate"),
    ],
)
def test_non_billable_procedure_still_fails_the_subset(validate, code, change):
    procedure = f.ProcedureFactory(billable=False)
    service = f.billable_service(procedure=procedure, **(change if isinstance(change, dict) else {}))
    if change == "no_dx":
        service.client.diagnoses.all().delete()
    elif change == "no_enrollment":
        service.client.enrollments.all().delete()
    elif change == "expired":
        f.StaffFactory._meta.model.objects.filter(pk=service.clinician_id).update(
            credential_expires=dt.date(2026, 1, 1)
        )
    elif change == "duplicate":
        service = f.ServiceFactory(
            client=service.client, program=service.program, procedure=procedure, clinician=service.clinician
        )
    validate()
    assert code in reasons(service)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"do_not_complete": True},
        {"status": Service.Status.ERROR},
        {"status": Service.Status.SCHEDULED, "start": f.county_datetime(AS_OF + dt.timedelta(days=3))},
        {"status": Service.Status.NO_SHOW},
        {"status": Service.Status.CANCEL},
        # In show but dated after the run date (a run for an earlier date).
        {"start": f.county_datetime(AS_OF + dt.timedelta(days=1))},
    ],
)
def test_services_that_are_not_candidates_are_left_untouched(validate, kwargs):
    service = f.billable_service(note_signed=False, **kwargs)
    before = Service.objects.filter(pk=service.pk).values().get()
    run = validate()
    assert Service.objects.filter(pk=service.pk).values().get() == before
    assert reasons(service) == set()
    assert run.services_checked == 0


def test_complete_service_is_left_untouched(validate):
    service = f.billable_service(status=Service.Status.COMPLETE, units=1, rate=5, charge=5, note_signed=False)
    before = Service.objects.filter(pk=service.pk).values().get()
    validate()
    assert Service.objects.filter(pk=service.pk).values().get() == before


def test_rerun_after_a_fix_clears_the_reason_and_completes(validate):
    service = f.billable_service(note_signed=False)
    first = validate()
    assert reasons(service) == {"NOTE_NOT_SIGNED"}
    Service.objects.filter(pk=service.pk).update(note_signed=True)
    second = validate()
    service.refresh_from_db()
    assert reasons(service) == set()
    assert service.status == Service.Status.COMPLETE
    # History keeps what the first run found.
    assert list(FailureHistory.objects.filter(service=service).values_list("run_id", "rule__code")) == [
        (first.pk, "NOTE_NOT_SIGNED")
    ]
    assert second.services_completed == 1


def test_reasons_are_replaced_by_each_run(validate):
    service = f.billable_service(note_signed=False)
    validate()
    Service.objects.filter(pk=service.pk).update(note_signed=True, duration_minutes=1)
    Procedure.objects.filter(pk=service.procedure_id).update(unit=Procedure.Unit.MINUTE)
    run = validate()
    assert list(ServiceFailure.objects.filter(service=service).values_list("rule__code", "run_id")) == [
        ("ZERO_UNITS", run.pk)
    ]


def test_override_lets_that_reason_pass_on_the_next_run_only_for_that_service(validate, county_user):
    service = f.billable_service(note_signed=False, client=f.ClientFactory(financial_info_complete=False))
    other = f.billable_service(note_signed=False)
    validate()
    FailureOverride.objects.create(
        service=service, rule=Rule.objects.get(code="NOTE_NOT_SIGNED"), reason="Signed on paper", created_by=county_user
    )
    validate()
    assert reasons(service) == {"FINANCIAL_INFO_INCOMPLETE"}
    assert reasons(other) == {"NOTE_NOT_SIGNED"}
    FailureOverride.objects.create(
        service=service,
        rule=Rule.objects.get(code="FINANCIAL_INFO_INCOMPLETE"),
        reason="Verified",
        created_by=county_user,
    )
    validate()
    service.refresh_from_db()
    assert service.status == Service.Status.COMPLETE


def test_overridden_missing_rate_completes_with_charge_zero(validate, county_user):
    service = f.billable_service()
    service.procedure.rates.all().delete()
    FailureOverride.objects.create(
        service=service, rule=Rule.objects.get(code="NO_MATCHING_RATE"), reason="Grant funded", created_by=county_user
    )
    validate()
    service.refresh_from_db()
    assert service.status == Service.Status.COMPLETE
    assert service.charge == Decimal("0.00")


def test_run_records_counts_failures_by_rule_duration_and_history(validate):
    failing = [f.billable_service(note_signed=False) for _ in range(2)]
    failing.append(f.billable_service(note_signed=False, client=f.ClientFactory(financial_info_complete=False)))
    passing = [f.billable_service() for _ in range(3)]
    run = validate()
    run.refresh_from_db()
    assert run.status == NightlyRun.Status.SUCCEEDED
    assert (run.services_checked, run.services_completed, run.services_failed) == (6, 3, 3)
    assert run.failures_by_rule == {"FINANCIAL_INFO_INCOMPLETE": 1, "NOTE_NOT_SIGNED": 3}
    assert run.duration_seconds is not None
    assert run.finished_at >= run.started_at
    assert run.chunks_done == run.chunks_total == 1
    assert FailureHistory.objects.filter(run=run).count() == 4
    assert all(s.failures.count() == 0 for s in passing)


def test_audit_rows_of_the_nightly_updates_carry_the_run_id(validate):
    service = f.billable_service()
    run = validate()
    event = service.events.filter(pgh_label="update").latest("pgh_id")  # type: ignore[attr-defined]
    assert event.status == Service.Status.COMPLETE
    assert event.pgh_context.metadata["nightly_run"] == run.pk


def test_dry_run_counts_without_writing(validate):
    failing = f.billable_service(note_signed=False)
    passing = f.billable_service()
    run = validate(dry_run=True)
    assert (run.services_checked, run.services_completed, run.services_failed) == (2, 1, 1)
    assert run.failures_by_rule == {"NOTE_NOT_SIGNED": 1}
    assert reasons(failing) == set()
    passing.refresh_from_db()
    assert passing.status == Service.Status.SHOW
    assert not FailureHistory.objects.exists()


def test_second_run_while_one_is_active_is_refused(validate):
    active = NightlyRun.objects.create(as_of=AS_OF, status=NightlyRun.Status.RUNNING)
    with pytest.raises(engine.RunAlreadyActive) as refused:
        validate()
    assert refused.value.active == active


def test_many_chunks_give_the_same_results_as_one(validate, settings):
    settings.NIGHTLY_CHUNK_SERVICES = 2
    procedure = f.ProcedureFactory()
    f.ProcedureLimitFactory(procedure=procedure, max_count=1, period="month")
    client = f.ClientFactory()
    limited = [
        f.billable_service(client=client, procedure=procedure, start=f.county_datetime(DOS, h)) for h in (9, 10, 11)
    ]
    others = [f.billable_service(note_signed=bool(n % 2)) for n in range(5)]
    run = validate()
    assert run.chunks_total >= 3
    assert run.chunks_done == run.chunks_total
    assert NightlyRunChunk.objects.filter(run=run).count() == run.chunks_total
    assert [reasons(s) for s in limited] == [set(), {"FREQUENCY_LIMIT_EXCEEDED"}, {"FREQUENCY_LIMIT_EXCEEDED"}]
    assert [bool(reasons(s)) for s in others] == [True, False, True, False, True]
    assert (run.services_checked, run.services_completed, run.services_failed) == (8, 3, 5)


def test_a_chunk_delivered_again_does_nothing(validate):
    service = f.billable_service(note_signed=False)
    run = validate()
    chunk = NightlyRunChunk.objects.get(run=run)
    history = FailureHistory.objects.count()
    assert engine.validate_chunk(run_id=run.pk, client_lo=chunk.client_lo, client_hi=chunk.client_hi) is False
    assert FailureHistory.objects.count() == history
    assert engine.close_run(run.pk).services_failed == 1
    assert reasons(service) == {"NOTE_NOT_SIGNED"}


def _services_for_query_count(n: int) -> None:
    procedure = f.ProcedureFactory(requires_authorization=True)
    f.ProcedureLimitFactory(procedure=procedure, max_count=2, period="month")
    for i in range(n):
        client = f.ClientFactory(financial_info_complete=bool(i % 3))
        f.AuthorizationFactory(client=client, procedure=procedure)
        f.billable_service(client=client, procedure=procedure, note_signed=bool(i % 2))


def test_query_count_does_not_grow_with_the_number_of_services(validate):
    _services_for_query_count(3)
    with CaptureQueriesContext(connection) as small:
        validate(as_of=AS_OF)
    _services_for_query_count(30)
    with CaptureQueriesContext(connection) as large:
        validate(as_of=AS_OF + dt.timedelta(days=1))
    assert NightlyRun.objects.get(as_of=AS_OF + dt.timedelta(days=1)).services_checked > 30
    assert len(large) == len(small)
    assert len(small) < 60


@pytest.mark.django_db(transaction=True)
def test_service_changed_by_staff_while_the_run_evaluates_it_is_not_completed_on_stale_data():
    """Staff hold the row (an edit in progress) while the run evaluates; their commit lands first."""
    service = f.billable_service()
    bystander = f.billable_service()
    dsn = connection.get_connection_params()
    staff = psycopg2.connect(**{k: v for k, v in dsn.items() if k in {"dbname", "user", "host", "port", "password"}})
    cur = staff.cursor()
    cur.execute("UPDATE services_service SET duration_minutes = 90 WHERE id = %s", [service.pk])
    result: dict[str, object] = {}

    def run() -> None:
        try:
            result["run"] = engine.run_validation(as_of=AS_OF)
        finally:
            connection.close()

    worker = threading.Thread(target=run)
    worker.start()
    try:
        # Wait until the run's UPDATE waits on the staff's row lock, then let the staff commit.
        deadline = time.monotonic() + 30
        probe = staff.cursor()
        while time.monotonic() < deadline:
            probe_conn = psycopg2.connect(
                **{k: v for k, v in dsn.items() if k in {"dbname", "user", "host", "port", "password"}}
            )
            pc = probe_conn.cursor()
            pc.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()"
            )
            waiting = pc.fetchone()[0]
            probe_conn.close()
            if waiting:
                break
            time.sleep(0.05)
        assert waiting, "the run never reached the locked row"
        del probe
        staff.commit()
    finally:
        worker.join(60)
        staff.close()
    run = result["run"]
    service.refresh_from_db()
    bystander.refresh_from_db()
    assert service.status == Service.Status.SHOW
    assert service.duration_minutes == 90
    assert service.last_validated_at is None
    assert bystander.status == Service.Status.COMPLETE
    assert (run.services_checked, run.services_completed, run.services_failed) == (2, 1, 0)
    # The next run validates the changed service on its new data.
    engine.run_validation(as_of=AS_OF)
    service.refresh_from_db()
    assert service.status == Service.Status.COMPLETE


def test_scheduled_task_does_not_start_a_second_run():
    from nightly import tasks

    NightlyRun.objects.create(as_of=AS_OF, status=NightlyRun.Status.RUNNING)
    assert tasks.run_nightly.apply(kwargs={"as_of": AS_OF.isoformat()}).get() is None
    assert NightlyRun.objects.count() == 1


def test_scheduled_task_runs_in_process_without_a_broker():
    from nightly import tasks

    service = f.billable_service()
    run_id = tasks.run_nightly.apply(kwargs={"as_of": AS_OF.isoformat()}).get()
    run = NightlyRun.objects.get(pk=run_id)
    assert run.status == NightlyRun.Status.SUCCEEDED
    service.refresh_from_db()
    assert service.status == Service.Status.COMPLETE


def test_beat_schedule_starts_the_run_at_one_in_the_county(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["nightly-validation"]
    assert entry["task"] == "nightly.run_nightly"
    assert (entry["schedule"].hour, entry["schedule"].minute) == ({1}, {0})
    assert settings.CELERY_TIMEZONE == settings.TIME_ZONE


def test_warning_rule_is_reported_but_does_not_block_completion(validate):
    Rule.objects.filter(code="NOTE_NOT_SIGNED").update(severity=Rule.Severity.WARNING)
    warned = f.billable_service(note_signed=False)
    blocked = f.billable_service(note_signed=False, client=f.ClientFactory(financial_info_complete=False))
    run = validate()
    warned.refresh_from_db()
    blocked.refresh_from_db()
    assert warned.status == Service.Status.COMPLETE
    assert reasons(warned) == {"NOTE_NOT_SIGNED"}
    assert blocked.status == Service.Status.SHOW
    assert reasons(blocked) == {"NOTE_NOT_SIGNED", "FINANCIAL_INFO_INCOMPLETE"}
    assert (run.services_completed, run.services_failed) == (1, 1)
    assert run.failures_by_rule == {"FINANCIAL_INFO_INCOMPLETE": 1, "NOTE_NOT_SIGNED": 2}
