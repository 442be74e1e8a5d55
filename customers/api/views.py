"""API of customer records: lists filter with the pages' FilterSets, every write runs a customers service.

Records are merged, never deleted, so no endpoint offers DELETE.
"""

from __future__ import annotations

from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework.decorators import action
from rest_framework.response import Response

from customers import services
from customers.api.serializers import (
    CustomerMergeResultSerializer,
    CustomerMergeSerializer,
    CustomerSerializer,
    DuplicatesFoundSerializer,
    PhoneCorrectionProposeSerializer,
    PhoneCorrectionSerializer,
    SalesArchiveSerializer,
    SalesArchiveSubmitSerializer,
    SalesArchiveUpdateSerializer,
    ServiceVisitSerializer,
    ServiceVisitWriteSerializer,
    VehicleSerializer,
    VehicleWriteSerializer,
)
from customers.filters import (
    CustomerFilter,
    PhoneCorrectionFilter,
    SalesArchiveFilter,
    ServiceVisitFilter,
    VehicleFilter,
)
from customers.models import Customer, PhoneCorrection, SalesArchive, ServiceVisit, Vehicle
from dealership_cs.api.base import BaseViewSet, CreateMixin, UpdateMixin, register_conflict

DUPLICATES_DETAIL = _(
    "This looks like an existing record. Check the candidates; to save it anyway, send the same request "
    "again with “confirm_duplicates”: true."
)

INVALID = OpenApiResponse(description=_("Invalid data: the messages by field, or “detail” for the whole request."))
DUPLICATES = OpenApiResponse(
    DuplicatesFoundSerializer,
    description=_("Looks like an existing record; repeat with “confirm_duplicates”: true to save anyway."),
)


def _duplicates_body(exc: services.DuplicatesFound, context: dict) -> dict:
    body = {"detail": DUPLICATES_DETAIL, "candidates": exc.candidates}
    return DuplicatesFoundSerializer(body, context=context).data


# A new record that looks like an existing one answers 409 with the candidates, wherever it is raised.
register_conflict(services.DuplicatesFound, _duplicates_body)


def _writes_schema(read, write, *, duplicates: bool = False):
    errors = {400: INVALID, **({409: DUPLICATES} if duplicates else {})}
    return extend_schema_view(
        create=extend_schema(request=write, responses={201: read, **errors}),
        update=extend_schema(request=write, responses={200: read, **errors}),
        partial_update=extend_schema(request=write, responses={200: read, **errors}),
    )


@_writes_schema(CustomerSerializer, CustomerSerializer, duplicates=True)
class CustomerViewSet(CreateMixin, UpdateMixin, BaseViewSet):
    """Customers. A new customer (or a changed phone) that shares a phone with another answers 409."""

    queryset = Customer.objects.prefetch_related(Prefetch("vehicles", queryset=Vehicle.objects.order_by("id")))
    serializer_class = CustomerSerializer
    filterset_class = CustomerFilter

    def perform_create(self, serializer):
        serializer.instance = services.customer_create(by=self.request.user, **serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.customer_update(
            customer=serializer.instance, by=self.request.user, **serializer.validated_data
        )

    @extend_schema(
        request=CustomerMergeSerializer,
        responses={200: CustomerMergeResultSerializer, 400: INVALID},
        description=_(
            "Merge a duplicate into this customer: its vehicles, archives, visits and phone corrections move "
            "here and the duplicate is removed. Needs the permission to merge customers."
        ),
    )
    @action(detail=True, methods=["post"], required_perms=["customers.merge_customer"])
    def merge(self, request, pk=None):
        survivor = self.get_object()
        serializer = CustomerMergeSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        merge = services.customer_merge(
            survivor=survivor, duplicate=serializer.validated_data["duplicate"], by=request.user
        )
        return Response(CustomerMergeResultSerializer(merge, context=self.get_serializer_context()).data)


@_writes_schema(VehicleSerializer, VehicleWriteSerializer, duplicates=True)
class VehicleViewSet(CreateMixin, UpdateMixin, BaseViewSet):
    """Vehicles. A known VIN is refused (400); a plate already on another car answers 409."""

    queryset = Vehicle.objects.select_related("holder")
    serializer_class = VehicleSerializer
    write_serializer_class = VehicleWriteSerializer
    filterset_class = VehicleFilter

    def perform_create(self, serializer):
        serializer.instance = services.vehicle_create(by=self.request.user, **serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.vehicle_update(
            vehicle=serializer.instance, by=self.request.user, **serializer.validated_data
        )


@extend_schema_view(
    create=extend_schema(
        request=SalesArchiveSubmitSerializer,
        responses={201: SalesArchiveSerializer, 400: INVALID},
        description=_(
            "Submit a closed-deal archive. The car is found by VIN and the buyer by the given customer, the car's "
            "holder, or phone and name; whatever is missing is created. Submitting again for the same VIN "
            "updates that car's archive."
        ),
    ),
    update=extend_schema(request=SalesArchiveUpdateSerializer, responses={200: SalesArchiveSerializer, 400: INVALID}),
    partial_update=extend_schema(
        request=SalesArchiveUpdateSerializer, responses={200: SalesArchiveSerializer, 400: INVALID}
    ),
)
class SalesArchiveViewSet(CreateMixin, UpdateMixin, BaseViewSet):
    """Closed-deal archives (成交客户档案)."""

    queryset = SalesArchive.objects.select_related("vehicle", "customer", "consultant", "submitted_by")
    serializer_class = SalesArchiveSerializer
    filterset_class = SalesArchiveFilter

    def get_serializer_class(self):
        if self.action == "create":
            return SalesArchiveSubmitSerializer
        if self.action in ("update", "partial_update"):
            return SalesArchiveUpdateSerializer
        return self.serializer_class

    def perform_create(self, serializer):
        data = services.ArchiveInput(**serializer.validated_data)
        serializer.instance = services.archive_submit(data=data, by=self.request.user)

    def perform_update(self, serializer):
        serializer.instance = services.archive_update(
            archive=serializer.instance, by=self.request.user, **serializer.validated_data
        )


@_writes_schema(ServiceVisitSerializer, ServiceVisitWriteSerializer)
class ServiceVisitViewSet(CreateMixin, UpdateMixin, BaseViewSet):
    """Service visits (repair orders)."""

    queryset = ServiceVisit.objects.select_related("vehicle", "customer", "advisor")
    serializer_class = ServiceVisitSerializer
    write_serializer_class = ServiceVisitWriteSerializer
    filterset_class = ServiceVisitFilter

    def perform_create(self, serializer):
        serializer.instance = services.visit_create(by=self.request.user, **serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.visit_update(
            visit=serializer.instance, by=self.request.user, **serializer.validated_data
        )


_DECIDE = {
    "request": None,
    "responses": {200: PhoneCorrectionSerializer, 400: INVALID},
}


@extend_schema_view(
    create=extend_schema(
        request=PhoneCorrectionProposeSerializer,
        responses={201: PhoneCorrectionSerializer, 400: INVALID},
        description=_("Propose a phone correction (callback agents after a wrong-number call)."),
    ),
)
class PhoneCorrectionViewSet(CreateMixin, BaseViewSet):
    """Phone corrections: agents propose, customer-service staff apply or reject."""

    queryset = PhoneCorrection.objects.select_related("customer", "proposed_by", "decided_by")
    serializer_class = PhoneCorrectionSerializer
    write_serializer_class = PhoneCorrectionProposeSerializer
    filterset_class = PhoneCorrectionFilter

    def perform_create(self, serializer):
        serializer.instance = services.phone_correction_propose(by=self.request.user, **serializer.validated_data)

    @extend_schema(**_DECIDE, description=_("Apply a pending correction: the customer's number changes."))
    @action(detail=True, methods=["post"], required_perms=["customers.change_phonecorrection"])
    def apply(self, request, pk=None):
        return self.respond(services.phone_correction_apply(correction=self.get_object(), by=request.user))

    @extend_schema(**_DECIDE, description=_("Reject a pending correction: the customer's number stays."))
    @action(detail=True, methods=["post"], required_perms=["customers.change_phonecorrection"])
    def reject(self, request, pk=None):
        return self.respond(services.phone_correction_reject(correction=self.get_object(), by=request.user))
