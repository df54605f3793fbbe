"""`manage.py bench_check [--requests N]` (`make bench-check`): how fast staff see tonight's verdict.

On the bench database (`make bench` fills it), it gives one client 300 services in Show (copied, untimed,
from the client's own first service: same program, procedure, clinician, one a day), then times with
Django's test client (a county billing user checks; a provider admin of the agency saves and reads):

* `POST /api/checks/ {"client": id}`: the check of that client's 300 services (target p95 < 100 ms);
* a save and the service page after it: `PATCH /api/services/{id}/` (a correction, whose answer
  carries the `check`) and `GET /services/{id}/` (the page with tonight's verdict).

Prints p50/p95 per request; the last line is machine-readable. It writes: the 300 services (kept, so a
second run reuses them), the corrections' audit rows, the access log of the page views.
"""

from __future__ import annotations

import json
import statistics
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.test import Client
from django.urls import reverse

from accounts.models import User
from reports.management.commands.bench_pages import percentile
from services.models import Service

TARGET_MS = 100.0
SERVICES = 300


def busy_client() -> int:
    """The client with SERVICES show services, made once from the bench's first client with a show service."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT client_id FROM services_service WHERE status = 'show' GROUP BY client_id "
            "HAVING count(*) >= %s ORDER BY client_id LIMIT 1",
            [SERVICES],
        )
        row = cursor.fetchone()
        if row:
            return int(row[0])
        cursor.execute("SELECT min(client_id) FROM services_service WHERE status = 'show'")
        client_id = cursor.fetchone()[0]
        if client_id is None:
            raise CommandError("No services in this database: run `make bench` first.")
        cursor.execute(
            """INSERT INTO services_service (client_id, program_id, procedure_id, clinician_id, location_id, start,
                   duration_minutes, status, mode_of_delivery, note_signed, do_not_complete, delay_reason_code,
                   claimed, created_at, updated_at)
               SELECT s.client_id, s.program_id, s.procedure_id, s.clinician_id, s.location_id,
                      timestamptz '2025-08-01 17:00:00+00' + make_interval(days => g.n), s.duration_minutes, 'show',
                      s.mode_of_delivery, true, false, '', false, now(), now()
               FROM (SELECT * FROM services_service WHERE client_id = %s AND status = 'show' ORDER BY id LIMIT 1) s
               CROSS JOIN generate_series(1, %s) g(n)""",
            [client_id, SERVICES],
        )
        cursor.execute("ANALYZE services_service")
    return int(client_id)


class Command(BaseCommand):
    help = "Time POST /api/checks/ for a client with 300 services and the service page after a save (p50/p95 ms)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--requests", type=int, default=30)
        parser.add_argument("--warmup", type=int, default=3)

    def handle(self, *args: Any, **options: Any) -> None:
        if "bench" not in connection.settings_dict["NAME"]:
            raise CommandError("bench_check adds services: run it in a bench database.")
        count = options["requests"]
        client_id = busy_client()
        user, _ = User.objects.get_or_create(
            username="bench-county", defaults={"role": User.Role.COUNTY_BILLING, "agency": None}
        )
        browser = Client()
        browser.force_login(user)
        service = (
            Service.objects.filter(client_id=client_id, status="show").select_related("program").order_by("-id").first()
        )
        assert service is not None
        # Corrections are the provider's: a provider admin of the service's agency saves.
        provider, _ = User.objects.get_or_create(
            username="bench-provider-check",
            defaults={"role": User.Role.PROVIDER_ADMIN, "agency_id": service.program.agency_id},
        )
        staff = Client()
        staff.force_login(provider)
        body = json.dumps({"client": client_id})

        def check() -> Any:
            return browser.post("/api/checks/", body, content_type="application/json")

        def save() -> Any:
            minutes = 60 if service.duration_minutes != 60 else 61
            service.duration_minutes = minutes
            return staff.patch(
                f"/api/services/{service.pk}/",
                json.dumps({"duration_minutes": minutes}),
                content_type="application/json",
            )

        def page() -> Any:
            return staff.get(reverse("service-detail", args=[service.pk]))

        results = {}
        checked = len(check().json()["results"])
        self.stdout.write(f"client {client_id}: {checked} services checked per request")
        for name, request in (("check", check), ("save", save), ("service_page", page)):
            for _ in range(options["warmup"]):
                request()
            samples = []
            for _ in range(count):
                started = time.perf_counter()
                response = request()
                samples.append((time.perf_counter() - started) * 1000)
                if response.status_code != 200:
                    raise CommandError(f"{name} answered {response.status_code}")
            results[name] = (statistics.median(samples), percentile(samples, 0.95))
            self.stdout.write(f"{name}: requests={count} p50_ms={results[name][0]:.1f} p95_ms={results[name][1]:.1f}")
        verdict = "ok" if results["check"][1] < TARGET_MS else "over target"
        self.stdout.write(
            f"bench-check: services={checked} check_p50_ms={results['check'][0]:.1f} "
            f"check_p95_ms={results['check'][1]:.1f} save_p95_ms={results['save'][1]:.1f} "
            f"page_p95_ms={results['service_page'][1]:.1f} target_ms={TARGET_MS:.0f} {verdict}"
        )
