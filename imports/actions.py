"""Writes of imports: check a whole sheet, then write all of it in one transaction or nothing.

`start_import` records the upload (kept whatever its outcome) and runs it, in-process or in the
Celery worker for a large file when a broker is configured; `run_import` does the work:

1. read the file into a table of strings (`imports.reading`; a hostile file is refused here);
2. check whole columns and every row (`imports.service_rows` / `imports.client_rows`), which use
   the entry checks of one-by-one entry (`services.actions`, `clients.actions`, `coverage.actions`);
3. any bad row: status `rejected` with every bad row listed, nothing written. A dry run stops at
   `checked`. Otherwise every record is written with `bulk_create`/`bulk_update` in batches in one
   transaction, under `acting_as(user, import_id=...)` so the audit rows name the importing user;
4. tonight's verdict of every imported service (`nightly.verdict.check_services`).

Imports of one agency run one at a time (the agency row is locked while checking and writing), so
two uploads of the same `external_id` cannot both create it.
"""

from __future__ import annotations

import json
import logging
import time
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from clients.models import Agency
from common.audit import acting_as
from imports import client_rows, service_rows
from imports.columns import header_problems
from imports.models import Import
from imports.reading import FileProblem, Limits, extension, read_sheet
from nightly.verdict import check_services

logger = logging.getLogger(__name__)
KINDS = {
    Import.Kind.SERVICES: service_rows,
    Import.Kind.CLIENTS: client_rows,
}


def import_agency(*, user: User, agency: Agency | None) -> Agency:
    """The agency an import writes into: a provider admin's own; county billing (and a system admin)
    must name one. Raises a ValidationError naming `agency`."""
    if user.sees_all_agencies:
        if agency is None:
            raise ValidationError({"agency": ["Choose the agency to import into."]})
        return agency
    if user.agency_id is None:
        raise ValidationError({"agency": ["Your account belongs to no agency."]})
    if agency is not None and agency.pk != user.agency_id:
        raise ValidationError({"agency": ["You can import into your own agency only."]})
    return user.agency  # type: ignore[return-value]


def start_import(
    *, user: User, agency: Agency | None, kind: str, file_name: str, data: bytes, dry_run: bool = False
) -> Import:
    """Record an upload and run it: in the worker for a large file when a broker is configured."""
    target = import_agency(user=user, agency=agency)
    if kind not in Import.Kind.values:
        raise ValidationError({"kind": [f"Choose one of: {', '.join(Import.Kind.values)}."]})
    with acting_as(user):
        imp = Import.objects.create(
            kind=kind,
            dry_run=dry_run,
            file_name=file_name[:255],
            source=data,
            user=user,
            agency=target,
            status=Import.Status.QUEUED,
        )
    if settings.CELERY_BROKER_URL and _looks_large(data, file_name):
        from imports.tasks import run_import_task

        transaction.on_commit(lambda: run_import_task.delay(imp.pk))
        return imp
    return run_import(imp)


def _looks_large(data: bytes, file_name: str) -> bool:
    """A cheap guess of the row count before reading: lines of a CSV; bytes of a workbook."""
    try:
        is_csv = extension(file_name) == ".csv"
    except FileProblem:
        return False
    if is_csv:
        return data.count(b"\n") > settings.IMPORT_ASYNC_ROWS
    return len(data) > settings.IMPORT_ASYNC_ROWS * 60


def _reject(imp: Import, errors: list[dict[str, Any]]) -> Import:
    imp.status = Import.Status.REJECTED
    imp.errors = errors
    imp.created = imp.updated = 0
    imp.record_ids = []
    return imp


def run_import(imp: Import) -> Import:
    """Check and (unless a dry run) write one recorded upload; returns it with its outcome saved."""
    user = imp.user
    module = KINDS[imp.kind]  # type: ignore[index]
    started = time.monotonic()
    imp.status = Import.Status.RUNNING
    imp.save(update_fields=["status", "updated_at"])
    try:
        frame = read_sheet(bytes(imp.source), imp.file_name, Limits.from_settings())
    except FileProblem as exc:
        with acting_as(user, import_id=imp.pk):
            _reject(imp, [{"row": None, "column": exc.column, "message": exc.message}]).save()
        return imp
    imp.rows = len(frame)
    problems = header_problems(list(frame.columns), module.COLUMNS, module.REQUIRED)
    if problems:
        with acting_as(user, import_id=imp.pk):
            _reject(imp, [{"row": None, "column": None, "message": message} for message in problems]).save()
        return imp
    timings = {"read": time.monotonic() - started}
    # Durable, as every action's (issue 10): the import is its own transaction, never part of a caller's.
    # Inside it only the non-durable checks and helpers of the one-by-one actions run (`check_*`,
    # `apply_*`), never the durable actions themselves.
    with transaction.atomic(durable=True), acting_as(user, import_id=imp.pk):
        # One import of an agency at a time: the second waits here, then sees the first's records.
        agency = Agency.objects.select_for_update().get(pk=imp.agency_id)
        errors, plan = module.check(frame, agency)
        timings["check"] = time.monotonic() - started - sum(timings.values())
        imp.progress = imp.rows
        if errors:
            _reject(imp, errors.as_list(module.COLUMNS))
        elif imp.dry_run:
            imp.status = Import.Status.CHECKED
            imp.errors = []
            imp.created, imp.updated = len(plan.creates), len(plan.updates)
        else:
            ids = module.write(plan)
            timings["write"] = time.monotonic() - started - sum(timings.values())
            imp.status = Import.Status.COMMITTED
            imp.errors = []
            imp.created, imp.updated = len(plan.creates), len(plan.updates)
            imp.record_ids = ids
        imp.save()
    if imp.status == Import.Status.COMMITTED and imp.kind == Import.Kind.SERVICES:
        imp.verdicts = tonight_verdicts(imp.record_ids)
        imp.save(update_fields=["verdicts", "updated_at"])
        timings["verdicts"] = time.monotonic() - started - sum(timings.values())
    logger.info(
        "import %s kind=%s status=%s rows=%s created=%s updated=%s errors=%s seconds: %s",
        imp.pk,
        imp.kind,
        imp.status,
        imp.rows,
        imp.created,
        imp.updated,
        len(imp.errors),
        " ".join(f"{name}={seconds:.1f}" for name, seconds in timings.items()),
    )
    return imp


def tonight_verdicts(service_ids: list[int]) -> list[dict[str, Any]]:
    """Tonight's verdict of each imported service (API.md's object), as plain JSON kept on the import.

    Only services the night would look at get one (`nightly.verdict`): a future-dated service has none.
    """
    verdicts = check_services(service_ids=service_ids, as_of=timezone.localdate())
    return [
        json.loads(json.dumps(verdicts[service_id].as_api(), cls=DjangoJSONEncoder)) for service_id in sorted(verdicts)
    ]
