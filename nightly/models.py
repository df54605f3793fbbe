"""The rule catalogue, nightly runs, and the failure reasons they attach to services."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from common import bounds
from common.audit import audited
from services.models import Service


@audited()
class Rule(models.Model):
    """One billing quality check. The check itself is code in nightly/rules/, keyed by `code`."""

    class Severity(models.TextChoices):
        ERROR = "error", "Error (blocks completion)"
        WARNING = "warning", "Warning"

    code = models.CharField(max_length=40, unique=True)
    message = models.CharField(max_length=200)
    resolution_hint = models.TextField(blank=True)
    severity = models.CharField(max_length=7, choices=Severity.choices, default=Severity.ERROR)
    enabled = models.BooleanField(default=True)
    effective_from = models.DateField(null=True, blank=True, validators=bounds.date_validators())
    effective_to = models.DateField(null=True, blank=True, validators=bounds.date_validators())
    # Display order, as DOMAIN.md lists the catalogue.
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(effective_to__isnull=True)
                | Q(effective_from__isnull=True)
                | Q(effective_to__gte=F("effective_from")),
                name="rule_effective_to_on_or_after_from",
            ),
            bounds.date_check("effective_from", name="rule_effective_from_bounds"),
            bounds.date_check("effective_to", name="rule_effective_to_bounds"),
        ]

    def __str__(self) -> str:
        return self.code


class NightlyRun(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"

    as_of = models.DateField()
    status = models.CharField(max_length=9, choices=Status.choices, default=Status.QUEUED)
    dry_run = models.BooleanField(default=False)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    services_checked = models.PositiveIntegerField(default=0)
    services_completed = models.PositiveIntegerField(default=0)
    services_failed = models.PositiveIntegerField(default=0)
    failures_by_rule = models.JSONField(default=dict, blank=True)
    chunks_total = models.PositiveIntegerField(default=0)
    chunks_done = models.PositiveIntegerField(default=0)
    duration_seconds = models.FloatField(null=True, blank=True)
    error = models.TextField(blank=True)
    # Touched by the workers as chunks start and finish (and by the in-process loop): a run whose
    # heartbeat is older than settings.NIGHTLY_HEARTBEAT_TIMEOUT counts as abandoned (its worker died).
    heartbeat_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            # One run at a time: a second queued or running run is refused by the database.
            models.UniqueConstraint(
                fields=["dry_run"],
                condition=Q(status__in=["queued", "running"]),
                name="nightly_run_one_active",
            ),
        ]

    def __str__(self) -> str:
        return f"Run {self.pk} as of {self.as_of} ({self.status})"


class ServiceFailure(models.Model):
    """A service's current failure reason: replaced for the service by every run that checks it."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="failures")
    rule = models.ForeignKey(Rule, on_delete=models.PROTECT, related_name="current_failures")
    run = models.ForeignKey(NightlyRun, on_delete=models.PROTECT, related_name="current_failures")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["service", "rule"], name="service_failure_unique"),
        ]
        indexes = [
            # Services list and reports filtered by failure reason.
            models.Index(fields=["rule", "service"], name="service_failure_rule_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.service_id}: {self.rule_id}"


class FailureHistory(models.Model):
    """Every failure every run found, kept for trends and audit."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="failure_history")
    rule = models.ForeignKey(Rule, on_delete=models.PROTECT, related_name="+")
    run = models.ForeignKey(NightlyRun, on_delete=models.CASCADE, related_name="failure_history")

    class Meta:
        verbose_name_plural = "failure history"
        constraints = [
            models.UniqueConstraint(fields=["run", "service", "rule"], name="failure_history_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.run_id}/{self.service_id}: {self.rule_id}"


@audited()
class FailureOverride(models.Model):
    """County billing lets one failure reason pass for one service, with a written reason."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="overrides")
    rule = models.ForeignKey(Rule, on_delete=models.PROTECT, related_name="overrides")
    reason = models.TextField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["service", "rule"], name="failure_override_unique"),
            models.CheckConstraint(condition=~Q(reason=""), name="failure_override_has_reason"),
        ]

    def __str__(self) -> str:
        return f"Override {self.rule_id} on {self.service_id}"


class NightlyRunChunk(models.Model):
    """One client-id range of a run, written in the same transaction as the chunk's results.

    Its row is the chunk's receipt: a chunk re-delivered after a worker died finds it and does
    nothing, so no service is completed or counted twice. The run's totals are the sum of these rows.
    """

    run = models.ForeignKey(NightlyRun, on_delete=models.CASCADE, related_name="chunks")
    client_lo = models.BigIntegerField()
    client_hi = models.BigIntegerField()
    finished_at = models.DateTimeField(null=True, blank=True)
    services_checked = models.PositiveIntegerField(default=0)
    services_completed = models.PositiveIntegerField(default=0)
    services_failed = models.PositiveIntegerField(default=0)
    # Services changed by staff while the chunk evaluated them: left in Show for the next run.
    services_skipped = models.PositiveIntegerField(default=0)
    failures_by_rule = models.JSONField(default=dict, blank=True)
    # A chunk whose transaction failed: written after its rollback, the error type only (no client
    # data); `finished_at` stays empty, so the run ends failed and names this client range.
    error = models.CharField(max_length=200, blank=True, default="", db_default="")

    class Meta:
        ordering = ["run_id", "client_lo"]
        constraints = [
            models.UniqueConstraint(fields=["run", "client_lo"], name="nightly_chunk_unique_range"),
            models.CheckConstraint(condition=Q(client_hi__gte=F("client_lo")), name="nightly_chunk_range_ordered"),
        ]

    def __str__(self) -> str:
        return f"Run {self.run_id} clients {self.client_lo}-{self.client_hi}"
