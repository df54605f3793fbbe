"""Imports of services and clients from CSV and Excel files: who, when, which file, how many rows,
the outcome and every bad row. Kept for every upload, clean or rejected, and audited."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models

from clients.models import Agency
from common.audit import audited


# The uploaded bytes are kept (to hand the sheet back with its Errors column) but not copied into
# every audit row.
@audited(exclude=["source"])
class Import(models.Model):
    class Kind(models.TextChoices):
        SERVICES = "services", "Services"
        CLIENTS = "clients", "Clients"

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        CHECKED = "checked", "Checked (nothing written)"
        COMMITTED = "committed", "Imported"
        REJECTED = "rejected", "Rejected"

    kind = models.CharField(max_length=8, choices=Kind.choices)
    status = models.CharField(max_length=9, choices=Status.choices, default=Status.QUEUED)
    dry_run = models.BooleanField(default=False)
    file_name = models.CharField(max_length=255)
    source = models.BinaryField(editable=False, default=bytes)
    rows = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    # [{"row": 1, "column": "start", "message": "..."}]; row is null for a problem of the whole file.
    errors = models.JSONField(default=list, blank=True)
    # Ids of the services (or clients) written, and tonight's verdict of each imported service.
    record_ids = models.JSONField(default=list, blank=True)
    verdicts = models.JSONField(default=list, blank=True)
    # Rows checked so far (progress of a large file in the worker).
    progress = models.PositiveIntegerField(default=0)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="imports")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="imports")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    AGENCY_PATH: ClassVar[str] = "agency"

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["agency", "-created_at"], name="import_agency_created_idx")]

    def __str__(self) -> str:
        return f"Import {self.pk} ({self.kind}, {self.status})"

    @property
    def finished(self) -> bool:
        return self.status in {self.Status.CHECKED, self.Status.COMMITTED, self.Status.REJECTED}
