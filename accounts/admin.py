from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from accounts.models import AccessLog, User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ("username", "role", "agency", "is_active", "last_login")
    list_filter = ("role", "agency", "is_active")
    fieldsets = (*(DjangoUserAdmin.fieldsets or ()), ("Billing Portal", {"fields": ("role", "agency")}))
    add_fieldsets = (*(DjangoUserAdmin.add_fieldsets or ()), ("Billing Portal", {"fields": ("role", "agency")}))


@admin.register(AccessLog)
class AccessLogAdmin(admin.ModelAdmin):
    list_display = ("at", "user", "action", "target")
    list_filter = ("action",)
    search_fields = ("user__username", "target")
    date_hierarchy = "at"

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False
