from django.contrib import admin

from .models import DataExport


@admin.register(DataExport)
class DataExportAdmin(admin.ModelAdmin):
    """Who asked for a PDF of his data, and when; the file is for him only (no link here)."""

    list_display = ("insured", "language", "requested_at", "built_at")
    list_filter = ("language",)
    search_fields = ("insured__immatriculation_number",)
    fields = ("insured", "language", "requested_at", "built_at")
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
