"""`manage.py bench_pages [--requests N]`: p50/p95 of the pages staff open most, on this database.

Requests the home page (Services Needing Attention), the Services list and the COSD Service Error
Report with Django's test client, as a county billing user and as a provider admin of the agency
with the most services, and prints the milliseconds per page. Run it on the bench database
(`make bench` fills it with 1,000,000 services; `make bench-pages`). The target is p95 < 300 ms.

It signs in two users of its own (`bench-county`, `bench-provider`, unusable passwords) and, like
any visit, each request writes an access-log row.
"""

from __future__ import annotations

import statistics
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Count
from django.test import Client
from django.urls import reverse

from accounts.models import User
from clients.models import Program
from nightly.bench import percentile
from services.models import Service

TARGET_MS = 300.0


class Command(BaseCommand):
    help = "Time the home page, the Services list and the error report (p50/p95 ms) as county and provider."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--requests", type=int, default=30, help="Timed requests per page and user.")
        parser.add_argument("--warmup", type=int, default=3, help="Untimed requests first (caches, connections).")

    def users(self) -> list[tuple[str, User]]:
        county, _ = User.objects.get_or_create(
            username="bench-county", defaults={"role": User.Role.COUNTY_BILLING, "agency": None}
        )
        busiest = (
            Program.objects.values("agency_id")
            .annotate(service_count=Count("services"))
            .order_by("-service_count", "agency_id")
            .first()
        )
        if busiest is None:
            raise CommandError("No programs in this database: run `make bench` (or load_demo) first.")
        provider, _ = User.objects.get_or_create(
            username="bench-provider", defaults={"role": User.Role.PROVIDER_ADMIN, "agency_id": busiest["agency_id"]}
        )
        for user in (county, provider):
            if user.has_usable_password():
                user.set_unusable_password()
                user.save(update_fields=["password"])
        return [("county", county), ("provider", provider)]

    def handle(self, *args: Any, **options: Any) -> None:
        count = options["requests"]
        if count < 1:
            raise CommandError("--requests must be at least 1.")
        pages = [
            ("home", reverse("home")),
            ("services", reverse("service-list")),
            ("service-errors", reverse("report-service-errors")),
        ]
        self.stdout.write(f"services in database: {Service.objects.count()}")
        worst = 0.0
        for role, user in self.users():
            client = Client()
            client.force_login(user)
            for name, url in pages:
                for _ in range(options["warmup"]):
                    client.get(url)
                samples = []
                for _ in range(count):
                    started = time.perf_counter()
                    response = client.get(url)
                    samples.append((time.perf_counter() - started) * 1000)
                    if response.status_code != 200:
                        raise CommandError(f"{url} answered {response.status_code} for {role}")
                p50, p95 = statistics.median(samples), percentile(samples, 0.95)
                worst = max(worst, p95)
                self.stdout.write(
                    f"page={name} user={role} requests={count} p50_ms={p50:.1f} p95_ms={p95:.1f} max_ms={max(samples):.1f}"
                )
        verdict = "ok" if worst < TARGET_MS else "over target"
        self.stdout.write(f"bench-pages: worst_p95_ms={worst:.1f} target_ms={TARGET_MS:.0f} {verdict}")
