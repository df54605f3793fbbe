"""`manage.py load_demo [--seed N] [--clients N] [--if-empty]`: the synthetic demo county."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from pages.demo.county import DEFAULT_CLIENTS, DEMO_PASSWORD, DemoNotEmpty, database_has_clients, load_demo


class Command(BaseCommand):
    help = "Load a synthetic county (agencies, clients, six months of services, ~15% with problems)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=7, help="Random seed; the same seed gives the same county.")
        parser.add_argument(
            "--clients", type=int, default=DEFAULT_CLIENTS, help="Number of clients (about 20 services each)."
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing when the database already has clients (for `make demo`).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["if_empty"] and database_has_clients():
            self.stdout.write("The database already has clients; the demo county was not loaded again.")
            return
        if options["clients"] < 10:
            raise CommandError("--clients must be at least 10.")
        try:
            summary = load_demo(seed=options["seed"], clients=options["clients"])
        except DemoNotEmpty as exc:
            raise CommandError(f"{exc} Use --if-empty to skip, or load into a new database.") from exc
        statuses = ", ".join(f"{status} {count}" for status, count in sorted(summary.by_status.items()))
        self.stdout.write(
            f"Demo county (seed {summary.seed}, as of {summary.today}): {summary.agencies} agencies, "
            f"{summary.programs} programs, {summary.staff} staff, {summary.clients} clients, "
            f"{summary.services} services ({statuses}) in {summary.seconds:.1f} s."
        )
        self.stdout.write(
            f"Planted problems: {summary.failing_by_design} services ({summary.failing_share:.1%}) over "
            f"{sum(1 for n in summary.planted.values() if n)} rule codes: "
            + ", ".join(f"{code} {n}" for code, n in summary.planted.items())
        )
        self.stdout.write(f"Users {', '.join(summary.users)}; password {DEMO_PASSWORD}")
