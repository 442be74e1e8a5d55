from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from dealership_cs.models import JobLock, Staff

admin.site.site_header = _("Dealership customer service — administration")
admin.site.site_title = _("Customer-service administration")
admin.site.index_title = _("Administration")


@admin.register(Staff)
class StaffAdmin(SimpleHistoryAdmin):
    list_display = ["name", "department", "position", "employee_number", "active", "user"]
    list_filter = ["department", "position", "active"]
    search_fields = ["name", "employee_number", "phone"]
    raw_id_fields = ["user"]


@admin.register(JobLock)
class JobLockAdmin(admin.ModelAdmin):
    list_display = ["name", "holder", "acquired_at", "expires_at"]
