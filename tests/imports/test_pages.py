"""Import pages: upload with Check only / Import, the result, history, templates, the errors sheet."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest
from django.test import Client as Browser

from accounts.models import AccessLog
from imports.models import Import
from services.models import Service
from tests.imports.conftest import csv_bytes, service_row

pytestmark = pytest.mark.django_db


def signed_in(user) -> Browser:
    browser = Browser()
    browser.force_login(user)
    return browser


def post_file(browser: Browser, data: bytes, *, name: str = "s.csv", **fields: str):
    file = io.BytesIO(data)
    file.name = name
    return browser.post("/imports/", {"kind": "services", "file": file, **fields})


def test_check_only_then_import(world):
    browser = signed_in(world.admin)
    assert browser.get("/imports/").status_code == 200
    response = post_file(browser, csv_bytes([service_row(world)]), check_only="1")
    imp = Import.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/imports/{imp.pk}/"
    assert imp.status == "checked"
    assert imp.dry_run
    page = browser.get(response["Location"]).content.decode()
    assert "Every row is right. Nothing was written" in page
    response = post_file(browser, csv_bytes([service_row(world)]), **{"import": "1"})
    imp = Import.objects.latest("id")
    assert imp.status == "committed"
    page = browser.get(response["Location"]).content.decode()
    assert "Imported: 1 created, 0 updated" in page
    assert "/services/?dos_from=2026-03-02&amp;dos_to=2026-03-02&amp;program=" in page


def test_rejected_file_shows_every_error_and_gives_the_sheet_back_with_errors(world):
    browser = signed_in(world.admin)
    rows = [service_row(world), service_row(world, location="=cmd|' /C calc'!A0", start="2026-03-03 10:00")]
    response = post_file(browser, csv_bytes(rows))
    page = browser.get(response["Location"]).content.decode()
    assert "Nothing was written" in page
    assert "<td>2</td><td><code>location</code></td><td>Unknown location.</td>" in page
    imp = Import.objects.get()
    sheet = browser.get(f"/imports/{imp.pk}/errors.csv")
    assert sheet.status_code == 200
    lines = list(csv.reader(io.StringIO(sheet.content.decode())))
    assert lines[0][-1] == "Errors"
    assert lines[1][-1] == ""
    assert lines[2][-1] == "location: Unknown location."
    # The formula-looking cell comes back as text that no spreadsheet evaluates.
    assert not lines[2][lines[0].index("location")].startswith("=")
    workbook = openpyxl.load_workbook(io.BytesIO(browser.get(f"/imports/{imp.pk}/errors.xlsx").content))
    values = [[cell.value for cell in row] for row in workbook.active.iter_rows()]
    cell = workbook.active.cell(row=3, column=values[0].index("location") + 1)
    # Excel keeps the literal text in a text cell marked with the quote prefix: shown, never run.
    assert cell.data_type == "s"
    assert cell.quotePrefix
    assert Service.objects.filter(location__name__startswith="=").count() == 0
    # Both downloads held the uploaded rows: each is in the access log, by the import's id only.
    logged = AccessLog.objects.filter(user=world.admin, action=AccessLog.Action.EXPORT_REPORT)
    assert sorted(log.filters["format"] for log in logged) == ["csv", "xlsx"]
    assert {log.target for log in logged} == {f"import:{imp.pk}"}


def test_history_lists_who_when_file_rows_outcome_and_is_scoped(world):
    post_file(signed_in(world.admin), csv_bytes([service_row(world)]), name="march.csv")
    page = signed_in(world.admin).get("/imports/history/").content.decode()
    assert "march.csv" in page
    assert "harbor-admin" in page
    assert "Imported: 1 created" in page
    assert "march.csv" not in signed_in(world.other_admin).get("/imports/history/").content.decode()
    imp = Import.objects.get()
    assert signed_in(world.other_admin).get(f"/imports/{imp.pk}/").status_code == 404


def test_county_chooses_the_agency(world):
    browser = signed_in(world.county)
    response = post_file(browser, csv_bytes([service_row(world)]))
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    response = post_file(browser, csv_bytes([service_row(world)]), agency=str(world.agency.pk))
    assert response.status_code == 302
    assert Import.objects.get().agency == world.agency


@pytest.mark.parametrize(("kind", "first"), [("services", "external_id"), ("clients", "external_id")])
def test_templates_have_the_header_and_an_example_row(world, kind, first):
    browser = signed_in(world.admin)
    lines = list(csv.reader(io.StringIO(browser.get(f"/imports/template/{kind}.csv").content.decode())))
    assert lines[0][0] == first
    assert len(lines) == 2
    workbook = openpyxl.load_workbook(io.BytesIO(browser.get(f"/imports/template/{kind}.xlsx").content))
    assert workbook.active.max_row == 2
