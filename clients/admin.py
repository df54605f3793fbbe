from django.contrib import admin

from accounts.admin_scope import ScopedAdmin
from clients.models import Agency, Client, Enrollment, Location, Program, Staff


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ("name", "address_city", "address_state", "address_zip", "npi", "tax_id")
    list_filter = ("address_city",)
    search_fields = ("name",)


@admin.register(Program)
class ProgramAdmin(ScopedAdmin):
    list_display = ("code", "name", "program_type", "agency")
    list_filter = ("program_type", "agency")
    search_fields = ("code", "name")


@admin.register(Staff)
class StaffAdmin(ScopedAdmin):
    list_display = ("last_name", "first_name", "credential", "credential_expires", "npi", "agency")
    list_filter = ("credential", "agency")
    search_fields = ("last_name", "first_name", "npi")


@admin.register(Location)
class LocationAdmin(admin.ModelAdmin):
    list_display = ("name", "place_of_service")
    list_filter = ("place_of_service",)
    search_fields = ("name",)


class EnrollmentInline(admin.TabularInline):
    model = Enrollment
    extra = 0
    autocomplete_fields = ("program",)


@admin.register(Client)
class ClientAdmin(ScopedAdmin):
    list_display = ("id", "last_name", "first_name", "date_of_birth", "ssn_masked", "financial_info_complete")
    list_filter = ("financial_info_complete", "billing_address", "address_state")
    search_fields = ("=id", "last_name", "first_name")
    readonly_fields = ("ssn_masked",)
    exclude = ("ssn_encrypted", "ssn_digest", "ssn_last4")
    inlines = [EnrollmentInline]


@admin.register(Enrollment)
class EnrollmentAdmin(ScopedAdmin):
    list_display = ("client", "program", "status", "requested_date", "enrolled_date", "discharged_date")
    list_filter = ("status", "program__program_type", "program__agency")
    search_fields = ("=client__id", "client__last_name", "program__code")
    raw_id_fields = ("client",)
