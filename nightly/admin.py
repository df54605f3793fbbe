from django.contrib import admin

from nightly.models import FailureOverride, NightlyRun, Rule, ServiceFailure


@admin.register(Rule)
class RuleAdmin(admin.ModelAdmin):
    list_display = ("code", "message", "severity", "enabled", "effective_from", "effective_to")
    list_filter = ("enabled", "severity")
    list_editable = ("enabled",)
    search_fields = ("code", "message")


@admin.register(NightlyRun)
class NightlyRunAdmin(admin.ModelAdmin):
    list_display = (
        "id",
        "as_of",
        "status",
        "services_checked",
        "services_completed",
        "services_failed",
        "duration_seconds",
    )
    list_filter = ("status",)
    readonly_fields = [f.name for f in NightlyRun._meta.fields]


@admin.register(ServiceFailure)
class ServiceFailureAdmin(admin.ModelAdmin):
    list_display = ("service", "rule", "run")
    list_filter = ("rule",)
    raw_id_fields = ("service",)


@admin.register(FailureOverride)
class FailureOverrideAdmin(admin.ModelAdmin):
    list_display = ("service", "rule", "created_by", "created_at")
    list_filter = ("rule",)
    raw_id_fields = ("service",)
    readonly_fields = ("created_by", "created_at")

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)
