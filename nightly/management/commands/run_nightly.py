"""`manage.py run_nightly [--date YYYY-MM-DD] [--dry-run]`: the nightly validation, in this process."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from common import bounds
from nightly.engine import RunAlreadyActive, run_validation


def _date(value: str) -> dt.date:
    try:
        day = dt.date.fromisoformat(value)
        bounds.validate_run_date(day)
    except ValueError as exc:
        raise CommandError(f"--date must be YYYY-MM-DD, not {value!r}.") from exc
    except ValidationError as exc:
        raise CommandError(f"--date: {exc.messages[0]}") from exc
    return day


class Command(BaseCommand):
    help = "Validate every service in Show dated on or before the run date (default: today, county time)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", type=str, help="Run date, YYYY-MM-DD (default: today in the county).")
        parser.add_argument("--dry-run", action="store_true", help="Count what would fail or complete; write nothing.")

    def handle(self, *args: Any, **options: Any) -> None:
        as_of = _date(options["date"]) if options["date"] else timezone.localdate()
        try:
            run = run_validation(as_of=as_of, dry_run=options["dry_run"])
        except RunAlreadyActive as exc:
            raise CommandError(f"Already running: {exc}") from exc
        label = "Dry run" if run.dry_run else "Run"
        self.stdout.write(
            f"{label} {run.pk} as of {run.as_of}: {run.services_checked} checked, "
            f"{run.services_completed} {'would complete' if run.dry_run else 'completed'}, "
            f"{run.services_failed} failing, in {run.duration_seconds:.1f} s ({run.chunks_done} chunks)"
        )
        for code, count in sorted(run.failures_by_rule.items(), key=lambda item: (-item[1], item[0])):
            self.stdout.write(f"  {code}: {count}")
