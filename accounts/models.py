"""Users with a role and, for provider staff, the agency whose records they may see."""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib.auth.models import AbstractUser, UserManager
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.db.models import Q

from common.audit import audited


class PortalUserManager(UserManager["User"]):
    def create_superuser(
        self, username: str, email: str | None = None, password: str | None = None, **extra: Any
    ) -> User:
        """`createsuperuser` (API.md) makes a system admin: a superuser belongs to no agency."""
        extra.setdefault("role", User.Role.SYSTEM_ADMIN)
        return super().create_superuser(username, email, password, **extra)


@audited(exclude=["password", "last_login"])
class User(AbstractUser):
    class Role(models.TextChoices):
        PROVIDER_ADMIN = "provider_admin", "Provider admin staff"
        COUNTY_BILLING = "county_billing", "County billing team"
        SYSTEM_ADMIN = "system_admin", "System administrator"

    role = models.CharField(max_length=20, choices=Role.choices, default=Role.PROVIDER_ADMIN)
    agency = models.ForeignKey("clients.Agency", on_delete=models.PROTECT, null=True, blank=True, related_name="users")

    objects: ClassVar[PortalUserManager] = PortalUserManager()  # type: ignore[assignment]

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=~Q(role="provider_admin") | Q(agency__isnull=False),
                name="user_provider_admin_has_agency",
            ),
        ]

    def save(self, *args: Any, **kwargs: Any) -> None:
        # A new password (set_password keeps the raw one in _password until the save) ends every API
        # token of the user, wherever the change came from: the page, the API, the admin, a command.
        password_changed = self.pk is not None and getattr(self, "_password", None) is not None
        # The Django admin lets in staff only: county billing keeps the reference data there and the
        # system admin everything (accounts.backends says what each may touch); provider admin staff
        # work in the portal's pages.
        self.is_staff = self.role != self.Role.PROVIDER_ADMIN
        if kwargs.get("update_fields") is not None and "role" in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], "is_staff"}
        super().save(*args, **kwargs)
        if password_changed:
            ApiToken.objects.filter(user=self).delete()

    @property
    def sees_all_agencies(self) -> bool:
        return self.role in {self.Role.COUNTY_BILLING, self.Role.SYSTEM_ADMIN}

    @property
    def is_county(self) -> bool:
        return self.role == self.Role.COUNTY_BILLING

    @property
    def is_system_admin(self) -> bool:
        return self.role == self.Role.SYSTEM_ADMIN

    @property
    def can_edit_reference_data(self) -> bool:
        return self.sees_all_agencies


class AccessLog(models.Model):
    """Reads of PHI and exports, which the audit triggers cannot see: one row per page or API request."""

    class Action(models.TextChoices):
        VIEW_CLIENT = "view_client", "Viewed a client record"
        VIEW_REPORT = "view_report", "Opened a report"
        EXPORT_REPORT = "export_report", "Exported a report"
        API_READ = "api_read", "Read client records through the API"

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="access_logs")
    action = models.CharField(max_length=20, choices=Action.choices)
    # What was read: "client:42" or a report's name. Ids only, never names.
    target = models.CharField(max_length=100)
    filters = models.JSONField(default=dict, blank=True)
    # The clients whose data the answer held (ids only), and where the request came from.
    client_ids = ArrayField(models.BigIntegerField(), default=list, blank=True)
    remote_addr = models.GenericIPAddressField(null=True, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at"]
        indexes = [
            models.Index(fields=["user", "-at"], name="accesslog_user_at_idx"),
            # "Who read client 42?": client_ids @> ARRAY[42].
            GinIndex(fields=["client_ids"], name="accesslog_client_ids_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.action} {self.target}"


class ApiToken(models.Model):
    """An API token (`POST /api/auth/token/`), checked by `accounts.tokens.ExpiringTokenAuthentication`.

    Only a SHA-256 digest of the key is stored: a database copy holds no usable token. A user may
    hold several (one per script or machine); each sign-in makes a new one. A token ends when idle
    longer than API_TOKEN_IDLE_SECONDS, when older than API_TOKEN_MAX_AGE_SECONDS, on
    `DELETE /api/auth/token/`, on the user's sign-out from the pages and on a password change.
    """

    key_digest = models.CharField(max_length=64, unique=True)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    created = models.DateTimeField()
    last_used = models.DateTimeField()

    def __str__(self) -> str:
        return f"token {self.pk} of user {self.user_id}"
