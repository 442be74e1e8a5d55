"""API of the OMD invoice imports (administrators) and the OMD invoices (every role reads)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from customers.filters import OmdImportFilter, OmdInvoiceFilter
from customers.models import OmdImport, OmdInvoice
from customers.omd.selectors import WITH_ROWS, omd_reverted_rows, omd_row_errors
from customers.omd.service import omd_import_cancel, omd_import_confirm, omd_import_upload
from dealership_cs.api.base import BaseViewSet
from dealership_cs.spreadsheets import SpreadsheetRefused


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


class OmdRowErrorSerializer(serializers.Serializer):
    """One problem of one rejected row."""

    row = serializers.IntegerField(help_text=_("The row's number in the sheet, as the spreadsheet program shows it."))
    column = serializers.CharField(help_text=_("The column's header in the file."))
    value = serializers.CharField(help_text=_("The cell as read."))
    reason = serializers.CharField()


class OmdRevertedRowSerializer(serializers.Serializer):
    """A row held back because it would bring back values a later import replaced."""

    row = serializers.IntegerField(source="row_number", help_text=_("The row's number in the sheet."))
    invoice_number = serializers.CharField()
    newer_import = serializers.IntegerField(
        source="newer_import_id", allow_null=True, help_text=_("The import that made the newer change.")
    )


class OmdImportSerializer(serializers.ModelSerializer):
    row_errors = serializers.SerializerMethodField(help_text=_("The first 100 row errors."))
    reverted_rows = serializers.SerializerMethodField(
        help_text=_("The first 100 rows held back because they would revert a later import's values.")
    )
    stuck = serializers.BooleanField(read_only=True, help_text=_("Running, but its worker stopped answering."))

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
            "reverted",
            "allow_revert",
            "frozen_rows",
            "frozen_months",
            "message",
            "attempts",
            "stuck",
            "uploaded_by",
            "uploaded_at",
            "confirmed_by",
            "confirmed_at",
            "started_at",
            "heartbeat_at",
            "finished_at",
            "row_errors",
            "reverted_rows",
        ]
        read_only_fields = fields

    @extend_schema_field(OmdRowErrorSerializer(many=True))
    def get_row_errors(self, obj) -> list[dict[str, int | str]]:
        return omd_row_errors(obj, limit=100) if obj.status in WITH_ROWS else []

    @extend_schema_field(OmdRevertedRowSerializer(many=True))
    def get_reverted_rows(self, obj) -> list[dict]:
        if obj.status not in WITH_ROWS or not obj.reverted:
            return []
        return OmdRevertedRowSerializer(omd_reverted_rows(obj, limit=100), many=True).data


class OmdUploadSerializer(serializers.Serializer):
    file = serializers.FileField()
    dry_run = serializers.BooleanField(default=False, help_text=_("Check the file and preview; never import."))


class OmdConfirmSerializer(serializers.Serializer):
    allow_revert = serializers.BooleanField(
        default=False,
        help_text=_(
            "Also write, as updates, the rows that would revert values a later import replaced "
            "(otherwise they are held back and counted as reverted)."
        ),
    )


class OmdInvoiceViewSet(BaseViewSet):
    serializer_class = OmdInvoiceSerializer
    filterset_class = OmdInvoiceFilter
    queryset = OmdInvoice.objects.order_by("-invoice_date", "-id")


class OmdImportViewSet(mixins.CreateModelMixin, BaseViewSet):
    """Upload an OMD export; a worker validates it (poll the import for progress), then confirm."""

    serializer_class = OmdImportSerializer
    filterset_class = OmdImportFilter
    queryset = OmdImport.objects.select_related("uploaded_by", "confirmed_by").order_by("-id")
    parser_classes = [MultiPartParser, FormParser, JSONParser]
    required_perms = None  # set per action; RoleModelPermissions reads it

    @extend_schema(
        request=OmdUploadSerializer,
        responses={202: OmdImportSerializer, 400: OpenApiResponse(description=_("Refused file."))},
    )
    def create(self, request, *args, **kwargs):
        upload = OmdUploadSerializer(data=request.data)
        upload.is_valid(raise_exception=True)
        file = upload.validated_data["file"]
        try:
            omd_import = omd_import_upload(
                source=file, file_name=file.name, by=request.user, dry_run=upload.validated_data["dry_run"]
            )
        except SpreadsheetRefused as exc:
            raise ValidationError({"file": [exc.message]}) from None
        return Response(OmdImportSerializer(omd_import).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(request=OmdConfirmSerializer, responses={202: OmdImportSerializer})
    @action(detail=True, methods=["post"], required_perms=["customers.change_omdimport"])
    def confirm(self, request, pk=None):
        options = OmdConfirmSerializer(data=request.data)
        options.is_valid(raise_exception=True)
        omd_import = omd_import_confirm(
            omd_import=self.get_object(), by=request.user, allow_revert=options.validated_data["allow_revert"]
        )
        return Response(OmdImportSerializer(omd_import).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(request=None, responses={200: OmdImportSerializer})
    @action(detail=True, methods=["post"], required_perms=["customers.change_omdimport"])
    def cancel(self, request, pk=None):
        """Cancel an import that waits for a worker or for confirmation, or whose worker stopped answering."""
        omd_import = omd_import_cancel(omd_import=self.get_object(), by=request.user)
        return Response(OmdImportSerializer(omd_import).data)
