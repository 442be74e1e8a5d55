"""Reads over OMD imports: the preview rows, the row errors, the error workbook."""

from __future__ import annotations

import io

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font, PatternFill

from customers.models import OmdImport, OmdStagedRow
from customers.omd.stage import PREVIEW_ROWS

PREVIEW_FIELDS = (
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
)


def omd_preview_rows(omd_import: OmdImport, limit: int = PREVIEW_ROWS) -> list[OmdStagedRow]:
    """The first rows of the file as they were mapped, good and rejected, in sheet order.

    Each row's ``action`` says what the import does with it (create, update, unchanged, repeat,
    rejected), judged against the invoices as they are now.
    """
    from customers.omd.plan import row_actions

    rows = list(omd_import.staged_rows.order_by("row_number")[:limit])
    actions = row_actions(import_id=omd_import.pk, columns=omd_import.columns or {}, staged_ids=[r.pk for r in rows])
    for row in rows:
        row.action = actions.get(row.pk, row.action)
    return rows


def omd_row_errors(omd_import: OmdImport, limit: int | None = None) -> list[dict]:
    """Each problem of each rejected row: sheet row, column, value and reason."""
    rows = omd_import.staged_rows.filter(action=OmdStagedRow.Action.REJECTED).order_by("row_number")
    if limit is not None:
        rows = rows[:limit]
    return [
        {
            "row": row.row_number,
            "column": error.get("column", ""),
            "value": error.get("value", ""),
            "reason": error.get("reason", ""),
        }
        for row in rows.only("row_number", "errors")
        for error in (row.errors or [])
    ]


def _original_headers(omd_import: OmdImport) -> list[str]:
    if omd_import.headers:
        return [str(h or "") for h in omd_import.headers]
    if not omd_import.file:  # a refused upload's file is deleted
        return []
    from customers.omd.service import OMD_COLUMNS
    from dealership_cs.spreadsheets import SpreadsheetRefused, open_table

    try:
        with omd_import.file.open("rb") as handle:
            return [
                str(h or "") for h in open_table(handle, file_name=omd_import.file_name, columns=OMD_COLUMNS).headers
            ]
    except (SpreadsheetRefused, OSError, ValueError):
        return []


def omd_error_workbook(omd_import: OmdImport) -> bytes:
    """The rejected rows as an .xlsx: the original row as uploaded, then what is wrong with it.

    The admin fixes the cells in place, deletes the explanation columns and uploads the rows again.
    """
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Rejected rows"))
    headers = _original_headers(omd_import)
    rejected = list(
        omd_import.staged_rows.filter(action=OmdStagedRow.Action.REJECTED)
        .order_by("row_number")
        .only("row_number", "errors", "raw")
    )
    width = max([len(headers)] + [len(row.raw or []) for row in rejected])
    headers = headers + [""] * (width - len(headers))

    def styled(value, **style):
        cell = WriteOnlyCell(sheet, value=value)
        for name, setting in style.items():
            setattr(cell, name, setting)
        return cell

    bold = Font(bold=True)
    title = [*headers, _("Sheet row"), _("Column"), _("Value"), _("Reason")]
    sheet.append([styled(value, font=bold) for value in title])
    yellow = PatternFill("solid", fgColor="FFF2CC")
    for row in rejected:
        raw = list(row.raw or []) + [""] * (width - len(row.raw or []))
        errors = row.errors or [{}]
        sheet.append(
            [
                *raw,
                row.row_number,
                "; ".join(str(e.get("column", "")) for e in errors),
                "; ".join(str(e.get("value", "")) for e in errors),
                styled("; ".join(str(e.get("reason", "")) for e in errors), fill=yellow),
            ]
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
