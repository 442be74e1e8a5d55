"""API of the OMD invoice imports (administrators) and the OMD invoices (every role reads)."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from customers.filters import OmdImportFilter, OmdInvoiceFilter
from customers.models import OmdImport, OmdInvoice
from customers.omd.selectors import omd_row_errors
from customers.tasks import schedule_omd_apply, schedule_omd_validate
from dealership_cs.api.base import BaseViewSet


class OmdInvoiceSerializer(serializers.ModelSerializer):
    class Meta:
        model = OmdInvoice
        fields = [
            "id",
            "invoice_number",
            "invoice_date",
            "customer_name",
            "phone",
            "vin",
            "model_name",
            "amount",
            "consultant_name",
            "dealer_code",
            "entered_at",
            "voided",
            "voided_by",
            "batch",
            "updated_at",
        ]


class OmdImportSerializer(serializers.ModelSerializer):
    row_errors = serializers.SerializerMethodField(help_text=_("The first 100 row errors."))

    class Meta:
        model = OmdImport
        fields = [
            "id",
            "file_name",
            "size",
            "sha256",
            "status",
            "dry_run",
            "progress",
            "rows_read",
            "created",
            "updated",
            "unchanged",
            "rejected",
            "voided",
            "message",
            "uploaded_by",
            "uploaded_at",
            "confirmed_by",
            "confirmed_at",
            "started_at",
            "finished_at",
            "row_errors",
        ]
        read_only_fields = fields

    def get_row_errors(self, obj) -> list[dict[str, str]]:
        if obj.status not in (OmdImport.Status.PREVIEWED, OmdImport.Status.IMPORTING, OmdImport.Status.DONE):
            return []
        return omd_row_errors(obj, limit=100)


class OmdUploadSerializer(serializers.Serializer):
    file = serializers.FileField()
    dry_run = serializers.BooleanField(default=False, help_text=_("Check the file and preview; never import."))


class OmdInvoiceViewSet(BaseViewSet):
    serializer_class = OmdInvoiceSerializer
    filterset_class = OmdInvoiceFilter
    queryset = OmdInvoice.objects.all()

    def get_queryset(self):
        return OmdInvoice.objects.visible_to(self.request.user).order_by("-invoice_date", "-id")


class OmdImportViewSet(mixins.CreateModelMixin, BaseViewSet):
    """Upload an OMD export; a worker validates it (poll the import for progress), then confirm."""

    serializer_class = OmdImportSerializer
    filterset_class = OmdImportFilter
    queryset = OmdImport.objects.all()
    parser_classes = [MultiPartParser, FormParser]
    required_perms = None  # set per action; RoleModelPermissions reads it

    def get_queryset(self):
        return OmdImport.objects.visible_to(self.request.user).select_related("uploaded_by").order_by("-id")

    @extend_schema(
        request=OmdUploadSerializer,
        responses={202: OmdImportSerializer, 400: OpenApiResponse(description=_("Refused file."))},
    )
    def create(self, request, *args, **kwargs):
        from customers.omd.service import omd_import_create
        from dealership_cs.spreadsheets import SpreadsheetRefused

        upload = OmdUploadSerializer(data=request.data)
        upload.is_valid(raise_exception=True)
        file = upload.validated_data["file"]
        try:
            with transaction.atomic():
                omd_import = omd_import_create(
                    source=file, file_name=file.name, by=request.user, dry_run=upload.validated_data["dry_run"]
                )
                schedule_omd_validate(omd_import.pk)
        except SpreadsheetRefused as exc:
            raise ValidationError({"file": [exc.message]}) from None
        return Response(OmdImportSerializer(omd_import).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(request=None, responses={202: OmdImportSerializer})
    @action(detail=True, methods=["post"], required_perms=["customers.change_omdimport"])
    def confirm(self, request, pk=None):
        from customers.omd.service import omd_import_confirm

        omd_import = self.get_object()
        try:
            with transaction.atomic():
                omd_import = omd_import_confirm(omd_import=omd_import, by=request.user)
                schedule_omd_apply(omd_import.pk)
        except DjangoValidationError as exc:
            raise ValidationError({"detail": exc.messages}) from None
        return Response(OmdImportSerializer(omd_import).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(request=None, responses={200: OmdImportSerializer})
    @action(detail=True, methods=["post"], required_perms=["customers.change_omdimport"])
    def cancel(self, request, pk=None):
        from customers.omd.service import omd_import_cancel

        omd_import = self.get_object()
        try:
            omd_import = omd_import_cancel(omd_import=omd_import, by=request.user)
        except DjangoValidationError as exc:
            raise ValidationError({"detail": exc.messages}) from None
        return Response(OmdImportSerializer(omd_import).data)
