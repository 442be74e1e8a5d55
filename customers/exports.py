"""The customer list exported as staff filtered it on /customers/ (.xlsx through the export writer).

    book, rows = customer_list_workbook(filterset.qs)
    return xlsx_file_response(book, customer_list_export_name(timezone.localdate()))

Rows are read with a server-side iterator, a chunk at a time, as plain values, and go straight
into the write-only sheet (which writes them to disk), so a list of any length is exported in
flat memory. Who exported what is recorded by the view through `export_record_create`.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from customers.models import Customer
from dealership_cs.spreadsheets.writer import ExportWorkbook, Styled

CHUNK_ROWS = 2000
FIELDS = (
    "pk",
    "name",
    "mobile",
    "phone2",
    "gender",
    "birthday",
    "kind",
    "source",
    "do_not_call",
    "do_not_call_reason",
    "address",
    "created_at",
)


def customer_list_export_name(day: date) -> str:
    """The download's name (without .xlsx): 客户清单-2011-08-03.

    Downloads are named in Chinese whatever the page's language: the dealership files them.
    """
    return f"客户清单-{day:%Y-%m-%d}"


def customer_list_workbook(customers: QuerySet[Customer]) -> tuple[ExportWorkbook, int]:
    """The customers, in the queryset's order, one row each; returns the workbook and the number of rows."""
    headers = (
        "#",
        _("Name"),
        _("Mobile"),
        _("Second phone"),
        _("Gender"),
        _("Birthday"),
        _("Type"),
        _("Source"),
        _("Do not call"),
        _("Do-not-call reason"),
        _("Address"),
        _("Created"),
    )
    book = ExportWorkbook()
    sheet = book.sheet(_("Customers"), widths=(8, 14, 14, 14, 6, 12, 8, 8, 8, 24, 30, 17), freeze="A2")
    sheet.append([Styled(header, bold=True, fill="grey") for header in headers])
    sheet.extend(_rows(customers))
    return book, sheet.rows_written - 1


def _rows(customers: QuerySet[Customer]) -> Iterator[list[object]]:
    genders, kinds, sources = (dict(enum.choices) for enum in (Customer.Gender, Customer.Kind, Customer.Source))
    yes = _("Yes")
    rows = customers.values_list(*FIELDS).iterator(chunk_size=CHUNK_ROWS)
    for pk, name, mobile, phone2, gender, birthday, kind, source, dnc, reason, address, created in rows:
        yield [
            pk,
            name,
            mobile,
            phone2,
            str(genders.get(gender, gender)),
            birthday,
            str(kinds.get(kind, kind)),
            str(sources.get(source, source)),
            yes if dnc else "",
            reason,
            address,
            created,
        ]
