"""Hostile or malformed files: a clear 400 naming the problem, and nothing written."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.test import override_settings

from services.models import Service
from tests.imports.conftest import csv_bytes, service_row, upload, xlsx_bytes

pytestmark = pytest.mark.django_db


def rejected(response) -> str:
    assert response.status_code == 400, response.data
    assert response.data["status"] == "rejected"
    assert response.data["errors"][0]["row"] is None
    return " | ".join(error["message"] for error in response.data["errors"])


def test_wrong_extension(world):
    assert rejected(upload(world.admin, b"a,b\n1,2\n", name="services.txt")) == "Upload a .csv or .xlsx file."


def test_workbook_named_csv_and_text_named_xlsx(world):
    xlsx = xlsx_bytes([service_row(world)])
    assert "not a CSV text file" in rejected(upload(world.admin, xlsx, name="services.csv"))
    assert (
        rejected(upload(world.admin, b"client_id\n1\n", name="s.xlsx")) == "The file is not an Excel workbook (.xlsx)."
    )


def test_zip_that_is_not_a_workbook(world):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "hello")
    assert (
        rejected(upload(world.admin, buffer.getvalue(), name="s.xlsx")) == "The file is not an Excel workbook (.xlsx)."
    )


def test_damaged_workbook(world):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<not xml")
        archive.writestr("xl/workbook.xml", "<not xml")
    assert "cannot be read" in rejected(upload(world.admin, buffer.getvalue(), name="s.xlsx"))


def test_zip_bomb_is_refused_before_decompressing(world):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (30 * 1024 * 1024))
    data = buffer.getvalue()
    assert len(data) < 100_000  # 30 MB packed into a few kilobytes
    with override_settings(IMPORT_MAX_UNCOMPRESSED_BYTES=10 * 1024 * 1024):
        assert "unpacks to more than 10 MB" in rejected(upload(world.admin, data, name="s.xlsx"))


@override_settings(IMPORT_MAX_BYTES=2000)
def test_too_large_file(world):
    rows = [service_row(world, start=f"2026-02-{day:02d} 10:00") for day in range(1, 29)]
    assert "larger than" in rejected(upload(world.admin, csv_bytes(rows)))


@override_settings(IMPORT_MAX_ROWS=3)
def test_too_many_rows(world):
    rows = [service_row(world, start=f"2026-02-{day:02d} 10:00") for day in range(1, 6)]
    assert rejected(upload(world.admin, csv_bytes(rows))) == (
        "The file has more than 3 data rows; split it into smaller files."
    )


def test_invalid_and_mixed_encodings(world):
    good = csv_bytes([service_row(world)])
    latin1 = good + "Müller".encode("latin-1") + b"\r\n"
    assert "not UTF-8 text (line 3" in rejected(upload(world.admin, latin1))
    utf16 = csv_bytes([service_row(world)]).decode().encode("utf-16")
    assert "not" in rejected(upload(world.admin, utf16))


def test_duplicate_and_unknown_headers(world):
    data = b"client_id,client_id,program_code\n1,2,X\n"
    assert rejected(upload(world.admin, data)) == "The column 'client_id' appears more than once in the header."
    row = service_row(world)
    row["colour"] = "blue"
    assert rejected(upload(world.admin, csv_bytes([row]))) == "Unknown column 'colour'."


def test_missing_required_column(world):
    row = service_row(world)
    del row["location"]
    assert rejected(upload(world.admin, csv_bytes([row]))) == "The file needs the column location."


def test_zero_data_rows_and_empty_file(world):
    header_only = b",".join(name.encode() for name in service_row(world)) + b"\r\n\r\n,,,\r\n"
    assert rejected(upload(world.admin, header_only)) == "The file has no data rows (only a header)."
    assert rejected(upload(world.admin, b"")) == "The file is empty."


def test_broken_quote_and_ragged_row(world):
    good = csv_bytes([service_row(world)])
    assert "more cells than the header" in rejected(upload(world.admin, good + b"1,2,3,4,5,6,7,8,9,10,11,12,13\r\n"))


def test_nothing_written_for_any_hostile_file(world):
    before = Service.objects.count()
    upload(world.admin, b"\x00\x01\x02", name="s.csv")
    upload(world.admin, b"PK\x03\x04garbage", name="s.xlsx")
    assert Service.objects.count() == before
