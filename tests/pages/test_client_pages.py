from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from accounts.models import AccessLog
from clients.models import Client, Enrollment
from clients.record import check_address
from coverage.models import Coverage
from diagnosis.models import DiagnosisDocument
from nightly.models import NightlyRun, Rule, ServiceFailure
from services.models import Authorization
from tests import factories

pytestmark = pytest.mark.django_db


def test_client_list_shows_only_clients_of_the_users_agency(provider_client, enrolled_client):
    elsewhere = factories.ClientFactory(last_name="Elsewhere")
    factories.EnrollmentFactory(client=elsewhere)

    response = provider_client.get(reverse("client-list"))

    assert response.status_code == 200
    assert list(response.context["page"]) == [enrolled_client]
    assert "Elsewhere" not in response.content.decode()


@pytest.mark.parametrize("query", ["lop", "Lopez Maria", "maria", "id"])
def test_client_search_finds_by_name_or_id(provider_client, enrolled_client, program, query):
    other = factories.ClientFactory(first_name="Sam", last_name="Other")
    factories.EnrollmentFactory(client=other, program=program)
    q = str(enrolled_client.pk) if query == "id" else query

    response = provider_client.get(reverse("client-list"), {"q": q})

    assert list(response.context["page"]) == [enrolled_client]


def test_client_search_through_htmx_answers_the_results_only(provider_client, enrolled_client):
    response = provider_client.get(reverse("client-list"), {"q": "Lopez"}, HTTP_HX_REQUEST="true")

    body = response.content.decode()
    assert "<html" not in body
    assert f'href="/clients/{enrolled_client.pk}/"' in body


@pytest.mark.parametrize(
    ("name", "extra"),
    [
        ("client-detail", {}),
        ("client-edit", {}),
        ("client-enrollment-add", {}),
        ("client-coverage-add", {}),
        ("client-diagnosis-add", {}),
        ("client-authorization-add", {}),
    ],
)
def test_pages_of_another_agencys_client_answer_404(other_client, enrolled_client, name, extra):
    response = other_client.get(reverse(name, kwargs={"pk": enrolled_client.pk, **extra}))

    assert response.status_code == 404


def test_writes_on_another_agencys_client_answer_404_and_change_nothing(other_client, enrolled_client):
    document = factories.DiagnosisDocumentFactory(
        client=enrolled_client, program=enrolled_client.enrollments.get().program, signed=False, signed_at=None
    )

    sign = other_client.post(
        reverse("client-diagnosis-sign", kwargs={"pk": enrolled_client.pk, "diagnosis_pk": document.pk})
    )
    account = other_client.post(reverse("client-account", kwargs={"pk": enrolled_client.pk}), {})

    assert (sign.status_code, account.status_code) == (404, 404)
    document.refresh_from_db()
    enrolled_client.refresh_from_db()
    assert document.signed is False
    assert enrolled_client.financial_info_complete is True


def test_client_record_writes_one_access_log_row_with_the_id_only(provider_client, provider, enrolled_client):
    provider_client.get(reverse("client-detail", kwargs={"pk": enrolled_client.pk}))

    log = AccessLog.objects.get()
    assert (log.user, log.action, log.target) == (
        provider,
        AccessLog.Action.VIEW_CLIENT,
        f"client:{enrolled_client.pk}",
    )


def test_client_record_shows_the_ssn_masked_only(provider_client, enrolled_client):
    enrolled_client.set_ssn("123-45-6789")
    enrolled_client.save()

    body = provider_client.get(reverse("client-detail", kwargs={"pk": enrolled_client.pk})).content.decode()

    assert "***-**-6789" in body
    assert "123456789" not in body
    assert "123-45" not in body


def _fill_record(client, program, n: int) -> None:
    """n of each section's rows, so a query per row would show up in the count."""
    payer_types = ["MEDI_CAL", "OHC", "MEDICARE", "COUNTY"]
    for i in range(n):
        factories.CoverageFactory(
            client=client,
            payer=factories.PayerFactory(name=f"Plan {i}", payer_type=payer_types[i % 4]),
            priority=i + 1,
        )
        factories.DiagnosisDocumentFactory(client=client, program=program, effective_date=dt.date(2020 + i, 1, 1))
        factories.AuthorizationFactory(client=client)
        service = factories.ServiceFactory(client=client, program=program)
        run = NightlyRun.objects.create(as_of=dt.date(2026, 10, 31), status=NightlyRun.Status.SUCCEEDED)
        ServiceFailure.objects.create(service=service, rule=Rule.objects.get(code="NOTE_NOT_SIGNED"), run=run)


@pytest.mark.parametrize("rows", [1, 4])
def test_client_record_query_count_does_not_grow_with_its_rows(
    provider_client, enrolled_client, program, rows, django_assert_num_queries
):
    _fill_record(enrolled_client, program, rows)
    url = reverse("client-detail", kwargs={"pk": enrolled_client.pk})

    # Session and user, client, enrollments, coverages, diagnoses + codes, authorizations, services +
    # failures + rules, the user's agency (address check), the access-log row (with its audit
    # context and savepoints) and the session save: the same for 1 row or many; plus tonight's verdict
    # of the client's services, one engine call (10 queries and one per rule in effect).
    with django_assert_num_queries(16 + 10 + Rule.objects.count()):
        response = provider_client.get(url)

    assert response.status_code == 200
    assert len(response.context["record"].services) == rows


@pytest.mark.parametrize(
    ("street", "city", "state", "zip_code", "billing", "problem"),
    [
        ("123 Main St", "San Diego", "CA", "92101", True, None),
        ("123 Main St", "San Diego", "CA", "921011234", True, None),
        ("", "San Diego", "CA", "92101", True, "Street is missing."),
        ("123 Main St", "", "CA", "92101", True, "City is missing."),
        ("123 Main St", "San Diego", "Cal", "92101", True, "State must be a 2-letter code (e.g. CA)."),
        ("123 Main St", "San Diego", "CA", "9210", True, "Zip must have 5 or 9 digits."),
        ("123 Main St", "San Diego", "CA", "92101", False, "The billing address box is not ticked."),
        (
            "123 Main St, San Diego, CA 92101",
            "San Diego",
            "CA",
            "92101",
            True,
            "The whole address seems typed on the street line; put city, state and zip in their fields.",
        ),
        ("HOMELESS", "San Diego", "CA", "92101", True, None),
        ("HOMELESS", "Chula Vista", "CA", "91910", True, None),  # any valid values pass
    ],
)
def test_address_check_follows_the_address_incomplete_rule(agency, street, city, state, zip_code, billing, problem):
    client = factories.ClientFactory.build(
        address_street=street, address_city=city, address_state=state, address_zip=zip_code, billing_address=billing
    )

    check = check_address(client, agency)

    assert check.problems == ([problem] if problem else [])


def test_homeless_with_a_bad_zip_fails_and_is_pointed_to_the_agencys_address(agency):
    client = factories.ClientFactory.build(
        address_street="HOMELESS", address_city="San Diego", address_state="CA", address_zip="9210"
    )

    assert check_address(client, agency).problems == [
        "Zip must have 5 or 9 digits.",
        "For a HOMELESS client enter the agency's city, state and zip (San Diego, CA 92101).",
    ]


def test_homeless_client_still_needs_city_state_and_zip_and_is_told_the_agencys(provider_client, enrolled_client):
    Client.objects.filter(pk=enrolled_client.pk).update(
        address_street="HOMELESS", address_city="", address_state="", address_zip=""
    )

    body = provider_client.get(reverse("client-detail", kwargs={"pk": enrolled_client.pk})).content.decode()

    assert "City is missing." in body
    assert "For a HOMELESS client enter the agency&#x27;s city, state and zip (San Diego, CA 92101)." in body
    assert "Address passes the billing address check" not in body


def test_homeless_client_with_city_state_and_zip_passes(provider_client, enrolled_client):
    Client.objects.filter(pk=enrolled_client.pk).update(
        address_street="HOMELESS", address_city="San Diego", address_state="CA", address_zip="92101"
    )

    body = provider_client.get(reverse("client-detail", kwargs={"pk": enrolled_client.pk})).content.decode()

    assert "Address passes the billing address check" in body


def _new_client_data(program_, **overrides):
    data = {
        "first_name": "Ana",
        "last_name": "Reyes",
        "date_of_birth": "1990-02-03",
        "ssn": "",
        "address_street": "1 Elm St",
        "address_city": "San Diego",
        "address_state": "CA",
        "address_zip": "92101",
        "billing_address": "on",
        "program": program_.pk,
        "requested_date": "2026-01-05",
    }
    data.update(overrides)
    return data


def test_new_client_is_requested_in_the_program_so_the_agency_sees_it(provider_client, program):
    response = provider_client.post(reverse("client-add"), _new_client_data(program))

    client = Client.objects.get(last_name="Reyes")
    assert response.status_code == 302
    assert response["Location"] == reverse("client-detail", kwargs={"pk": client.pk})
    enrollment = Enrollment.objects.get(client=client)
    assert (enrollment.program, enrollment.status) == (program, Enrollment.Status.REQUESTED)
    assert provider_client.get(response["Location"]).status_code == 200


@pytest.mark.parametrize("match", ["name_and_dob", "ssn"])
def test_new_client_matching_one_on_file_asks_for_create_anyway(provider_client, program, match):
    existing = factories.ClientFactory(first_name="Ana", last_name="Reyes", date_of_birth=dt.date(1990, 2, 3))
    existing.set_ssn("111223333")
    existing.save()
    factories.EnrollmentFactory(client=existing, program=program)
    data = _new_client_data(program, ssn="111-22-3333")
    if match == "ssn":
        data.update(first_name="Anna", last_name="Reyes-Diaz", date_of_birth="1991-01-01")

    warned = provider_client.post(reverse("client-add"), data)

    assert warned.status_code == 200
    assert warned.context["duplicates"] == [existing]
    assert "Possible duplicate client" in warned.content.decode()
    assert Client.objects.count() == 1

    created = provider_client.post(reverse("client-add"), {**data, "create_anyway": "yes"})

    assert created.status_code == 302
    assert Client.objects.count() == 2


def test_duplicate_at_another_agency_is_counted_without_its_details(provider_client, program):
    elsewhere = factories.ClientFactory(first_name="Ana", last_name="Reyes", date_of_birth=dt.date(1990, 2, 3))
    factories.EnrollmentFactory(client=elsewhere)

    warned = provider_client.post(reverse("client-add"), _new_client_data(program))

    body = warned.content.decode()
    assert warned.context["duplicates"] == []
    assert warned.context["duplicates_elsewhere"] == 1
    assert f"/clients/{elsewhere.pk}/" not in body
    assert Client.objects.count() == 1


SSN_NEVER_ISSUED = "Not a valid SSN: an area of 000, 666 or 900-999, a group of 00 or a serial of 0000 is never issued."


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("ssn", "12345", "The SSN must be 9 digits."),
        ("ssn", "000-00-0000", SSN_NEVER_ISSUED),
        ("ssn", "666-12-3456", SSN_NEVER_ISSUED),
        ("ssn", "912-34-5678", SSN_NEVER_ISSUED),
        ("ssn", "123-00-4567", SSN_NEVER_ISSUED),
        ("ssn", "123-45-0000", SSN_NEVER_ISSUED),
        ("address_zip", "9210", "The zip code must be 5 or 9 digits."),
        ("address_state", "C1", "The state must be a 2-letter code."),
        ("date_of_birth", "2999-01-01", "The date of birth cannot be in the future."),
        ("program", "", "This field is required."),
    ],
)
def test_new_client_errors_show_on_the_field(provider_client, program, field, value, message):
    response = provider_client.post(reverse("client-add"), _new_client_data(program, **{field: value}))

    assert response.status_code == 200
    assert message in response.context["form"].errors[field]
    assert message in response.content.decode()
    assert not Client.objects.filter(last_name="Reyes").exists()


def test_editing_information_keeps_the_ssn_when_left_blank(provider_client, enrolled_client):
    enrolled_client.set_ssn("123456789")
    enrolled_client.save()
    url = reverse("client-edit", kwargs={"pk": enrolled_client.pk})

    form_page = provider_client.get(url)
    response = provider_client.post(
        url,
        {
            "first_name": "Maria",
            "last_name": "Lopez",
            "date_of_birth": "1980-05-17",
            "ssn": "",
            "address_street": "9 Oak Ave",
            "address_city": "San Diego",
            "address_state": "ca",
            "address_zip": "92102",
            "billing_address": "on",
        },
    )

    assert "123456789" not in form_page.content.decode()
    assert response.status_code == 302
    enrolled_client.refresh_from_db()
    assert (enrolled_client.address_street, enrolled_client.address_state) == ("9 Oak Ave", "CA")
    assert enrolled_client.get_ssn() == "123456789"


@pytest.mark.parametrize("ticked", [True, False])
def test_client_account_sets_financial_information_complete(provider_client, enrolled_client, ticked):
    Client.objects.filter(pk=enrolled_client.pk).update(financial_info_complete=not ticked)

    response = provider_client.post(
        reverse("client-account", kwargs={"pk": enrolled_client.pk}),
        {"financial_info_complete": "on"} if ticked else {},
    )

    enrolled_client.refresh_from_db()
    assert response.status_code == 302
    assert enrolled_client.financial_info_complete is ticked


def test_program_assignment_goes_requested_enrolled_discharged(provider_client, enrolled_client, agency):
    second = factories.ProgramFactory(agency=agency, code="HBH-SUD")
    provider_client.post(
        reverse("client-enrollment-add", kwargs={"pk": enrolled_client.pk}),
        {"program": second.pk, "requested_date": "2026-01-02"},
    )
    enrollment = Enrollment.objects.get(client=enrolled_client, program=second)
    status_url = reverse("client-enrollment-status", kwargs={"pk": enrolled_client.pk, "enrollment_pk": enrollment.pk})

    provider_client.post(status_url, {"status": "enrolled", "on_date": "2026-01-10"})
    enrollment.refresh_from_db()
    assert (enrollment.status, enrollment.enrolled_date) == ("enrolled", dt.date(2026, 1, 10))

    provider_client.post(status_url, {"status": "discharged", "on_date": "2026-03-01"})
    enrollment.refresh_from_db()
    assert (enrollment.status, enrollment.discharged_date) == ("discharged", dt.date(2026, 3, 1))


def test_discharge_before_enrollment_is_refused_with_a_message(provider_client, enrolled_client):
    enrollment = enrolled_client.enrollments.get()
    url = reverse("client-enrollment-status", kwargs={"pk": enrolled_client.pk, "enrollment_pk": enrollment.pk})

    response = provider_client.post(url, {"status": "discharged", "on_date": "2019-01-01"}, follow=True)

    enrollment.refresh_from_db()
    assert enrollment.status == "enrolled"
    assert "cannot be before" in response.content.decode()


def test_coverage_add_and_edit(provider_client, enrolled_client):
    payer = factories.PayerFactory(name="Medi-Cal")
    add_url = reverse("client-coverage-add", kwargs={"pk": enrolled_client.pk})

    provider_client.post(
        add_url,
        {"payer": payer.pk, "priority": 1, "start_date": "2026-01-01", "insured_id": "", "subscriber_is_client": "on"},
    )
    coverage = Coverage.objects.get(client=enrolled_client)
    record = provider_client.get(reverse("client-detail", kwargs={"pk": enrolled_client.pk})).content.decode()
    provider_client.post(
        reverse("client-coverage-edit", kwargs={"pk": enrolled_client.pk, "coverage_pk": coverage.pk}),
        {"payer": payer.pk, "priority": 1, "start_date": "2026-01-01", "insured_id": "91234567A"},
    )

    coverage.refresh_from_db()
    assert "Missing" in record
    assert (coverage.insured_id, coverage.subscriber_is_client) == ("91234567A", False)


def test_overlapping_coverage_with_the_same_priority_is_an_error_on_priority(provider_client, enrolled_client):
    factories.CoverageFactory(client=enrolled_client, start_date=dt.date(2026, 1, 1))
    payer = factories.PayerFactory(name="Other plan", payer_type="OHC")

    response = provider_client.post(
        reverse("client-coverage-add", kwargs={"pk": enrolled_client.pk}),
        {"payer": payer.pk, "priority": 1, "start_date": "2026-02-01"},
    )

    assert response.status_code == 200
    assert response.context["form"].errors["priority"] == [
        "Another coverage of this client holds the same priority in this time span."
    ]


def test_diagnosis_add_with_codes_in_billing_order(provider_client, enrolled_client, program):
    response = provider_client.post(
        reverse("client-diagnosis-add", kwargs={"pk": enrolled_client.pk}),
        {"program": program.pk, "effective_date": "2026-01-01", "codes": "f32.9, F41.1"},
    )

    document = DiagnosisDocument.objects.get(client=enrolled_client)
    assert response.status_code == 302
    assert [code.code for code in document.codes.order_by("billing_order")] == ["F32.9", "F41.1"]
    assert document.signed is False


@pytest.mark.parametrize("codes", ["F32", "XYZ.1"])
def test_diagnosis_with_a_code_that_cannot_bill_is_an_error_on_codes(provider_client, enrolled_client, program, codes):
    response = provider_client.post(
        reverse("client-diagnosis-add", kwargs={"pk": enrolled_client.pk}),
        {"program": program.pk, "effective_date": "2026-01-01", "codes": codes},
    )

    assert response.status_code == 200
    assert response.context["form"].errors["codes"]
    assert not DiagnosisDocument.objects.exists()


def test_signing_a_diagnosis_records_who_signed(provider_client, provider, enrolled_client, program):
    document = factories.DiagnosisDocumentFactory(client=enrolled_client, program=program, signed=False, signed_at=None)

    response = provider_client.post(
        reverse("client-diagnosis-sign", kwargs={"pk": enrolled_client.pk, "diagnosis_pk": document.pk}), follow=True
    )

    document.refresh_from_db()
    assert (document.signed, document.signed_by) == (True, provider)
    assert "Diagnosis signed" in response.content.decode()


def test_authorization_add_and_listed(provider_client, enrolled_client):
    payer = factories.PayerFactory(name="Medi-Cal")
    procedure = factories.ProcedureFactory(code="H0043", modifier="U6", name="Housing navigation")

    provider_client.post(
        reverse("client-authorization-add", kwargs={"pk": enrolled_client.pk}),
        {
            "payer": payer.pk,
            "procedure": procedure.pk,
            "tar_number": "TAR-77",
            "start_date": "2026-01-01",
            "end_date": "2026-06-30",
            "quantity": 6,
            "status": "approved",
        },
    )

    assert Authorization.objects.get(client=enrolled_client).tar_number == "TAR-77"
    record = provider_client.get(reverse("client-detail", kwargs={"pk": enrolled_client.pk})).content.decode()
    assert "TAR-77" in record


def test_diagnosis_edit_moves_the_span_and_replaces_the_codes_keeping_the_signature(
    provider_client, enrolled_client, program
):
    document = factories.DiagnosisDocumentFactory(client=enrolled_client, program=program)
    url = reverse("client-diagnosis-edit", kwargs={"pk": enrolled_client.pk, "diagnosis_pk": document.pk})

    form_page = provider_client.get(url)
    response = provider_client.post(
        url, {"program": program.pk, "effective_date": "2019-06-01", "end_date": "", "codes": "F41.1 F32.9"}
    )

    document.refresh_from_db()
    assert 'value="F32.9"' in form_page.content.decode()
    assert response.status_code == 302
    assert (document.effective_date, document.signed) == (dt.date(2019, 6, 1), True)
    assert [code.code for code in document.codes.order_by("billing_order")] == ["F41.1", "F32.9"]


def test_diagnosis_edit_with_end_before_effective_is_an_error_on_end_date(provider_client, enrolled_client, program):
    document = factories.DiagnosisDocumentFactory(client=enrolled_client, program=program)

    response = provider_client.post(
        reverse("client-diagnosis-edit", kwargs={"pk": enrolled_client.pk, "diagnosis_pk": document.pk}),
        {"program": program.pk, "effective_date": "2020-06-01", "end_date": "2020-01-01", "codes": "F32.9"},
    )

    assert response.context["form"].errors["end_date"] == ["The end date cannot be before the effective date."]


def test_authorization_edit_approves_a_tar_in_progress(provider_client, enrolled_client):
    authorization = factories.AuthorizationFactory(client=enrolled_client, status=Authorization.Status.IN_PROGRESS)
    url = reverse("client-authorization-edit", kwargs={"pk": enrolled_client.pk, "authorization_pk": authorization.pk})

    response = provider_client.post(
        url,
        {
            "payer": authorization.payer_id,
            "procedure": authorization.procedure_id,
            "tar_number": authorization.tar_number,
            "start_date": "2020-01-01",
            "end_date": "2030-12-31",
            "quantity": 12,
            "status": "approved",
        },
    )

    authorization.refresh_from_db()
    assert response.status_code == 302
    assert (authorization.status, authorization.quantity) == ("approved", 12)


def test_another_agencys_diagnosis_cannot_be_edited_through_a_shared_client(provider_client, enrolled_client):
    """A client served by two agencies: each sees and edits only its own agency's diagnoses."""
    elsewhere = factories.DiagnosisDocumentFactory(client=enrolled_client)
    url = reverse("client-diagnosis-edit", kwargs={"pk": enrolled_client.pk, "diagnosis_pk": elsewhere.pk})

    assert provider_client.get(url).status_code == 404
    record = provider_client.get(reverse("client-detail", kwargs={"pk": enrolled_client.pk}))
    assert record.context["record"].diagnoses == []


def test_signing_through_htmx_answers_the_signed_row_only(provider_client, enrolled_client, program):
    document = factories.DiagnosisDocumentFactory(client=enrolled_client, program=program, signed=False, signed_at=None)

    response = provider_client.post(
        reverse("client-diagnosis-sign", kwargs={"pk": enrolled_client.pk, "diagnosis_pk": document.pk}),
        HTTP_HX_REQUEST="true",
    )

    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith(f'<tr id="diagnosis-{document.pk}">')
    assert "Diagnosis signed" in body
    assert "Not signed" not in body
    document.refresh_from_db()
    assert document.signed is True


def test_county_billing_may_create_a_client_without_a_program(county_client, program):
    response = county_client.post(reverse("client-add"), _new_client_data(program, program="", requested_date=""))

    client = Client.objects.get(last_name="Reyes")
    assert response.status_code == 302
    assert not client.enrollments.exists()


# --- issue 11: CIN shape and presumptive authorizations on the forms ------------------------------


def test_a_cin_that_is_not_8_digits_and_a_letter_is_an_error_on_the_insured_id(provider_client, enrolled_client):
    payer = factories.PayerFactory(name="Medi-Cal")

    response = provider_client.post(
        reverse("client-coverage-add", kwargs={"pk": enrolled_client.pk}),
        {"payer": payer.pk, "priority": 1, "start_date": "2026-01-01", "insured_id": "9123456"},
    )

    assert response.status_code == 200
    assert response.context["form"].errors["insured_id"] == [
        "A Medi-Cal CIN is 8 digits and a letter (e.g. 91234567A)."
    ]
    assert not Coverage.objects.filter(client=enrolled_client).exists()


def test_a_presumptive_authorization_is_added_without_a_tar_number(provider_client, enrolled_client):
    payer = factories.PayerFactory(name="Partnership", payer_type="MCP")
    procedure = factories.ProcedureFactory(code="G9012", name="ECM enrollment")
    body = {
        "payer": payer.pk,
        "procedure": procedure.pk,
        "tar_number": "",
        "start_date": "2026-01-01",
        "end_date": "2026-06-30",
        "quantity": 1,
        "status": "approved",
    }
    url = reverse("client-authorization-add", kwargs={"pk": enrolled_client.pk})

    refused = provider_client.post(url, body)
    provider_client.post(url, {**body, "presumptive": "on"})

    assert refused.context["form"].errors["tar_number"]
    authorization = Authorization.objects.get(client=enrolled_client)
    assert (authorization.presumptive, authorization.tar_number) == (True, "")
    assert (
        "presumptive"
        in provider_client.get(reverse("client-detail", kwargs={"pk": enrolled_client.pk})).content.decode()
    )
