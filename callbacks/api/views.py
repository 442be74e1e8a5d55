"""API of the callback desk: tasks (take, log a call), complaints through their flow, questionnaires.

Every write runs the same service as the pages; the rows each user sees are the models' visible_to.
"""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from callbacks import services
from callbacks.api.serializers import (
    AttemptResultSerializer,
    AttemptWriteSerializer,
    CallbackTaskSerializer,
    ComplaintCreateSerializer,
    ComplaintSerializer,
    ComplaintUpdateSerializer,
    QuestionnaireVersionSerializer,
    ReminderRuleSerializer,
)
from callbacks.filters import CallbackTaskFilter, ComplaintFilter
from callbacks.models import CallbackTask, Complaint, QuestionnaireVersion, ReminderRule
from callbacks.selectors import DESK_RELATED
from dealership_cs.api.base import BaseViewSet, CreateMixin, UpdateMixin, register_conflict


def _held_body(exc: services.TaskHeld, context: dict) -> dict:
    holder = exc.holder
    return {
        "detail": str(exc),
        "code": "taken",
        "holder": {"id": holder.pk, "name": holder.get_full_name() or holder.get_username()} if holder else None,
    }


# A task another agent holds answers 409 with who holds it, wherever it is raised.
register_conflict(services.TaskHeld, _held_body)

REFUSED = OpenApiResponse(description=_("Refused: the reason by field, or “detail”."))
HELD = OpenApiResponse(description=_("Another agent holds the task: “holder” names them."))


class CallbackTaskViewSet(BaseViewSet):
    """Callback tasks. Agents see the pool and their own; supervisors see all."""

    queryset = CallbackTask.objects.select_related(*DESK_RELATED)
    serializer_class = CallbackTaskSerializer
    filterset_class = CallbackTaskFilter

    def _claimable(self, pk) -> CallbackTask:
        # A task someone just took answers 409 "taken by …", not 404, to the agent a moment too late.
        return get_object_or_404(CallbackTask.objects.claimable(self.request.user), pk=pk)

    @extend_schema(request=None, responses={200: CallbackTaskSerializer, 409: HELD, 400: REFUSED})
    @action(detail=True, methods=["post"], required_perms=["callbacks.change_callbacktask"])
    def take(self, request, pk=None):
        return self.respond(services.task_take(task=self._claimable(pk), agent=request.user))

    @extend_schema(request=AttemptWriteSerializer, responses={201: AttemptResultSerializer, 400: REFUSED, 409: HELD})
    @action(detail=True, methods=["post"], required_perms=["callbacks.add_callattempt"])
    def attempts(self, request, pk=None):
        task = self.get_object()
        serializer = AttemptWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        logged = services.attempt_log(task=task, agent=request.user, **serializer.validated_data)
        data = AttemptResultSerializer(logged, context=self.get_serializer_context()).data
        return Response(data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    create=extend_schema(request=ComplaintCreateSerializer, responses={201: ComplaintSerializer, 400: REFUSED}),
    update=extend_schema(request=ComplaintUpdateSerializer, responses={200: ComplaintSerializer, 400: REFUSED}),
    partial_update=extend_schema(request=ComplaintUpdateSerializer, responses={200: ComplaintSerializer, 400: REFUSED}),
)
class ComplaintViewSet(CreateMixin, UpdateMixin, BaseViewSet):
    """Complaints. A change moves the complaint along its flow; resolving needs the resolution text."""

    queryset = Complaint.objects.select_related("owner", "customer")
    serializer_class = ComplaintSerializer
    filterset_class = ComplaintFilter

    def get_serializer_class(self):
        if self.action == "create":
            return ComplaintCreateSerializer
        if self.action in ("update", "partial_update"):
            return ComplaintUpdateSerializer
        return ComplaintSerializer

    def perform_create(self, serializer):
        serializer.instance = services.complaint_open(by=self.request.user, **serializer.validated_data)

    def perform_update(self, serializer):
        if "status" not in serializer.validated_data:
            raise ValidationError({"status": [_("Say which status the complaint moves to.")]})
        serializer.instance = services.complaint_advance(
            complaint=serializer.instance, by=self.request.user, **serializer.validated_data
        )


class QuestionnaireViewSet(BaseViewSet):
    """Questionnaire versions with their questions (the one in use, and the earlier ones answers point to)."""

    queryset = QuestionnaireVersion.objects.select_related("questionnaire").prefetch_related("questions")
    serializer_class = QuestionnaireVersionSerializer
    filterset_class = None
    filterset_fields = ["status"]


@extend_schema_view(
    update=extend_schema(responses={200: ReminderRuleSerializer, 400: REFUSED}),
    partial_update=extend_schema(responses={200: ReminderRuleSerializer, 400: REFUSED}),
)
class ReminderRuleViewSet(UpdateMixin, BaseViewSet):
    """The lifecycle reminders' rules: every role reads them, administrators change them."""

    queryset = ReminderRule.objects.all()
    serializer_class = ReminderRuleSerializer
    filterset_class = None
    http_method_names = ["get", "put", "patch", "head", "options"]

    def perform_update(self, serializer):
        serializer.instance = services.reminder_rule_update(
            rule=serializer.instance, by=self.request.user, **serializer.validated_data
        )
