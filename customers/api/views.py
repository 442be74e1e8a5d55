"""API of customer records: lists filter with the pages' FilterSets, every write runs a customers service.

Records are merged, never deleted, so no endpoint offers DELETE.
"""

from __future__ import annotations

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.fields import get_error_detail
from rest_framework.response import Response
from rest_framework.settings import api_settings

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

DUPLICATES_DETAIL = _(
    "This looks like an existing record. Check the candidates; to save it anyway, send the same request "
    "again with “confirm_duplicates”: true."
)

INVALID = OpenApiResponse(description=_("Invalid data: the messages by field, or “detail” for the whole request."))
DUPLICATES = OpenApiResponse(
    DuplicatesFoundSerializer,
    description=_("Looks like an existing record; repeat with “confirm_duplicates”: true to save anyway."),
)


def _api_validation_error(error: DjangoValidationError) -> ValidationError:
    """A service's refusal as a 400: by field when it names fields, else one ``detail`` message."""
    if hasattr(error, "error_dict"):
        detail = get_error_detail(error)
        non_field = api_settings.NON_FIELD_ERRORS_KEY
        return ValidationError({non_field if key == NON_FIELD_ERRORS else key: value for key, value in detail.items()})
    return ValidationError({"detail": " ".join(error.messages)})


class _ServiceViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Reads through ``visible_to``; writes parse with ``write_serializer_class``, run a service, answer
    with ``serializer_class``. A service's ``DuplicatesFound`` answers 409, its ``ValidationError`` 400.
    """

    # The FilterSet carries its own ``ordering``, exactly as on the page.
    filter_backends = [DjangoFilterBackend]
    http_method_names = ["get", "post", "put", "patch", "head", "options"]
    write_serializer_class: type | None = None
    # Set per action with @action(required_perms=[...]); replaces the model permissions for that action.
    required_perms: list[str] | None = None

    def get_serializer_class(self):
        if self.action in ("create", "update", "partial_update") and self.write_serializer_class is not None:
            return self.write_serializer_class
        return self.serializer_class

    def respond(self, instance, status_code: int = status.HTTP_200_OK) -> Response:
        return Response(self.serializer_class(instance, context=self.get_serializer_context()).data, status=status_code)

    def handle_exception(self, exc):
        if isinstance(exc, services.DuplicatesFound):
            body = {"detail": DUPLICATES_DETAIL, "candidates": exc.candidates}
            response = Response(
                DuplicatesFoundSerializer(body, context=self.get_serializer_context()).data,
                status=status.HTTP_409_CONFLICT,
            )
            response.exception = True
            return response
        if isinstance(exc, DjangoValidationError):
            exc = _api_validation_error(exc)
        return super().handle_exception(exc)


class _ServiceCreateMixin:
    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        self.perform_create(serializer)
        return self.respond(serializer.instance, status.HTTP_201_CREATED)


class _ServiceUpdateMixin:
    def update(self, request, *args, **kwargs):
        partial = kwargs.pop("partial", False)
        serializer = self.get_serializer(self.get_object(), data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        self.perform_update(serializer)
        return self.respond(serializer.instance)

    def partial_update(self, request, *args, **kwargs):
        kwargs["partial"] = True
        return self.update(request, *args, **kwargs)


def _writes_schema(read, write, *, duplicates: bool = False):
    errors = {400: INVALID, **({409: DUPLICATES} if duplicates else {})}
    return extend_schema_view(
        create=extend_schema(request=write, responses={201: read, **errors}),
        update=extend_schema(request=write, responses={200: read, **errors}),
        partial_update=extend_schema(request=write, responses={200: read, **errors}),
    )


@_writes_schema(CustomerSerializer, CustomerSerializer, duplicates=True)
class CustomerViewSet(_ServiceCreateMixin, _ServiceUpdateMixin, _ServiceViewSet):
    """Customers. A new customer (or a changed phone) that shares a phone with another answers 409."""

    serializer_class = CustomerSerializer
    filterset_class = CustomerFilter

    def get_queryset(self):
        return Customer.objects.visible_to(self.request.user).prefetch_related(
            Prefetch("vehicles", queryset=Vehicle.objects.order_by("id"))
        )

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
class VehicleViewSet(_ServiceCreateMixin, _ServiceUpdateMixin, _ServiceViewSet):
    """Vehicles. A known VIN is refused (400); a plate already on another car answers 409."""

    serializer_class = VehicleSerializer
    write_serializer_class = VehicleWriteSerializer
    filterset_class = VehicleFilter

    def get_queryset(self):
        return Vehicle.objects.visible_to(self.request.user).select_related("holder")

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
class SalesArchiveViewSet(_ServiceCreateMixin, _ServiceUpdateMixin, _ServiceViewSet):
    """Closed-deal archives (成交客户档案)."""

    serializer_class = SalesArchiveSerializer
    filterset_class = SalesArchiveFilter

    def get_serializer_class(self):
        if self.action == "create":
            return SalesArchiveSubmitSerializer
        if self.action in ("update", "partial_update"):
            return SalesArchiveUpdateSerializer
        return self.serializer_class

    def get_queryset(self):
        return SalesArchive.objects.visible_to(self.request.user).select_related(
            "vehicle", "customer", "consultant", "submitted_by"
        )

    def perform_create(self, serializer):
        data = services.ArchiveInput(**serializer.validated_data)
        serializer.instance = services.archive_submit(data=data, by=self.request.user)

    def perform_update(self, serializer):
        serializer.instance = services.archive_update(
            archive=serializer.instance, by=self.request.user, **serializer.validated_data
        )


@_writes_schema(ServiceVisitSerializer, ServiceVisitWriteSerializer)
class ServiceVisitViewSet(_ServiceCreateMixin, _ServiceUpdateMixin, _ServiceViewSet):
    """Service visits (repair orders)."""

    serializer_class = ServiceVisitSerializer
    write_serializer_class = ServiceVisitWriteSerializer
    filterset_class = ServiceVisitFilter

    def get_queryset(self):
        return ServiceVisit.objects.visible_to(self.request.user).select_related("vehicle", "customer", "advisor")

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
class PhoneCorrectionViewSet(_ServiceCreateMixin, _ServiceViewSet):
    """Phone corrections: agents propose, customer-service staff apply or reject."""

    serializer_class = PhoneCorrectionSerializer
    write_serializer_class = PhoneCorrectionProposeSerializer
    filterset_class = PhoneCorrectionFilter
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self):
        return PhoneCorrection.objects.visible_to(self.request.user).select_related(
            "customer", "proposed_by", "decided_by"
        )

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
