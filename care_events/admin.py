"""The care plan's records in the admin site, with history."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from care_events.models import (
    BudgetRevision,
    CareActivity,
    CarePlan,
    CostLine,
    Invitation,
    Kpi,
    StaffAssignment,
    TimeNode,
)


@admin.register(CarePlan)
class CarePlanAdmin(SimpleHistoryAdmin):
    list_display = ["year", "title", "total_budget", "status", "approved_by", "approved_at"]
    list_filter = ["status"]


@admin.register(CareActivity)
class CareActivityAdmin(SimpleHistoryAdmin):
    list_display = ["name", "plan", "kind", "starts_on", "ends_on", "status", "planned_budget"]
    list_filter = ["kind", "status", "plan"]


@admin.register(TimeNode)
class TimeNodeAdmin(SimpleHistoryAdmin):
    list_display = ["name", "activity", "due_on", "responsible", "done_at"]


@admin.register(StaffAssignment)
class StaffAssignmentAdmin(admin.ModelAdmin):
    list_display = ["activity", "staff", "task"]


@admin.register(CostLine)
class CostLineAdmin(SimpleHistoryAdmin):
    list_display = ["activity", "item", "amount", "spent_on"]


@admin.register(Kpi)
class KpiAdmin(SimpleHistoryAdmin):
    list_display = ["activity", "name", "unit", "source", "target", "actual"]


@admin.register(Invitation)
class InvitationAdmin(SimpleHistoryAdmin):
    list_display = ["activity", "customer", "reply", "checked_in_at", "satisfaction"]
    list_filter = ["reply"]
    raw_id_fields = ["customer", "vehicle", "task"]


@admin.register(BudgetRevision)
class BudgetRevisionAdmin(admin.ModelAdmin):
    list_display = ["plan", "activity", "old_budget", "new_budget", "reason", "revised_by", "revised_at"]
