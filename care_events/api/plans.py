"""API of the care plan: plans (submit, approve, send back, close, revise the budget) and activities
(with their nodes, staff, cost lines and KPIs). Every write runs the same service as the pages."""

from __future__ import annotations

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.response import Response

from care_events.api import serializers as s
from care_events.models import CareActivity, CarePlan, Kpi, StaffAssignment, TimeNode
from care_events.services import activities as activity_services
from care_events.services import plans as plan_services
from dealership_cs.api.base import BaseViewSet, CreateMixin, UpdateMixin

CHANGE_PLAN, APPROVE = "care_events.change_careplan", "care_events.approve_careplan"
CHANGE_ACTIVITY = "care_events.change_careactivity"


class CarePlanViewSet(CreateMixin, UpdateMixin, BaseViewSet):
    queryset = CarePlan.objects.all()
    serializer_class = s.CarePlanSerializer
    write_serializer_class = s.CarePlanWriteSerializer
    filterset_fields = ["year", "status"]
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def perform_create(self, serializer):
        serializer.instance = plan_services.plan_create(by=self.request.user, **serializer.validated_data)

    def perform_update(self, serializer):
        fields = {k: v for k, v in serializer.validated_data.items() if k != "year"}
        serializer.instance = plan_services.plan_update(plan=serializer.instance, by=self.request.user, **fields)

    def _step(self, service):
        return self.respond(service(plan=self.get_object(), by=self.request.user))

    @action(detail=True, methods=["post"], required_perms=[CHANGE_PLAN])
    def submit(self, request, pk=None):
        return self._step(plan_services.plan_submit)

    @action(detail=True, methods=["post"], required_perms=[APPROVE])
    def approve(self, request, pk=None):
        return self._step(plan_services.plan_approve)

    @action(detail=True, methods=["post"], url_path="return", required_perms=[APPROVE])
    def send_back(self, request, pk=None):
        return self._step(plan_services.plan_return)

    @action(detail=True, methods=["post"], required_perms=[APPROVE])
    def close(self, request, pk=None):
        return self._step(plan_services.plan_close)

    @action(detail=True, methods=["post"], required_perms=["care_events.add_budgetrevision"])
    def revise(self, request, pk=None):
        plan = self.get_object()
        serializer = s.RevisionWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        plan_services.plan_budget_revise(plan=plan, by=request.user, **serializer.validated_data)
        plan.refresh_from_db()
        return self.respond(plan)


class CareActivityViewSet(CreateMixin, UpdateMixin, BaseViewSet):
    queryset = CareActivity.objects.select_related("plan").prefetch_related(
        Prefetch("nodes", queryset=TimeNode.objects.select_related("activity")),
        Prefetch("staff", queryset=StaffAssignment.objects.select_related("staff").order_by("id")),
        "costs",
        "kpis",
    )
    serializer_class = s.CareActivitySerializer
    write_serializer_class = s.CareActivityWriteSerializer
    filterset_fields = ["plan", "plan__year", "kind", "status"]
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        plan = get_object_or_404(CarePlan.objects.visible_to(self.request.user), pk=data.pop("plan").pk)
        serializer.instance = activity_services.activity_create(plan=plan, by=self.request.user, **data)

    def perform_update(self, serializer):
        data = {k: v for k, v in serializer.validated_data.items() if k != "plan"}
        serializer.instance = activity_services.activity_update(
            activity=serializer.instance, by=self.request.user, **data
        )

    def _add(self, request, writer, service, status_code=status.HTTP_201_CREATED):
        activity = self.get_object()
        serializer = writer(data=request.data)
        serializer.is_valid(raise_exception=True)
        service(activity=activity, by=request.user, **serializer.validated_data)
        return self.respond(self.get_queryset().get(pk=activity.pk), status_code)

    @action(detail=True, methods=["post"], required_perms=[CHANGE_ACTIVITY])
    def status(self, request, pk=None):
        return self._add(request, s.StatusWriteSerializer, activity_services.activity_status_set, status.HTTP_200_OK)

    @action(detail=True, methods=["post"], required_perms=[CHANGE_ACTIVITY])
    def nodes(self, request, pk=None):
        return self._add(request, s.NodeWriteSerializer, activity_services.node_add)

    @action(detail=True, methods=["post"], url_path="staff", required_perms=[CHANGE_ACTIVITY])
    def assign(self, request, pk=None):
        return self._add(request, s.StaffWriteSerializer, activity_services.staff_assign)

    @action(detail=True, methods=["post"], required_perms=[CHANGE_ACTIVITY])
    def costs(self, request, pk=None):
        return self._add(request, s.CostWriteSerializer, activity_services.cost_add)

    @action(detail=True, methods=["post"], required_perms=[CHANGE_ACTIVITY])
    def kpis(self, request, pk=None):
        return self._add(request, s.KpiWriteSerializer, activity_services.kpi_add)

    @action(detail=True, methods=["post"], url_path=r"nodes/(?P<node_id>\d+)/done", required_perms=[CHANGE_ACTIVITY])
    def node_done(self, request, pk=None, node_id=None):
        activity = self.get_object()
        node = get_object_or_404(TimeNode, pk=node_id, activity=activity)
        activity_services.node_mark_done(node=node, by=request.user, done=request.data.get("done", True) is not False)
        return self.respond(self.get_queryset().get(pk=activity.pk))

    @action(detail=True, methods=["post"], url_path=r"kpis/(?P<kpi_id>\d+)/actual", required_perms=[CHANGE_ACTIVITY])
    def kpi_actual(self, request, pk=None, kpi_id=None):
        activity = self.get_object()
        kpi = get_object_or_404(Kpi, pk=kpi_id, activity=activity)
        serializer = s.KpiActualWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        activity_services.kpi_actual_set(kpi=kpi, by=request.user, **serializer.validated_data)
        return Response(s.KpiSerializer(Kpi.objects.get(pk=kpi.pk)).data)
