"""Domain bounds of every number and date a user (or an import) can enter: the one place they live.

Issue 9: one service with `duration_minutes` 2147483647 made the nightly run's units arithmetic
overflow and stopped the night for every agency. Every numeric and date field of the domain models
now carries bounds, held three times from this one definition:

* the database: a named `CheckConstraint` built with `range_check()` (fixed bounds only: a CHECK must
  be immutable, so "not in the future" cannot live there);
* the model field's `validators=` (`range_validators()`), which DRF's model serializers turn into
  `min_value`/`max_value` (a 400 naming the field) and which the coming imports app reuses through
  the same serializers/`full_clean`;
* the page forms, which name the same constants (`min_value=`, `validators=`).

Relative bounds (a date of birth not in the future, a service start at most `START_MAX_YEARS_AHEAD`
years ahead) are Python validators only, on the model field and the forms.

Why these numbers (README.md, Decisions):
* Dates 1900-01-01 .. 2099-12-31: no client, coverage, TAR or service of this county predates 1900;
  anything past 2099 is a typo (an extra digit in the year), and the engine's date arithmetic
  (timely filing adds 13 months, the day units add the duration) stays far inside PostgreSQL's range.
* Duration 1 .. 44,640 minutes (31 days): the longest service DOMAIN.md knows is a residential stay
  billed per day within a month; with it the units of one service are at most 2,976 (15-minute
  Medi-Cal units) or 32 (days), so units, rate x units and every sum fit their columns by construction.
* A rate at most 999,999.99 per unit: 2,976 units x 999,999.99 = 2,975,999,970.24 still fits the
  service's charge column (12 digits, 2 decimals); no Medi-Cal rate comes near it.
* A billed amount (the service's amount under a maximum rate, e.g. the actual housing deposit) at
  most RATE_MAX: it is charged as one unit at that rate, so the charge stays within the column too.
* Transition days at most 365 (care coordination uses 30) and a payer's timely filing limit 1 .. 120
  months (Medi-Cal 12): the engine adds them to dates, which stay far inside PostgreSQL's range.
* Counts (limits, TAR quantities) at most 1,000,000, months of a prerequisite at most 120, a coverage
  priority and a diagnosis billing order at most 99: far above any real value, far below int overflow.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.deconstruct import deconstructible

DATE_MIN = dt.date(1900, 1, 1)
DATE_MAX = dt.date(2099, 12, 31)
DATETIME_MIN = dt.datetime(1900, 1, 1, tzinfo=dt.UTC)
DATETIME_MAX = dt.datetime(2099, 12, 31, 23, 59, 59, tzinfo=dt.UTC)

DURATION_MIN = 1
DURATION_MAX = 44_640  # 31 days of minutes

MONEY_MIN = Decimal("0.00")
RATE_MAX = Decimal("999999.99")

COUNT_MAX = 1_000_000  # procedure limit counts and minutes, TAR quantities
MONTHS_MAX = 120  # months of a prerequisite procedure
PRIORITY_MAX = 99  # coverage priority, diagnosis billing order

BILLED_AMOUNT_MAX = RATE_MAX  # billed as one unit under a maximum rate: charge = billed amount
TRANSITION_DAYS_MAX = 365  # days a procedure bills around an enrollment (care coordination: 30)
TIMELY_FILING_MONTHS_MIN = 1
TIMELY_FILING_MONTHS_MAX = 120  # a payer's timely filing limit (Medi-Cal 12)

START_MAX_YEARS_AHEAD = 2  # a scheduled service is booked at most this far ahead


def range_validators(low: Any, high: Any) -> list[Any]:
    """The model field's validators for [low, high] (DRF maps them to min_value/max_value)."""
    return [MinValueValidator(low), MaxValueValidator(high)]


def date_validators() -> list[Any]:
    return range_validators(DATE_MIN, DATE_MAX)


def datetime_validators() -> list[Any]:
    return range_validators(DATETIME_MIN, DATETIME_MAX)


def range_check(field: str, low: Any, high: Any, *, name: str) -> models.CheckConstraint:
    """A named CHECK `low <= field <= high` (a NULL passes, as for every CHECK).

    `low=None` checks the upper bound only, where an older named constraint already holds the lower
    one (e.g. `service_duration_positive`), so that each violation keeps naming one constraint.
    """
    condition = Q(**{f"{field}__lte": high})
    if low is not None:
        condition = Q(**{f"{field}__gte": low}) & condition
    return models.CheckConstraint(condition=condition, name=name)


def date_check(field: str, *, name: str) -> models.CheckConstraint:
    return range_check(field, DATE_MIN, DATE_MAX, name=name)


def datetime_check(field: str, *, name: str) -> models.CheckConstraint:
    return range_check(field, DATETIME_MIN, DATETIME_MAX, name=name)


@deconstructible
class NotInFuture:
    """A date (of birth) on or before today in the county's time zone."""

    def __init__(self, what: str = "date") -> None:
        self.what = what

    def __call__(self, value: Any) -> None:
        if value is not None and value > timezone.localdate():
            raise ValidationError(f"The {self.what} cannot be in the future.", code="future")

    def __eq__(self, other: object) -> bool:
        return isinstance(other, NotInFuture) and other.what == self.what


@deconstructible
class NotFarAhead:
    """A datetime at most `years` years after now (a service start: scheduled, but not a typo)."""

    def __init__(self, years: int = START_MAX_YEARS_AHEAD) -> None:
        self.years = years

    def __call__(self, value: Any) -> None:
        if value is None:
            return
        today = timezone.localdate()
        # 29 February has no twin in most years: count from the 28th.
        limit = today.replace(day=min(today.day, 28) if today.month == 2 else today.day, year=today.year + self.years)
        day = timezone.localdate(value) if isinstance(value, dt.datetime) and timezone.is_aware(value) else value
        if isinstance(day, dt.datetime):
            day = day.date()
        if day > limit:
            raise ValidationError(f"This date is more than {self.years} years ahead.", code="too_far_ahead")

    def __eq__(self, other: object) -> bool:
        return isinstance(other, NotFarAhead) and other.years == self.years


# A nightly run's (or a check's) `as_of`: re-running any past date from 2000 on stays allowed (a
# county re-validates old months after a correction); before 2000 or more than a year ahead is a typo.
RUN_DATE_MIN = dt.date(2000, 1, 1)
RUN_DATE_MAX_DAYS_AHEAD = 365


def validate_run_date(value: Any) -> None:
    """A run date on or after RUN_DATE_MIN and at most RUN_DATE_MAX_DAYS_AHEAD days after today."""
    if value is None:
        return
    latest = timezone.localdate() + dt.timedelta(days=RUN_DATE_MAX_DAYS_AHEAD)
    if not RUN_DATE_MIN <= value <= latest:
        raise ValidationError(
            f"Give a run date from {RUN_DATE_MIN:%Y-%m-%d} to {latest:%Y-%m-%d} (at most a year ahead).",
            code="run_date_out_of_range",
        )
