from django.contrib import admin

from accounts.admin_scope import ScopedAdmin
from coverage.models import Coverage, Payer


@admin.register(Payer)
class PayerAdmin(admin.ModelAdmin):
    list_display = ("name", "payer_type", "payer_id", "timely_filing_months")
    list_filter = ("payer_type",)
    search_fields = ("name",)


@admin.register(Coverage)
class CoverageAdmin(ScopedAdmin):
    list_display = ("client", "payer", "priority", "start_date", "end_date", "insured_id", "subscriber_is_client")
    list_filter = ("payer", "priority", "subscriber_is_client")
    search_fields = ("=client__id", "client__last_name", "insured_id")
    raw_id_fields = ("client",)
