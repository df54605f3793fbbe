from django.contrib import admin

from reports.models import CorrectionDeadline


@admin.register(CorrectionDeadline)
class CorrectionDeadlineAdmin(admin.ModelAdmin):
    list_display = ("label", "month_from", "month_to", "due_date")
