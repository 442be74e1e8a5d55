"""API of the discrepancy desk: list and read what the reconciliation found; assign, note, resolve or reopen.

Discrepancies are created and closed only by the nightly reconciliation, so there is no POST or DELETE.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import serializers

from customers.api.serializers import StaffBriefSerializer, UserBriefSerializer
from customers.filters import DiscrepancyFilter
from customers.models import Discrepancy
from customers.reconciliation.desk import DESK_RELATED, KEEP, discrepancy_work
from dealership_cs.api.base import BaseViewSet, UpdateMixin
from dealership_cs.api.fields import ChoosableStaffField, choice_field
from dealership_cs.models import Staff


class WorkStatus(models.TextChoices):
    """The statuses a person may set; "closed" belongs to the reconciliation."""

    OPEN = "open", _("Open")
    RESOLVED = "resolved", _("Resolved")


DiscrepancyTypeField = choice_field("DiscrepancyTypeEnum", Discrepancy.Type)
DiscrepancyStatusField = choice_field("DiscrepancyStatusEnum", Discrepancy.Status)
DiscrepancyWorkStatusField = choice_field("DiscrepancyWorkStatusEnum", WorkStatus)


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

    assignee = ChoosableStaffField(
        queryset=Staff.objects.all(),
        allow_null=True,
        required=False,
        help_text=_("Staff id to assign, or null for nobody."),
    )
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    status = DiscrepancyWorkStatusField(required=False, help_text=_("“resolved” to resolve, “open” to reopen."))

    def work(self) -> dict:
        """The request as ``discrepancy_work``'s arguments: what was left out stays as stored."""
        data = self.validated_data
        return {
            "assignee": data.get("assignee", KEEP),
            "note": data.get("note"),
            "resolve": data.get("status") == WorkStatus.RESOLVED,
            "reopen": data.get("status") == WorkStatus.OPEN,
        }


@extend_schema_view(
    partial_update=extend_schema(
        request=DiscrepancyWorkSerializer,
        responses={200: DiscrepancySerializer, 400: OpenApiResponse(description=_("Refused: the messages."))},
        description=_(
            "Assign, note, resolve (status “resolved”) or reopen (status “open”), any of them in one request: "
            "all of it is done, or nothing when a part is refused. A discrepancy the reconciliation closed "
            "cannot be assigned, resolved or reopened; only an open one is resolved, only a resolved one reopened."
        ),
    ),
)
class DiscrepancyViewSet(UpdateMixin, BaseViewSet):
    """Discrepancies between the closed-deal archives and OMD; open ones unless ``status`` says otherwise."""

    queryset = Discrepancy.objects.select_related(*DESK_RELATED)
    serializer_class = DiscrepancySerializer
    write_serializer_class = DiscrepancyWorkSerializer
    filterset_class = DiscrepancyFilter
    http_method_names = ["get", "patch", "head", "options"]

    def perform_update(self, serializer):
        discrepancy = discrepancy_work(discrepancy=serializer.instance, by=self.request.user, **serializer.work())
        serializer.instance = self.get_queryset().get(pk=discrepancy.pk)
