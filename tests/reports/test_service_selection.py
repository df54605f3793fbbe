"""Selected rows of the Services list: Mark in Error all or nothing, export only the selected rows."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from django.urls import reverse

from accounts.models import AccessLog
from services.models import Service
from tests.reports.conftest import service_on, signed_in

pytestmark = pytest.mark.django_db

URL = reverse("service-selection")


@pytest.fixture
def three(program):
    return [service_on(dt.date(2026, 9, day), program=program, note_signed=True) for day in (1, 2, 3)]


def test_mark_error_asks_for_confirmation_then_marks_every_selected_service(provider, three):
    client = signed_in(provider)
    chosen = {"selected": [three[0].pk, three[1].pk], "action": "mark_error", "next": "/services/?status=show"}
    confirm_page = client.post(URL, chosen)
    assert confirm_page.status_code == 200
    assert "Mark 2 services in Error" in confirm_page.content.decode()
    assert Service.objects.filter(status=Service.Status.ERROR).count() == 0

    # Without ticking the confirmation nothing happens.
    assert client.post(URL, {**chosen, "step": "confirm"}).status_code == 400
    assert Service.objects.filter(status=Service.Status.ERROR).count() == 0

    response = client.post(URL, {**chosen, "step": "confirm", "confirm": "on"})
    assert response.status_code == 302
    assert response["Location"] == "/services/?status=show"
    statuses = {s.pk: (s.status, s.note_signed) for s in Service.objects.all()}
    assert statuses[three[0].pk] == (Service.Status.ERROR, False)
    assert statuses[three[1].pk] == (Service.Status.ERROR, False)
    assert statuses[three[2].pk] == (Service.Status.SHOW, True)


def test_mark_error_is_all_or_nothing_and_names_the_refusing_service(provider, three):
    claimed = three[1]
    Service.objects.filter(pk=claimed.pk).update(
        status=Service.Status.COMPLETE, claimed=True, units=4, rate=25, charge=100
    )
    client = signed_in(provider)
    response = client.post(
        URL,
        {"selected": [s.pk for s in three], "action": "mark_error", "step": "confirm", "confirm": "on"},
        follow=True,
    )
    body = response.content.decode()
    assert "Nothing was changed." in body
    assert f"Service {claimed.pk}:" in body
    # The two that could be marked were not: the whole batch was undone.
    assert Service.objects.filter(status=Service.Status.ERROR).count() == 0
    assert Service.objects.filter(note_signed=True).count() == 3


def test_another_agencys_service_in_the_selection_refuses_the_whole_selection(provider, three, other_program):
    theirs = service_on(dt.date(2026, 9, 4), program=other_program)
    response = signed_in(provider).post(
        URL,
        {"selected": [three[0].pk, theirs.pk], "action": "mark_error", "step": "confirm", "confirm": "on"},
        follow=True,
    )
    assert "nothing was changed" in response.content.decode()
    assert Service.objects.filter(status=Service.Status.ERROR).count() == 0


def test_nothing_selected_says_so(provider, three):
    response = signed_in(provider).post(URL, {"action": "mark_error"}, follow=True)
    assert "Select at least one service first" in response.content.decode()


def test_export_selected_holds_only_the_selected_rows_and_is_access_logged(provider, three):
    response = signed_in(provider).post(URL, {"selected": [three[2].pk, three[0].pk], "action": "xlsx"})
    assert response.status_code == 200
    assert 'filename="selected-services_north-clinic_all-dates_exported-' in response["Content-Disposition"]
    header, *rows = list(openpyxl.load_workbook(io.BytesIO(response.content)).active.values)
    assert sorted(row[header.index("Service id")] for row in rows) == sorted([three[0].pk, three[2].pk])
    assert {row[header.index("Agency")] for row in rows} == {"North Clinic"}
    log = AccessLog.objects.get()
    assert (log.action, log.target) == ("export_report", "report:services")
    assert log.filters == {"selected": f"{three[0].pk},{three[2].pk}", "format": "xlsx"}
