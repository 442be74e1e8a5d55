"""API views of the organisation: thin, writes through services."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework.decorators import action
from rest_framework.filters import OrderingFilter
from rest_framework.response import Response

from dealership_cs import services
from dealership_cs.api.base import BaseAPIView, BaseViewSet, CreateMixin, DestroyMixin, UpdateMixin
from dealership_cs.api.serializers import MeSerializer, StaffRecordsConflictSerializer, StaffSerializer
from dealership_cs.filters import StaffFilter
from dealership_cs.models import Staff

_STATE = {"request": None, "responses": {200: StaffSerializer, 400: OpenApiResponse(description=_("Already so."))}}


@extend_schema_view(
    destroy=extend_schema(
        responses={
            204: None,
            409: OpenApiResponse(
                StaffRecordsConflictSerializer,
                description=_("Records still name this person: deactivate them instead (the records are listed)."),
            ),
        },
        description=_("Delete a staff member whom no record names (a mistaken entry)."),
    ),
)
class StaffViewSet(CreateMixin, UpdateMixin, DestroyMixin, BaseViewSet):
    """The staff directory. People who have records are deactivated, not deleted."""

    queryset = Staff.objects.order_by("name", "id")
    serializer_class = StaffSerializer
    filterset_class = StaffFilter
    filter_backends = [*BaseViewSet.filter_backends, OrderingFilter]
    ordering_fields = ["name", "department", "employee_number"]

    def perform_create(self, serializer):
        serializer.instance = services.staff_create(**serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.staff_update(staff=serializer.instance, **serializer.validated_data)

    def perform_destroy(self, instance):
        services.staff_delete(staff=instance, by=self.request.user)

    @extend_schema(**_STATE, description=_("Deactivate someone who left: out of every choice list, still on records."))
    @action(detail=True, methods=["post"], required_perms=["dealership_cs.change_staff"])
    def deactivate(self, request, pk=None):
        return self.respond(services.staff_deactivate(staff=self.get_object(), by=request.user))

    @extend_schema(**_STATE, description=_("Reactivate someone who is back: offered in the choice lists again."))
    @action(detail=True, methods=["post"], required_perms=["dealership_cs.change_staff"])
    def reactivate(self, request, pk=None):
        return self.respond(services.staff_reactivate(staff=self.get_object(), by=request.user))


class MeView(BaseAPIView):
    """Who is calling, with their roles (clients use it to shape their menus)."""

    @extend_schema(responses=MeSerializer)
    def get(self, request):
        return Response(MeSerializer(request.user).data)
