"""Import pages: upload (check only or import), the result with its errors or verdicts, the history,
templates, the sheet handed back with an Errors column, and batch entry of services in a grid.

Batch entry saves through the import itself: the grid becomes a small sheet with the service
import's columns, so it is checked and written by the same code (all-or-nothing, the entry checks
of one-by-one entry, audit under the user) and its result is an import like any other.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Max, Min
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from accounts.models import AccessLog
from clients.forms import add_action_errors
from clients.models import Client, Location, Program, Staff
from clients.selectors import programs_for_user
from common.access_log import record_access
from common.sheets import CSV_TYPE, XLSX_TYPE
from imports import actions, selectors, sheets
from imports.forms import ImportForm
from imports.models import Import
from services.models import Procedure, Service

BATCH_ROWS = 8
BATCH_COLUMNS = ["client_id", "procedure", "clinician_id", "location", "start", "duration_minutes", "note_signed"]


def _get_import(request: HttpRequest, pk: int) -> Import:
    return get_object_or_404(selectors.imports_for_user(request.user), pk=pk)


@login_required
def import_new(request: HttpRequest) -> HttpResponse:
    form = ImportForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            imp = actions.start_import(
                user=request.user,  # type: ignore[arg-type]
                agency=form.cleaned_data.get("agency"),
                kind=form.cleaned_data["kind"],
                file_name=upload.name or "upload",
                data=upload.read(request_limit()),
                dry_run="check_only" in request.POST,
            )
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            return redirect("import-detail", pk=imp.pk)
    return render(request, "imports/import_new.html", {"form": form})


def request_limit() -> int:
    # One byte past the limit: enough for the reader to refuse a larger file without holding it all.
    return int(settings.IMPORT_MAX_BYTES) + 1


def _services_link(imp: Import) -> str:
    """The Services list filtered to the imported services' programs and dates."""
    services = Service.objects.filter(pk__in=imp.record_ids)
    span = services.aggregate(first=Min("date_of_service"), last=Max("date_of_service"))
    params: dict[str, Any] = {"dos_from": span["first"], "dos_to": span["last"]}
    programs = list(services.values_list("program_id", flat=True).distinct()[:2])
    if len(programs) == 1:
        params["program"] = programs[0]
    if span["first"] is None:
        return ""
    return reverse("service-list") + "?" + urlencode(params)


def _verdict_rows(imp: Import) -> list[dict[str, Any]]:
    """The kept verdicts, failing services first (they need work before tonight)."""
    return sorted(imp.verdicts, key=lambda verdict: (verdict["would_complete"], verdict["service"]))


@login_required
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    imp = _get_import(request, pk)
    context = {
        "imp": imp,
        "file_errors": [error for error in imp.errors if error.get("row") is None],
        "row_errors": [error for error in imp.errors if error.get("row") is not None],
        "bad_rows": len({error["row"] for error in imp.errors if error.get("row") is not None}),
        "services_link": _services_link(imp)
        if imp.status == Import.Status.COMMITTED and imp.kind == "services"
        else "",
        "verdicts": _verdict_rows(imp),
        "complete_count": sum(1 for verdict in imp.verdicts if verdict.get("would_complete")),
        "failing_count": sum(1 for verdict in imp.verdicts if not verdict.get("would_complete")),
    }
    return render(request, "imports/import_detail.html", context)


@login_required
def import_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress fragment htmx polls while the worker runs a large import."""
    imp = _get_import(request, pk)
    response = render(request, "imports/_progress.html", {"imp": imp})
    if imp.finished:
        # Reload the whole result page once done.
        response["HX-Redirect"] = reverse("import-detail", args=[imp.pk])
    return response


@login_required
def import_list(request: HttpRequest) -> HttpResponse:
    imports = selectors.imports_for_user(request.user)[:200]
    return render(request, "imports/import_list.html", {"imports": imports})


@login_required
def import_template(request: HttpRequest, kind: str, extension: str) -> HttpResponse:
    if kind not in Import.Kind.values or extension not in {"csv", "xlsx"}:
        raise Http404
    response = HttpResponse(
        sheets.template_file(kind, extension), content_type=XLSX_TYPE if extension == "xlsx" else CSV_TYPE
    )
    response["Content-Disposition"] = f'attachment; filename="{kind}-template.{extension}"'
    return response


@login_required
def import_errors_sheet(request: HttpRequest, pk: int, extension: str) -> HttpResponse:
    imp = _get_import(request, pk)
    if extension not in {"csv", "xlsx"} or imp.status != Import.Status.REJECTED:
        raise Http404
    content = sheets.errors_sheet(imp, extension)
    if content is None:
        raise Http404
    # The sheet holds the uploaded rows (clients' names and dates of birth): an export, logged as one.
    record_access(
        user=request.user,
        action=AccessLog.Action.EXPORT_REPORT,
        target=f"import:{imp.pk}",
        filters={"format": extension},
        request=request,
    )
    response = HttpResponse(content, content_type=XLSX_TYPE if extension == "xlsx" else CSV_TYPE)
    response["Content-Disposition"] = f'attachment; filename="import-{imp.pk}-errors.{extension}"'
    return response


# --- batch entry -----------------------------------------------------------------------------------


def _batch_choices(program: Program) -> dict[str, Any]:
    clients = Client.objects.filter(enrollments__program=program).distinct().order_by("last_name", "first_name", "id")
    return {
        "clients": clients,
        "procedures": Procedure.objects.order_by("code", "modifier"),
        "clinicians": Staff.objects.filter(agency_id=program.agency_id).order_by("last_name", "first_name"),
        "locations": Location.objects.order_by("name"),
    }


def _grid_rows(post: Any) -> list[dict[str, str]]:
    values = {name: post.getlist(name) for name in BATCH_COLUMNS}
    count = max((len(column) for column in values.values()), default=0)
    return [
        {name: (values[name][index] if index < len(values[name]) else "").strip() for name in BATCH_COLUMNS}
        for index in range(count)
    ]


def _grid_sheet(program: Program, rows: list[dict[str, str]]) -> bytes:
    """The grid as a service sheet: blank grid rows stay blank lines, so row numbers match the grid."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(
        [
            "client_id",
            "program_code",
            "procedure_code",
            "modifier",
            "clinician_id",
            "location",
            "start",
            "duration_minutes",
            "note_signed",
        ]
    )
    for row in rows:
        filled = any(row[name] for name in BATCH_COLUMNS if name != "note_signed")
        if not filled:
            writer.writerow([""] * 9)
            continue
        code, _, modifier = row["procedure"].partition(":")
        writer.writerow(
            [
                row["client_id"],
                program.code,
                code,
                modifier,
                row["clinician_id"],
                row["location"],
                row["start"],
                row["duration_minutes"],
                row["note_signed"] or "N",
            ]
        )
    return buffer.getvalue().encode("utf-8")


@login_required
def batch_entry(request: HttpRequest) -> HttpResponse:
    programs = programs_for_user(request.user).order_by("code")
    program = None
    program_id = request.POST.get("program") or request.GET.get("program")
    if program_id and str(program_id).isdigit():
        program = programs.filter(pk=int(program_id)).first()
    context: dict[str, Any] = {"programs": programs, "program": program, "errors": {}, "general_errors": []}
    rows = [dict.fromkeys(BATCH_COLUMNS, "") for _ in range(BATCH_ROWS)]
    if program is not None:
        context.update(_batch_choices(program))
    if request.method == "POST" and program is not None:
        rows = _grid_rows(request.POST) or rows
        if not any(any(row[name] for name in BATCH_COLUMNS if name != "note_signed") for row in rows):
            context["general_errors"] = ["Fill in at least one row."]
        else:
            try:
                imp = actions.start_import(
                    user=request.user,  # type: ignore[arg-type]
                    agency=program.agency,
                    kind=Import.Kind.SERVICES,
                    file_name=f"batch-entry-{timezone.localdate().isoformat()}.csv",
                    data=_grid_sheet(program, rows),
                )
            except ValidationError as exc:
                context["general_errors"] = exc.messages
            else:
                if imp.status != Import.Status.REJECTED:
                    return redirect("import-detail", pk=imp.pk)
                grid_column = {"client_id": "client_id", "procedure_code": "procedure", "modifier": "procedure"}
                for error in imp.errors:
                    if error["row"] is None:
                        context["general_errors"].append(error["message"])
                        continue
                    column = grid_column.get(error["column"], error["column"])
                    context["errors"].setdefault(error["row"], []).append(f"{column}: {error['message']}")
    context["rows"] = [
        {"number": index + 1, "values": row, "errors": context["errors"].get(index + 1, [])}
        for index, row in enumerate(rows)
    ]
    return render(request, "imports/batch_entry.html", context)
