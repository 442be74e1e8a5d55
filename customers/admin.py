from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from customers.models import (
    Customer,
    CustomerMerge,
    Discrepancy,
    ImportBatch,
    OmdImport,
    OmdInvoice,
    OmdStagedRow,
    PhoneCorrection,
    SalesArchive,
    ServiceVisit,
    Vehicle,
)


@admin.register(Customer)
class CustomerAdmin(SimpleHistoryAdmin):
    list_display = ["name", "mobile", "phone2", "kind", "source", "do_not_call", "created_at"]
    list_filter = ["kind", "source", "do_not_call"]
    search_fields = ["name", "mobile", "phone2"]
    readonly_fields = ["batch"]


@admin.register(Vehicle)
class VehicleAdmin(SimpleHistoryAdmin):
    list_display = ["vin", "plate", "model_name", "holder", "delivery_date"]
    search_fields = ["vin", "plate"]
    raw_id_fields = ["holder"]
    readonly_fields = ["batch"]


@admin.register(SalesArchive)
class SalesArchiveAdmin(SimpleHistoryAdmin):
    list_display = ["invoice_name", "invoice_number", "invoice_date", "invoice_amount", "delivery_date", "consultant"]
    list_filter = ["consultant"]
    search_fields = ["invoice_number", "invoice_name", "vehicle__vin"]
    raw_id_fields = ["vehicle", "customer"]
    list_select_related = ["consultant"]
    readonly_fields = ["batch"]


@admin.register(ServiceVisit)
class ServiceVisitAdmin(SimpleHistoryAdmin):
    list_display = ["ro_number", "vehicle", "kind", "opened_at", "closed_at", "advisor"]
    list_filter = ["kind"]
    search_fields = ["ro_number", "vehicle__vin"]
    raw_id_fields = ["vehicle", "customer"]
    list_select_related = ["vehicle", "advisor"]
    readonly_fields = ["batch"]


@admin.register(PhoneCorrection)
class PhoneCorrectionAdmin(SimpleHistoryAdmin):
    list_display = ["customer", "old_value", "new_value", "status", "proposed_by", "proposed_at"]
    list_filter = ["status"]
    raw_id_fields = ["customer"]


@admin.register(CustomerMerge)
class CustomerMergeAdmin(admin.ModelAdmin):
    list_display = ["survivor", "merged_customer_id", "merged_by", "merged_at"]
    raw_id_fields = ["survivor"]


@admin.register(ImportBatch)
class ImportBatchAdmin(admin.ModelAdmin):
    list_display = ["kind", "file_name", "created_by", "created_at"]
    list_filter = ["kind"]


@admin.register(OmdInvoice)
class OmdInvoiceAdmin(SimpleHistoryAdmin):
    list_display = ["invoice_number", "invoice_date", "customer_name", "vin", "amount", "voided", "batch"]
    list_filter = ["voided"]
    search_fields = ["invoice_number", "vin", "customer_name", "phone"]
    raw_id_fields = ["voided_by", "batch"]


@admin.register(OmdImport)
class OmdImportAdmin(admin.ModelAdmin):
    list_display = [
        "file_name",
        "status",
        "rows_read",
        "created",
        "updated",
        "unchanged",
        "rejected",
        "voided",
        "uploaded_by",
        "uploaded_at",
    ]
    list_filter = ["status"]
    readonly_fields = ["sha256", "size"]


@admin.register(OmdStagedRow)
class OmdStagedRowAdmin(admin.ModelAdmin):
    list_display = ["omd_import", "row_number", "invoice_number", "action"]
    list_filter = ["action"]
    raw_id_fields = ["omd_import"]


@admin.register(Discrepancy)
class DiscrepancyAdmin(SimpleHistoryAdmin):
    list_display = ["type", "month", "archive", "invoice", "consultant", "status", "assignee"]
    list_filter = ["type", "status"]
    raw_id_fields = ["archive", "invoice", "consultant", "assignee"]
