"""API of the discrepancy desk: list and read what the reconciliation found; assign, note, resolve or reopen.

Discrepancies are created and closed only by the nightly reconciliation, so there is no POST or DELETE.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models, transaction
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.response import Response

from customers.api.fields import VisibleRelatedField
from customers.api.serializers import StaffBriefSerializer, UserBriefSerializer, _choice_field
from customers.api.views import _api_validation_error
from customers.filters import DiscrepancyFilter
from customers.models import Discrepancy
from customers.reconciliation.desk import (
    discrepancies_for,
    discrepancy_assign,
    discrepancy_note,
    discrepancy_reopen,
    discrepancy_resolve,
)
from dealership_cs.models import Staff


class WorkStatus(models.TextChoices):
    """The statuses a person may set; "closed" belongs to the reconciliation."""

    OPEN = "open", _("Open")
    RESOLVED = "resolved", _("Resolved")


DiscrepancyTypeField = _choice_field("DiscrepancyTypeEnum", Discrepancy.Type)
DiscrepancyStatusField = _choice_field("DiscrepancyStatusEnum", Discrepancy.Status)
DiscrepancyWorkStatusField = _choice_field("DiscrepancyWorkStatusEnum", WorkStatus)


class DiscrepancySerializer(serializers.ModelSerializer):
    type = DiscrepancyTypeField(read_only=True)
    type_label = serializers.CharField(source="get_type_display", read_only=True)
    status = DiscrepancyStatusField(read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    month = serializers.SerializerMethodField(help_text=_("YYYY-MM"))
    customer_name = serializers.SerializerMethodField()
    vin = serializers.SerializerMethodField()
    consultant = StaffBriefSerializer(read_only=True, allow_null=True)
    assignee = StaffBriefSerializer(read_only=True, allow_null=True)
    resolved_by = UserBriefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Discrepancy
        fields = [
            "id",
            "type",
            "type_label",
            "month",
            "status",
            "status_label",
            "archive",
            "invoice",
            "customer_name",
            "vin",
            "consultant",
            "archive_value",
            "omd_value",
            "assignee",
            "note",
            "resolved_by",
            "resolved_at",
            "first_seen_at",
            "last_seen_at",
            "closed_at",
        ]
        read_only_fields = fields

    def get_month(self, obj: Discrepancy) -> str:
        return f"{obj.month:%Y-%m}"

    def get_customer_name(self, obj: Discrepancy) -> str:
        if obj.archive is not None:
            return obj.archive.invoice_name
        return obj.invoice.customer_name if obj.invoice is not None else ""

    def get_vin(self, obj: Discrepancy) -> str:
        if obj.archive is not None:
            return obj.archive.vehicle.vin
        return obj.invoice.vin if obj.invoice is not None else ""


class DiscrepancyWorkSerializer(serializers.Serializer):
    """The staff's part of a discrepancy; send only what changes."""

    assignee = VisibleRelatedField(
        queryset=Staff.objects.all(),
        allow_null=True,
        required=False,
        help_text=_("Staff id to assign, or null for nobody."),
    )
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    status = DiscrepancyWorkStatusField(required=False, help_text=_("“resolved” to resolve, “open” to reopen."))


@extend_schema_view(
    partial_update=extend_schema(
        request=DiscrepancyWorkSerializer,
        responses={200: DiscrepancySerializer, 400: OpenApiResponse(description=_("Refused: the messages."))},
        description=_(
            "Assign, note, resolve (status “resolved”) or reopen (status “open”). A discrepancy the "
            "reconciliation closed cannot be assigned, resolved or reopened."
        ),
    ),
)
class DiscrepancyViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Discrepancies between the closed-deal archives and OMD; open ones unless ``status`` says otherwise."""

    serializer_class = DiscrepancySerializer
    filterset_class = DiscrepancyFilter
    queryset = Discrepancy.objects.all()
    http_method_names = ["get", "patch", "head", "options"]

    def get_queryset(self):
        return discrepancies_for(self.request.user)

    def filter_queryset(self, queryset):
        # The list's filters (open unless asked otherwise) choose rows to list, not rows one may open or change.
        if self.action in ("retrieve", "partial_update"):
            return queryset
        return super().filter_queryset(queryset)

    def get_serializer_class(self):
        return DiscrepancyWorkSerializer if self.action == "partial_update" else DiscrepancySerializer

    def handle_exception(self, exc):
        if isinstance(exc, DjangoValidationError):
            exc = _api_validation_error(exc)
        return super().handle_exception(exc)

    def partial_update(self, request, *args, **kwargs):
        discrepancy = self.get_object()
        work = DiscrepancyWorkSerializer(data=request.data, context=self.get_serializer_context())
        work.is_valid(raise_exception=True)
        data = work.validated_data
        by = request.user
        # All of it or nothing: a refused resolution leaves the assignment and the note as they were.
        with transaction.atomic():
            if "assignee" in data:
                discrepancy = discrepancy_assign(discrepancy=discrepancy, assignee=data["assignee"], by=by)
            status = data.get("status")
            resolving = status == WorkStatus.RESOLVED and discrepancy.status != Discrepancy.Status.RESOLVED
            note = data.get("note")
            # A note sent with the resolution is saved with it, in one history entry; a cleared note is its own.
            if note is not None and not (resolving and note.strip()):
                discrepancy = discrepancy_note(discrepancy=discrepancy, note=note, by=by)
            if resolving:
                discrepancy = discrepancy_resolve(discrepancy=discrepancy, by=by, note=note or "")
            if status == WorkStatus.OPEN and discrepancy.status != Discrepancy.Status.OPEN:
                discrepancy = discrepancy_reopen(discrepancy=discrepancy, by=by)
        discrepancy = self.get_queryset().get(pk=discrepancy.pk)
        return Response(DiscrepancySerializer(discrepancy, context=self.get_serializer_context()).data)
