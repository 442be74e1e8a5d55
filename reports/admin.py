from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from reports.models import AccuracyMonth, AccuracyRule, AccuracyScore, ReconcileRun


@admin.register(AccuracyRule)
class AccuracyRuleAdmin(SimpleHistoryAdmin):
    list_display = ["year", "deadline_days", "amount_tolerance", "freeze_day"]


@admin.register(AccuracyMonth)
class AccuracyMonthAdmin(SimpleHistoryAdmin):
    list_display = ["month", "total", "partial", "frozen", "reconciled_at"]
    list_filter = ["frozen"]


@admin.register(AccuracyScore)
class AccuracyScoreAdmin(admin.ModelAdmin):
    list_display = ["month", "consultant", "item", "checked", "matched", "failed", "rate", "score"]
    list_filter = ["item"]
    raw_id_fields = ["month", "consultant"]


@admin.register(ReconcileRun)
class ReconcileRunAdmin(admin.ModelAdmin):
    """The log of reconciliation runs: read only, written by the runs themselves."""

    list_display = ["finished_at", "today", "skipped", "found", "created", "updated", "closed"]
    list_filter = ["skipped"]
    date_hierarchy = "finished_at"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
