from django.contrib import admin

from accounts.admin_scope import ScopedAdmin
from services.models import Authorization, Procedure, ProcedureLimit, ProgramProcedure, Rate, Service


class ProcedureLimitInline(admin.TabularInline):
    model = ProcedureLimit
    fk_name = "procedure"
    extra = 0


class ProgramProcedureInline(admin.TabularInline):
    """The programs that offer the procedure (none: every program may enter it)."""

    model = ProgramProcedure
    extra = 0


@admin.register(Procedure)
class ProcedureAdmin(admin.ModelAdmin):
    list_display = (
        "code",
        "modifier",
        "name",
        "unit",
        "billable",
        "requires_note",
        "requires_authorization",
        "transition_days",
    )
    list_filter = ("billable", "unit", "requires_authorization")
    search_fields = ("code", "name")
    inlines = [ProcedureLimitInline, ProgramProcedureInline]


@admin.register(ProgramProcedure)
class ProgramProcedureAdmin(admin.ModelAdmin):
    list_display = ("program", "procedure")
    list_filter = ("program__agency", "program__program_type")
    search_fields = ("program__code", "procedure__code")
    list_select_related = ("program", "procedure")


@admin.register(ProcedureLimit)
class ProcedureLimitAdmin(admin.ModelAdmin):
    list_display = ("procedure", "max_count", "period", "distinct_dates", "max_minutes", "prerequisite_procedure")
    list_filter = ("period", "distinct_dates")
    search_fields = ("procedure__code", "procedure__name")


@admin.register(Rate)
class RateAdmin(admin.ModelAdmin):
    list_display = ("procedure", "program", "payer", "start_date", "end_date", "amount", "is_maximum")
    list_filter = ("payer", "program__program_type", "is_maximum")
    search_fields = ("procedure__code",)


@admin.register(Authorization)
class AuthorizationAdmin(ScopedAdmin):
    list_display = (
        "tar_number",
        "client",
        "procedure",
        "payer",
        "start_date",
        "end_date",
        "quantity",
        "status",
        "presumptive",
    )
    list_filter = ("status", "payer", "presumptive")
    search_fields = ("tar_number", "=client__id")
    raw_id_fields = ("client",)


@admin.register(Service)
class ServiceAdmin(ScopedAdmin):
    list_display = ("id", "client", "date_of_service", "procedure", "status", "clinician", "program", "charge")
    list_filter = (
        "status",
        "claimed",
        "do_not_complete",
        "mode_of_delivery",
        "program__program_type",
        "program__agency",
    )
    search_fields = ("=id", "=client__id")
    raw_id_fields = ("client",)
    date_hierarchy = "date_of_service"
    list_select_related = ("client", "procedure", "clinician", "program")
    readonly_fields = ("units", "rate", "charge", "billed_payer", "last_validated_at", "claimed")
