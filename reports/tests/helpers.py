"""Archives and OMD invoices for the reconciliation tests, and a short way to run it.

An archive is delivered in August 2011 unless told otherwise; ``paired`` writes the OMD invoice
that matches it exactly (same number, VIN, name and amount, invoiced the day after delivery),
with any field overridden.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from customers.models import Discrepancy, OmdInvoice, SalesArchive
from customers.tests.factories import SalesArchiveFactory, VehicleFactory
from customers.validators import name_key
from reports.services import RunResult, accuracy_reconcile

AUGUST = date(2011, 8, 1)
DELIVERED = date(2011, 8, 10)
# Before the August freeze day (5 September): runs on this day never freeze August.
TODAY = date(2011, 9, 3)
PRICE = Decimal("129800.00")


def make_archive(
    *,
    delivered: date = DELIVERED,
    number: str | None = None,
    name: str = "张伟",
    amount: Decimal = PRICE,
    consultant=None,
) -> SalesArchive:
    extra = {"invoice_number": number} if number else {}
    if consultant is not None:
        extra["consultant"] = consultant
    return SalesArchiveFactory(
        vehicle=VehicleFactory(delivery_date=delivered),
        delivery_date=delivered,
        invoice_name=name,
        invoice_amount=amount,
        invoice_date=delivered,
        **extra,
    )


def make_invoice(
    *,
    number: str,
    invoice_date: date,
    vin: str,
    name: str = "张伟",
    amount: Decimal = PRICE,
    voided: bool = False,
    original: str = "",
) -> OmdInvoice:
    return OmdInvoice.objects.create(
        invoice_number=number,
        invoice_date=invoice_date,
        customer_name=name,
        customer_name_key=name_key(name),
        vin=vin,
        amount=amount,
        voided=voided,
        original_invoice_number=original,
    )


def paired(archive: SalesArchive, *, days_after: int = 1, **overrides) -> OmdInvoice:
    fields = {
        "number": archive.invoice_number,
        "invoice_date": archive.delivery_date + timedelta(days=days_after),
        "vin": archive.vehicle.vin,
        "name": archive.invoice_name,
        "amount": archive.invoice_amount,
    }
    fields.update(overrides)
    return make_invoice(**fields)


def run(today: date = TODAY, **kwargs) -> RunResult:
    kwargs.setdefault("freeze", False)
    return accuracy_reconcile(today=today, **kwargs)


def found(**filters) -> set[tuple]:
    """(type, archive id or None, invoice id or None) of the discrepancies not closed."""
    rows = Discrepancy.objects.exclude(status=Discrepancy.Status.CLOSED).filter(**filters)
    return set(rows.values_list("type", "archive_id", "invoice_id"))
