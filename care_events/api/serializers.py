"""The care plan's API shapes: reads nest an activity's nodes, staff, cost lines and KPIs; writes only parse."""

from __future__ import annotations

from django.utils import timezone
from rest_framework import serializers

from care_events.models import CareActivity, CarePlan, CostLine, Kpi, StaffAssignment, TimeNode
from care_events.services.activities import ACTIVITY_FIELDS
from dealership_cs.models import Staff


class TimeNodeSerializer(serializers.ModelSerializer):
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = TimeNode
        fields = ["id", "name", "due_on", "responsible", "done_at", "overdue"]

    def get_overdue(self, node: TimeNode) -> bool:
        return node.activity.status != CareActivity.Status.CANCELLED and node.is_overdue(timezone.localdate())


class StaffAssignmentSerializer(serializers.ModelSerializer):
    staff_name = serializers.CharField(source="staff.name", read_only=True)

    class Meta:
        model = StaffAssignment
        fields = ["id", "staff", "staff_name", "task"]


class CostLineSerializer(serializers.ModelSerializer):
    class Meta:
        model = CostLine
        fields = ["id", "item", "amount", "spent_on"]


class KpiSerializer(serializers.ModelSerializer):
    achievement = serializers.DecimalField(max_digits=8, decimal_places=1, read_only=True, allow_null=True)

    class Meta:
        model = Kpi
        fields = ["id", "name", "unit", "source", "target", "actual", "achievement"]


class CareActivitySerializer(serializers.ModelSerializer):
    nodes = TimeNodeSerializer(many=True, read_only=True)
    staff = StaffAssignmentSerializer(many=True, read_only=True)
    costs = CostLineSerializer(many=True, read_only=True)
    kpis = KpiSerializer(many=True, read_only=True)
    actual_cost = serializers.SerializerMethodField()

    class Meta:
        model = CareActivity
        fields = ["id", "plan", "status", *ACTIVITY_FIELDS, "actual_cost", "nodes", "staff", "costs", "kpis"]

    def get_actual_cost(self, activity: CareActivity) -> str:
        return str(sum((c.amount for c in activity.costs.all()), 0))


class CareActivityWriteSerializer(serializers.ModelSerializer):
    plan = serializers.PrimaryKeyRelatedField(queryset=CarePlan.objects.all())

    class Meta:
        model = CareActivity
        fields = ["plan", *ACTIVITY_FIELDS]
        # The services validate the whole row (dates in the plan's year, amounts); here only parse.
        validators = []


class CarePlanSerializer(serializers.ModelSerializer):
    class Meta:
        model = CarePlan
        fields = ["id", "year", "title", "total_budget", "owner", "status", "approved_by", "approved_at", "created_at"]
        read_only_fields = ["status", "approved_by", "approved_at", "created_at"]


class CarePlanWriteSerializer(serializers.ModelSerializer):
    class Meta:
        model = CarePlan
        fields = ["year", "title", "total_budget", "owner"]
        validators = []
        extra_kwargs = {"year": {"validators": []}}


class RevisionWriteSerializer(serializers.Serializer):
    new_budget = serializers.DecimalField(max_digits=12, decimal_places=2)
    reason = serializers.CharField(max_length=300, allow_blank=True)
    activity = serializers.PrimaryKeyRelatedField(queryset=CareActivity.objects.all(), required=False, allow_null=True)


class StatusWriteSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=CareActivity.Status.choices)


class NodeWriteSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    due_on = serializers.DateField()
    responsible = serializers.PrimaryKeyRelatedField(queryset=Staff.objects.all(), required=False, allow_null=True)


class StaffWriteSerializer(serializers.Serializer):
    staff = serializers.PrimaryKeyRelatedField(queryset=Staff.objects.all())
    task = serializers.CharField(max_length=200)


class CostWriteSerializer(serializers.Serializer):
    item = serializers.CharField(max_length=200)
    amount = serializers.DecimalField(max_digits=12, decimal_places=2)
    spent_on = serializers.DateField()


class KpiWriteSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    unit = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    source = serializers.ChoiceField(choices=Kpi.Source.choices, default=Kpi.Source.TYPED)
    target = serializers.DecimalField(max_digits=12, decimal_places=2, required=False, allow_null=True, default=None)
    actual = serializers.DecimalField(max_digits=12, decimal_places=2, required=False, allow_null=True)


class KpiActualWriteSerializer(serializers.Serializer):
    actual = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
