"""The desk's reference data, administered with history: rules, questionnaires, complaint deadlines."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from callbacks.models import (
    Answer,
    CallAttempt,
    CallbackRule,
    CallbackTask,
    Complaint,
    ComplaintDeadline,
    InspectionStep,
    Question,
    Questionnaire,
    QuestionnaireVersion,
    ReminderRule,
)
from callbacks.services import questionnaire_draft, questionnaire_publish


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
    actions = ["publish"]

    @admin.action(description=_("Publish the selected drafts (supersedes the versions in use)"))
    def publish(self, request, queryset):
        for version in queryset:
            try:
                questionnaire_publish(version=version, by=request.user)
                self.message_user(request, _("%(version)s is now in use.") % {"version": version})
            except ValidationError as exc:
                self.message_user(request, " ".join(exc.messages), level=messages.ERROR)

    def has_delete_permission(self, request, obj=None) -> bool:
        return obj is None or obj.editable

    def save_model(self, request, obj, form, change):
        if change and not QuestionnaireVersion.objects.get(pk=obj.pk).editable:
            raise PermissionDenied(_("A published questionnaire version cannot be changed."))
        super().save_model(request, obj, form, change)


@admin.register(Questionnaire)
class QuestionnaireAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name"]
    actions = ["new_draft"]

    @admin.action(description=_("Start a new draft version from the version in use"))
    def new_draft(self, request, queryset):
        for questionnaire in queryset:
            try:
                draft = questionnaire_draft(questionnaire=questionnaire, by=request.user)
                self.message_user(request, _("Draft %(version)s created.") % {"version": draft})
            except ValidationError as exc:
                self.message_user(request, " ".join(exc.messages), level=messages.ERROR)


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


@admin.register(Question)
class QuestionAdmin(SimpleHistoryAdmin):
    """A published version's wording and scale stay as asked; only the complaint threshold is tuned."""

    list_display = ["version", "code", "text", "scale", "complaint_threshold"]
    list_filter = ["version__questionnaire", "version__status"]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and not obj.version.editable:
            return ["version", "code", "text", "scale", "position"]
        return []


class ReadOnlyAdmin(admin.ModelAdmin):
    """Written by the desk's services only: the admin site shows them."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(CallAttempt)
class CallAttemptAdmin(ReadOnlyAdmin):
    list_display = ["started_at", "task", "agent", "outcome", "phone"]
    list_filter = ["outcome"]
    raw_id_fields = ["task", "agent"]
    date_hierarchy = "started_at"


@admin.register(Answer)
class AnswerAdmin(ReadOnlyAdmin):
    list_display = ["attempt", "question", "value", "text", "staff"]
    raw_id_fields = ["attempt", "question", "staff"]


@admin.register(ReminderRule)
class ReminderRuleAdmin(SimpleHistoryAdmin):
    list_display = ["kind", "active", "lead_days", "window_days", "expires_after_days", "months", "mileage_km"]


@admin.register(InspectionStep)
class InspectionStepAdmin(SimpleHistoryAdmin):
    list_display = ["from_year", "to_year", "interval_months"]
