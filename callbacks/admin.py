"""The desk's reference data, administered with history: rules, questionnaires, complaint deadlines."""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from callbacks.models import (
    CallbackRule,
    CallbackTask,
    Complaint,
    ComplaintDeadline,
    Question,
    Questionnaire,
    QuestionnaireVersion,
)


@admin.register(CallbackRule)
class CallbackRuleAdmin(SimpleHistoryAdmin):
    list_display = ["kind", "due_after_days", "expires_after_days", "max_attempts", "questionnaire"]


@admin.register(ComplaintDeadline)
class ComplaintDeadlineAdmin(SimpleHistoryAdmin):
    list_display = ["severity", "response_hours", "resolution_hours"]


class QuestionInline(admin.TabularInline):
    model = Question
    extra = 0
    fields = ["position", "code", "text", "scale", "complaint_threshold"]

    def has_add_permission(self, request, obj=None) -> bool:
        return obj is None or obj.editable

    def has_change_permission(self, request, obj=None) -> bool:
        return obj is None or obj.editable

    def has_delete_permission(self, request, obj=None) -> bool:
        return obj is None or obj.editable


@admin.register(QuestionnaireVersion)
class QuestionnaireVersionAdmin(SimpleHistoryAdmin):
    """A version in use is never changed, only superseded: its questions are read-only here."""

    list_display = ["questionnaire", "number", "status", "published_at"]
    list_filter = ["questionnaire", "status"]
    readonly_fields = ["status", "published_at"]
    inlines = [QuestionInline]

    def has_delete_permission(self, request, obj=None) -> bool:
        return obj is None or obj.editable

    def save_model(self, request, obj, form, change):
        if change and not QuestionnaireVersion.objects.get(pk=obj.pk).editable:
            raise PermissionDenied(_("A published questionnaire version cannot be changed."))
        super().save_model(request, obj, form, change)


@admin.register(Questionnaire)
class QuestionnaireAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name"]


@admin.register(CallbackTask)
class CallbackTaskAdmin(SimpleHistoryAdmin):
    list_display = ["id", "kind", "customer", "status", "agent", "due_date", "expires_on", "attempt_count"]
    list_filter = ["kind", "status"]
    raw_id_fields = ["customer", "vehicle", "archive", "visit", "complaint", "agent"]
    date_hierarchy = "due_date"


@admin.register(Complaint)
class ComplaintAdmin(SimpleHistoryAdmin):
    list_display = ["id", "customer", "department", "severity", "status", "owner", "resolution_due_at"]
    list_filter = ["status", "department", "severity"]
    raw_id_fields = ["customer", "vehicle", "attempt", "owner"]
