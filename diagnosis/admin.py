from django.contrib import admin

from accounts.admin_scope import ScopedAdmin
from diagnosis.models import DiagnosisCode, DiagnosisDocument


class DiagnosisCodeInline(admin.TabularInline):
    model = DiagnosisCode
    extra = 1


@admin.register(DiagnosisCode)
class DiagnosisCodeAdmin(ScopedAdmin):
    list_display = ("code", "billing_order", "document", "document__program", "document__effective_date")
    list_filter = ("billing_order", "document__signed", "document__program__program_type")
    search_fields = ("code", "=document__client__id")
    raw_id_fields = ("document",)
    list_select_related = ("document__program",)


@admin.register(DiagnosisDocument)
class DiagnosisDocumentAdmin(ScopedAdmin):
    list_display = ("id", "client", "program", "effective_date", "end_date", "signed")
    list_filter = ("signed", "program__agency")
    search_fields = ("=client__id", "client__last_name", "codes__code")
    raw_id_fields = ("client", "signed_by")
    inlines = [DiagnosisCodeInline]
