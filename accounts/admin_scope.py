"""Admin base class that applies agency scope, so provider staff with admin access see only their agency."""

from django.contrib import admin

from common.scope import scope_queryset


class ScopedAdmin(admin.ModelAdmin):
    def get_queryset(self, request):
        return scope_queryset(super().get_queryset(request), request.user)
