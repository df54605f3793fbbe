"""`manage.py bench_import` (what `make bench-import` runs, in a bench database).

Against the reference data of `make bench`'s synthetic county (built here when the database has
none: `--county` services), it writes a service sheet of `--rows` rows for agency 1 (its two
mental-health programs, clients by id and one in ten by name and date of birth), then times, each in
a fresh import by a provider admin of that agency:

1. the CSV checked and imported, with tonight's verdict of every imported service;
2. the same sheet as .xlsx, two months later (new services, not duplicates of the CSV's);
3. the CSV with one bad row at the end: rejected, and the service count proves nothing was written.

Peak memory is the process's peak resident set (`ru_maxrss`), the county build included.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import resource
import time
from typing import Any

import openpyxl
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from accounts.models import User
from clients.models import Agency, Client
from imports.actions import start_import
from imports.models import Import
from nightly import bench_county
from services.models import Service

HEADER = [
    "external_id",
    "client_id",
    "last_name",
    "first_name",
    "date_of_birth",
    "program_code",
    "procedure_code",
    "modifier",
    "clinician_id",
    "location",
    "start",
    "duration_minutes",
    "mode_of_delivery",
    "note_signed",
]


def sheet_rows(rows: int, prefix: str, county_clients: int, first_day: dt.date) -> list[list[str]]:
    """Services for the clients of programs 1 and 2 (agency 1's mental-health programs)."""
    programs = bench_county.AGENCIES * bench_county.PROGRAMS_PER_AGENCY
    clients = [c for c in range(1, county_clients + 1) if (c - 1) % programs + 1 in (1, 2)][: max(1, rows // 8)]
    out = []
    for n in range(rows):
        c = clients[n % len(clients)]
        k = n // len(clients)
        program = (c - 1) % programs + 1
        procedure, minutes = [("H2017", "60"), ("90837", "53")][k % 2]
        start = dt.datetime.combine(first_day + dt.timedelta(days=k), dt.time(9 + k % 8, 0))
        by_name = n % 10 == 0
        out.append(
            [
                f"{prefix}{n + 1}",
                "" if by_name else str(c),
                f"Last{c}" if by_name else "",
                f"First{c}" if by_name else "",
                "1980-01-01" if by_name else "",
                f"P{program:04d}",
                procedure,
                "",
                str((n % 16) + 1),
                "Clinic",
                start.strftime("%Y-%m-%d %H:%M"),
                minutes,
                "in_person",
                "Y",
            ]
        )
    return out


def as_csv(rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(HEADER)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def as_xlsx(rows: list[list[str]]) -> bytes:
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("services")
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


class Command(BaseCommand):
    help = "Benchmark service imports (CSV, XLSX, a bad last row) on the bench county's reference data."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--rows", type=int, default=50_000)
        parser.add_argument("--county", type=int, default=1_000_000, help="services of the county built when empty")

    def handle(self, *args: Any, **options: Any) -> None:
        name = connection.settings_dict["NAME"]
        if "bench" not in name:
            raise CommandError(f"bench_import writes a county: run it in a bench database (not {name!r}).")
        if not Agency.objects.filter(pk=1).exists():
            started = time.monotonic()
            bench_county.build_county(options["county"])
            bench_county.vacuum()
            self.stdout.write(f"county: {options['county']} services built in {time.monotonic() - started:.1f} s")
        agency = Agency.objects.get(pk=1)
        user, _ = User.objects.get_or_create(
            username="bench-import", defaults={"role": User.Role.PROVIDER_ADMIN, "agency": agency}
        )
        stamp = dt.datetime.now().strftime("%H%M%S")
        county_clients = Client.objects.count()
        rows = sheet_rows(options["rows"], f"B{stamp}-", county_clients, dt.date(2026, 7, 1))
        self.stdout.write(f"agency 1: {Client.objects.filter(enrollments__program__agency=agency).count()} clients")

        def run(label: str, data: bytes, file_name: str) -> Import:
            before = Service.objects.count()
            started = time.monotonic()
            imp = start_import(user=user, agency=agency, kind="services", file_name=file_name, data=data)
            seconds = time.monotonic() - started
            written = Service.objects.count() - before
            complete = sum(1 for verdict in imp.verdicts if verdict["would_complete"])
            self.stdout.write(
                f"{label}: {seconds:.2f} s, {len(data) / 1e6:.1f} MB, status={imp.status} rows={imp.rows} "
                f"created={imp.created} written={written} verdicts={len(imp.verdicts)} would_complete={complete} "
                f"errors={len(imp.errors)}"
            )
            return imp

        csv_import = run("csv", as_csv(rows), "bench.csv")
        # The same sheet two months later: new services, not duplicates of the CSV's (which the
        # night's DUPLICATE_SERVICE rule would fail).
        xlsx_rows = [
            [f"X{row[0]}", *row[1:]] for row in sheet_rows(options["rows"], "", county_clients, dt.date(2026, 9, 1))
        ]
        xlsx_import = run("xlsx", as_xlsx(xlsx_rows), "bench.xlsx")
        bad = [[f"Z{row[0]}", *row[1:]] for row in rows]
        bad[-1][9] = "No Such Place"
        bad_import = run("csv-bad-last-row", as_csv(bad), "bench-bad.csv")
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        ok = (
            csv_import.status == "committed"
            and xlsx_import.status == "committed"
            and bad_import.status == "rejected"
            and bad_import.errors == [{"row": len(rows), "column": "location", "message": "Unknown location."}]
        )
        self.stdout.write(f"bench-import: rows={len(rows)} peak_rss_mb={peak_mb:.0f} ok={'yes' if ok else 'no'}")
