from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from accounts.models import AccessLog, ApiToken, User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ("username", "role", "agency", "is_active", "last_login")
    list_filter = ("role", "agency", "is_active")
    fieldsets = (*(DjangoUserAdmin.fieldsets or ()), ("Billing Portal", {"fields": ("role", "agency")}))
    add_fieldsets = (*(DjangoUserAdmin.add_fieldsets or ()), ("Billing Portal", {"fields": ("role", "agency")}))


@admin.register(AccessLog)
class AccessLogAdmin(admin.ModelAdmin):
    list_display = ("at", "user", "action", "target", "remote_addr")
    list_filter = ("action",)
    search_fields = ("user__username", "target")
    date_hierarchy = "at"

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """A system admin sees who holds API tokens and may revoke one (delete); keys are never shown
    (only their digest is stored) and tokens are made by signing in, not here."""

    list_display = ("user", "created", "last_used")
    list_filter = ("user__role",)
    search_fields = ("user__username",)
    date_hierarchy = "created"
    fields = ("user", "created", "last_used")
    readonly_fields = ("user", "created", "last_used")

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False
