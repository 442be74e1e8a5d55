from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from reports.models import AccuracyMonth, AccuracyRule, AccuracyScore


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
