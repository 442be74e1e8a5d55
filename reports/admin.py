from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from reports.models import (
    AccuracyItem,
    AccuracyMonth,
    AccuracyReopening,
    AccuracyRule,
    AccuracyScore,
    ReconcileRequest,
    ReconcileRun,
)


def _per_item(kind: str) -> tuple[str, ...]:
    return tuple(f"{item}_{kind}" for item in AccuracyItem.values)


@admin.register(AccuracyRule)
class AccuracyRuleAdmin(SimpleHistoryAdmin):
    """A year's rules; every change (a target, last year's result) is kept in the rule's history."""

    list_display = ["year", "deadline_days", "amount_tolerance", "freeze_day", "reopen_days"]
    fieldsets = [
        (None, {"fields": ("year", "deadline_days", "amount_tolerance", "freeze_day", "reopen_days")}),
        (_("Points"), {"fields": _per_item("points")}),
        (_("Targets"), {"fields": _per_item("target")}),
        (_("Last year's result"), {"fields": _per_item("last_year")}),
        (_("Regional averages"), {"fields": _per_item("regional")}),
        (_("National averages"), {"fields": _per_item("national")}),
    ]


@admin.register(AccuracyMonth)
class AccuracyMonthAdmin(SimpleHistoryAdmin):
    list_display = ["month", "total", "partial", "frozen", "reconciled_at"]
    list_filter = ["frozen"]


@admin.register(AccuracyScore)
class AccuracyScoreAdmin(admin.ModelAdmin):
    list_display = ["month", "consultant", "item", "checked", "matched", "failed", "rate", "score"]
    list_filter = ["item"]
    raw_id_fields = ["month", "consultant"]


class _ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ReconcileRun)
class ReconcileRunAdmin(_ReadOnlyAdmin):
    """The log of reconciliation runs: read only, written by the runs themselves."""

    list_display = ["finished_at", "today", "skipped", "found", "created", "updated", "closed"]
    list_filter = ["skipped"]
    date_hierarchy = "finished_at"


@admin.register(AccuracyReopening)
class AccuracyReopeningAdmin(_ReadOnlyAdmin):
    """Reopenings of frozen months: read only, written by the reopen service and the nightly run."""

    list_display = ["month", "reopened_by", "reopened_at", "open_until", "refrozen_at"]


@admin.register(ReconcileRequest)
class ReconcileRequestAdmin(_ReadOnlyAdmin):
    """The administrators' "reconcile now" requests: read only, written by the page and the worker."""

    list_display = ["month", "status", "requested_by", "requested_at", "started_at", "finished_at"]
    list_filter = ["status"]
