"""Customer records and the manufacturer's (OMD) invoice records."""

from customers.models.omd import OmdImport, OmdInvoice, OmdStagedRow
from customers.models.reconcile import Discrepancy
from customers.models.records import (
    Customer,
    CustomerMerge,
    ImportBatch,
    PhoneCorrection,
    SalesArchive,
    ServiceVisit,
    Vehicle,
    VisibleToRolesQuerySet,
)

__all__ = [
    "Customer",
    "CustomerMerge",
    "Discrepancy",
    "ImportBatch",
    "OmdImport",
    "OmdInvoice",
    "OmdStagedRow",
    "PhoneCorrection",
    "SalesArchive",
    "ServiceVisit",
    "Vehicle",
    "VisibleToRolesQuerySet",
]
