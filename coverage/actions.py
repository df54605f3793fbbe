"""Writes of client coverage (STYLE.md, "Writes"): one transaction, scope-checked, audited."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q

from accounts.models import User
from clients.models import Client
from common.audit import acting_as
from common.selectors import in_scope
from coverage.models import Coverage, Payer

COVERAGE_FIELDS = frozenset(
    {"client", "payer", "priority", "start_date", "end_date", "insured_id", "subscriber_is_client"}
)


def normal_insured_id(payer: Payer, insured_id: str) -> str:
    """Trimmed; a CIN's letter upper-cased (staff type `91234567a`)."""
    insured_id = (insured_id or "").strip()
    return insured_id.upper() if payer.payer_type in Payer.CIN_TYPES else insured_id


def coverage_value_errors(coverage: Coverage) -> dict[str, list[str]]:
    """The checks of a coverage's own values (no query): shared with the client import."""
    errors: dict[str, list[str]] = {}
    if coverage.priority is None or coverage.priority < 1:
        errors["priority"] = ["The priority must be 1 or more (1 = first)."]
    if coverage.start_date is None:
        errors["start_date"] = ["This field is required."]
    elif coverage.end_date is not None and coverage.end_date < coverage.start_date:
        errors["end_date"] = ["The end date cannot be before the start date."]
    return errors


def _validate(coverage: Coverage, user: User) -> None:
    errors: dict[str, list[str]] = {}
    if not in_scope(user, coverage.client):
        errors["client"] = ["Unknown client."]
    errors.update(coverage_value_errors(coverage))
    if errors:
        raise ValidationError(errors)
    # Same test as the coverage_no_overlap_same_priority exclusion constraint, so the answer names
    # the field instead of a database error.
    overlapping = Coverage.objects.filter(client_id=coverage.client_id, priority=coverage.priority).filter(
        Q(end_date__isnull=True) | Q(end_date__gte=coverage.start_date)
    )
    if coverage.end_date is not None:
        overlapping = overlapping.filter(start_date__lte=coverage.end_date)
    if coverage.pk:
        overlapping = overlapping.exclude(pk=coverage.pk)
    if overlapping.exists():
        raise ValidationError(
            {"priority": ["Another coverage of this client holds the same priority in this time span."]}
        )


def create_coverage(
    *,
    user: User,
    client: Client,
    payer: Payer,
    priority: int = 1,
    start_date: dt.date,
    end_date: dt.date | None = None,
    insured_id: str = "",
    subscriber_is_client: bool = True,
) -> Coverage:
    coverage = Coverage(
        client=client,
        payer=payer,
        priority=priority,
        start_date=start_date,
        end_date=end_date,
        insured_id=normal_insured_id(payer, insured_id),
        subscriber_is_client=subscriber_is_client,
    )
    with transaction.atomic(durable=True), acting_as(user):
        # Serialise writes per client so two overlapping plans cannot both pass the overlap check.
        Client.objects.select_for_update().filter(pk=client.pk).first()
        _validate(coverage, user)
        coverage.full_clean(validate_constraints=False)
        coverage.save()
    return coverage


def update_coverage(*, user: User, coverage: Coverage, **fields: Any) -> Coverage:
    if not in_scope(user, coverage):
        raise ValidationError({"coverage": ["Unknown coverage."]})
    unknown = sorted(set(fields) - COVERAGE_FIELDS)
    if unknown:
        raise ValidationError({name: ["This field cannot be changed on a coverage."] for name in unknown})
    with transaction.atomic(durable=True), acting_as(user):
        for name, value in fields.items():
            setattr(coverage, name, value)
        if "insured_id" in fields or "payer" in fields:
            coverage.insured_id = normal_insured_id(coverage.payer, coverage.insured_id)
        Client.objects.select_for_update().filter(pk=coverage.client_id).first()
        _validate(coverage, user)
        coverage.full_clean(validate_constraints=False)
        coverage.save()
    return coverage
