"""API views of the organisation: thin, writes through services."""

from drf_spectacular.utils import extend_schema
from rest_framework import viewsets
from rest_framework.response import Response
from rest_framework.views import APIView

from dealership_cs import services
from dealership_cs.api.serializers import MeSerializer, StaffSerializer
from dealership_cs.filters import StaffFilter
from dealership_cs.models import Staff


class StaffViewSet(viewsets.ModelViewSet):
    serializer_class = StaffSerializer
    filterset_class = StaffFilter
    ordering_fields = ["name", "department", "employee_number"]
    queryset = Staff.objects.all()

    def get_queryset(self):
        return Staff.objects.visible_to(self.request.user).order_by("name", "id")

    def perform_create(self, serializer):
        serializer.instance = services.staff_create(**serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.staff_update(staff=serializer.instance, **serializer.validated_data)


class MeView(APIView):
    """Who is calling, with their roles (clients use it to shape their menus)."""

    @extend_schema(responses=MeSerializer)
    def get(self, request):
        return Response(MeSerializer(request.user).data)
