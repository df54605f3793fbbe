"""`manage.py bench_nightly --services N` (what `make bench` runs, in its own database).

Builds a synthetic county of N services, times the engine (`run_validation`, in-process, every audit
trigger on), puts the data back, times the one-statement raw-SQL floor on the same data, checks both
found the same failures and completions, puts the data back again and times the write floor (the
engine's own outcomes, known in advance, written to the same tables under the same indexes and
triggers), and prints the figures; the last line is machine-readable.
"""

from __future__ import annotations

import resource
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.utils import timezone

from nightly import bench
from nightly.engine import run_validation
from nightly.models import NightlyRun


class Command(BaseCommand):
    help = "Benchmark the nightly engine against a raw-SQL floor on a synthetic county (REPLACES the database's data)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--services", type=int, default=1_000_000)
        parser.add_argument("--seed", type=int, default=7)

    def handle(self, *args: Any, **options: Any) -> None:
        name = connection.settings_dict["NAME"]
        if "bench" not in name:
            raise CommandError(f"bench_nightly replaces all data: run it in a bench database (not {name!r}).")
        services = options["services"]
        started = time.monotonic()
        candidates = bench.build_county(services, seed=options["seed"])
        self.stdout.write(
            f"county: {services} services, {candidates} candidates, built in {time.monotonic() - started:.1f} s"
        )

        started = time.monotonic()
        run = run_validation(as_of=bench.AS_OF)
        seconds = time.monotonic() - started
        self.stdout.write(
            f"engine: {seconds:.2f} s, checked {run.services_checked}, completed {run.services_completed}, "
            f"failed {run.services_failed} ({100 * run.services_failed / max(run.services_checked, 1):.1f}%), "
            f"{run.chunks_total} chunks"
        )
        for code, count in sorted(run.failures_by_rule.items()):
            self.stdout.write(f"  {code}: {count}")
        bench.save_engine_results()
        bench.reset_results()

        floor_run = NightlyRun.objects.create(as_of=bench.AS_OF, status=NightlyRun.Status.RUNNING)
        started = time.monotonic()
        counts = bench.run_floor(floor_run.pk, timezone.now())
        floor_seconds = time.monotonic() - started
        NightlyRun.objects.filter(pk=floor_run.pk).update(status=NightlyRun.Status.SUCCEEDED)
        self.stdout.write(
            f"floor: {floor_seconds:.2f} s, checked {counts[0]}, completed {counts[1]}, failed {counts[2]}, "
            "one statement"
        )

        failures, completions = bench.compare()

        # The write floor: the engine's outcomes, known in advance, written under the same triggers.
        bench.reset_results()
        floor_run = NightlyRun.objects.create(as_of=bench.AS_OF, status=NightlyRun.Status.RUNNING)
        started = time.monotonic()
        written = bench.run_write_floor(floor_run.pk, timezone.now())
        write_seconds = time.monotonic() - started
        NightlyRun.objects.filter(pk=floor_run.pk).update(status=NightlyRun.Status.SUCCEEDED)
        self.stdout.write(f"write floor: {write_seconds:.2f} s, {written} services written, outcomes known in advance")
        agree = failures == 0 and completions == 0 and counts[0] == run.services_checked
        if not agree:
            self.stdout.write(f"DISAGREE: {failures} failures and {completions} completions differ")
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        self.stdout.write(
            f"bench: services={services} seconds={seconds:.2f} services_per_s={services / seconds:.0f} "
            f"floor_seconds={floor_seconds:.2f} ratio={seconds / floor_seconds:.2f} "
            f"write_floor_seconds={write_seconds:.2f} write_ratio={seconds / write_seconds:.2f} peak_rss_mb={peak_mb:.0f} "
            f"agree={'yes' if agree else 'no'}"
        )
