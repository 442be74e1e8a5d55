"""Serializers of the callback desk's API: what a task, a call, a complaint and a questionnaire look like."""

from __future__ import annotations

from rest_framework import serializers

from callbacks.models import (
    CallAttempt,
    CallbackTask,
    CallOutcome,
    Complaint,
    Question,
    QuestionnaireVersion,
    ReminderRule,
)
from customers.api.fields import RecordDateTimeField


def _person(user) -> str | None:
    return (user.get_full_name() or user.get_username()) if user else None


class CallbackTaskSerializer(serializers.ModelSerializer):
    vin = serializers.CharField(source="vehicle.vin", read_only=True, default=None)
    customer = serializers.IntegerField(source="customer_id", read_only=True)
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    phone = serializers.CharField(source="customer.mobile", read_only=True)
    agent = serializers.IntegerField(source="agent_id", read_only=True, allow_null=True)
    agent_name = serializers.SerializerMethodField()

    class Meta:
        model = CallbackTask
        fields = [
            "id",
            "kind",
            "status",
            "vin",
            "customer",
            "customer_name",
            "phone",
            "event_date",
            "due_date",
            "expires_on",
            "agent",
            "agent_name",
            "attempt_count",
            "next_attempt_at",
            "last_outcome",
            "archive",
            "visit",
            "complaint",
        ]
        read_only_fields = fields

    def get_agent_name(self, task) -> str | None:
        return _person(task.agent)


class AttemptSerializer(serializers.ModelSerializer):
    answers = serializers.SerializerMethodField()

    class Meta:
        model = CallAttempt
        fields = [
            "id",
            "task",
            "agent",
            "started_at",
            "ended_at",
            "phone",
            "outcome",
            "call_back_at",
            "note",
            "answers",
        ]
        read_only_fields = fields

    def get_answers(self, attempt) -> dict[str, str]:
        return {a.question.code: (a.text or str(a.value)) for a in attempt.answers.all()}


class AttemptWriteSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=CallOutcome.choices)
    answers = serializers.DictField(child=serializers.JSONField(), required=False, default=dict)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)
    call_back_at = RecordDateTimeField(required=False, allow_null=True, default=None)
    open_complaint = serializers.BooleanField(required=False, default=False)
    complaint_text = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)
    extra = serializers.DictField(
        required=False, default=dict, help_text="Values for the call's kind, e.g. an invitation's reply."
    )


class AttemptResultSerializer(serializers.Serializer):
    attempt = AttemptSerializer()
    task = CallbackTaskSerializer()
    complaint = serializers.IntegerField(source="complaint.pk", allow_null=True, default=None)


class ComplaintSerializer(serializers.ModelSerializer):
    overdue = serializers.SerializerMethodField()
    owner_name = serializers.SerializerMethodField()

    class Meta:
        model = Complaint
        fields = [
            "id",
            "customer",
            "vehicle",
            "source",
            "department",
            "category",
            "severity",
            "description",
            "owner",
            "owner_name",
            "status",
            "attempt",
            "opened_at",
            "response_due_at",
            "resolution_due_at",
            "acknowledged_at",
            "resolved_at",
            "resolution",
            "overdue",
        ]
        read_only_fields = fields

    def get_overdue(self, complaint) -> bool:
        return complaint.is_overdue()

    def get_owner_name(self, complaint) -> str | None:
        return _person(complaint.owner)


class ComplaintCreateSerializer(serializers.ModelSerializer):
    class Meta:
        model = Complaint
        fields = ["customer", "vehicle", "source", "department", "category", "severity", "description", "owner"]
        extra_kwargs = {"description": {"required": True}}


class ComplaintUpdateSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Complaint.Status.choices)
    resolution = serializers.CharField(required=False, allow_blank=True, default="")
    owner = serializers.PrimaryKeyRelatedField(
        queryset=Complaint._meta.get_field("owner").related_model.objects.filter(is_active=True),
        required=False,
        allow_null=True,
        default=None,
    )


class QuestionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Question
        fields = ["code", "text", "scale", "complaint_threshold", "position"]


class QuestionnaireVersionSerializer(serializers.ModelSerializer):
    code = serializers.CharField(source="questionnaire.code", read_only=True)
    name = serializers.CharField(source="questionnaire.name", read_only=True)
    questions = QuestionSerializer(many=True, read_only=True)

    class Meta:
        model = QuestionnaireVersion
        fields = ["id", "code", "name", "number", "status", "published_at", "questions"]
        read_only_fields = fields


class ReminderRuleSerializer(serializers.ModelSerializer):
    class Meta:
        model = ReminderRule
        fields = ["id", "kind", "active", "lead_days", "window_days", "expires_after_days", "months", "mileage_km"]
        read_only_fields = ["id", "kind"]
