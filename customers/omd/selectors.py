"""Reads over OMD imports: who sees which, an import's page, the preview rows, the row errors and
held-back reverts, the error workbook."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import PurePath

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from customers.models import OmdImport, OmdInvoice, OmdStagedRow
from customers.omd.stage import PREVIEW_ROWS
from dealership_cs.spreadsheets.writer import ExportWorkbook, Styled

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


def omd_imports_for(user) -> QuerySet[OmdImport]:
    """The imports the user may see, newest first, with their uploader."""
    return OmdImport.objects.visible_to(user).select_related("uploaded_by", "confirmed_by").order_by("-id")


def omd_import_for(*, user, pk: int) -> OmdImport | None:
    """One import, if the user may see it."""
    return omd_imports_for(user).filter(pk=pk).first()


@dataclass(frozen=True)
class RevertedRow:
    """A row held back because it would bring back values a later import replaced."""

    row_number: int
    invoice_number: str
    # (field's verbose name, the file's value, the stored value) for each value that differs.
    differences: list[tuple[str, object, object]]
    newer_import_id: int | None
    newer_import_name: str


@dataclass(frozen=True)
class OmdImportPage:
    """What an import's page shows besides the import itself."""

    omd_import: OmdImport
    preview_rows: list[OmdStagedRow] = field(default_factory=list)
    row_errors: list[dict] = field(default_factory=list)
    reverted_rows: list[RevertedRow] = field(default_factory=list)

    @property
    def frozen_note(self) -> str:
        return frozen_months_note(self.omd_import) if self.omd_import.frozen_rows else ""


# The states whose staged rows still say what the import does or did.
WITH_ROWS = (OmdImport.Status.PREVIEWED, OmdImport.Status.CONFIRMED, OmdImport.Status.IMPORTING, OmdImport.Status.DONE)


def omd_import_page(omd_import: OmdImport) -> OmdImportPage:
    """The preview (while waiting for confirmation), the row errors and the held-back reverts."""
    if omd_import.status not in WITH_ROWS:
        return OmdImportPage(omd_import)
    return OmdImportPage(
        omd_import,
        # What the import would do with each row is only meaningful before it is done.
        preview_rows=omd_preview_rows(omd_import) if omd_import.status == OmdImport.Status.PREVIEWED else [],
        row_errors=omd_row_errors(omd_import, limit=200),
        reverted_rows=omd_reverted_rows(omd_import, limit=200) if omd_import.reverted else [],
    )


def omd_reverted_rows(omd_import: OmdImport, limit: int | None = None) -> list[RevertedRow]:
    """The rows held back as reverts, in sheet order, each with the import whose newer values it would undo."""
    from customers.omd.plan import compared_fields

    rows = omd_import.staged_rows.filter(reverts_import_id__isnull=False).order_by("row_number")
    if limit is not None:
        rows = rows[:limit]
    rows = list(rows)
    if not rows:
        return []
    invoices = {
        invoice.invoice_number: invoice
        for invoice in OmdInvoice.objects.filter(invoice_number__in=[row.invoice_number for row in rows])
    }
    newer = dict(
        OmdImport.objects.filter(pk__in={row.reverts_import_id for row in rows}).values_list("pk", "file_name")
    )
    fields = compared_fields(omd_import.columns or {})
    result = []
    for row in rows:
        invoice = invoices.get(row.invoice_number)
        differences = [
            (str(OmdInvoice._meta.get_field(name).verbose_name), getattr(row, name), getattr(invoice, name))
            for name in fields
            if invoice is not None and getattr(row, name) != getattr(invoice, name)
        ]
        result.append(
            RevertedRow(
                row_number=row.row_number,
                invoice_number=row.invoice_number,
                differences=differences,
                newer_import_id=row.reverts_import_id if row.reverts_import_id in newer else None,
                newer_import_name=newer.get(row.reverts_import_id, ""),
            )
        )
    return result


def frozen_months_note(omd_import: OmdImport) -> str:
    """Why an import reconciles fewer rows than it brings: how many fall in frozen months, and which."""
    return ngettext(
        "%(count)d row falls in a frozen month (%(months)s): the reconciliation does not look at frozen months "
        "until an administrator reopens them on the accuracy page.",
        "%(count)d rows fall in frozen months (%(months)s): the reconciliation does not look at frozen months "
        "until an administrator reopens them on the accuracy page.",
        omd_import.frozen_rows,
    ) % {"count": omd_import.frozen_rows, "months": ", ".join(omd_import.frozen_months)}


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
    Written through the one export writer, so a cell holding ``=HYPERLINK(…)`` stays text.
    """
    book = ExportWorkbook()
    sheet = book.sheet(_("Rejected rows"), freeze="A2")
    headers = _original_headers(omd_import)
    rejected = list(
        omd_import.staged_rows.filter(action=OmdStagedRow.Action.REJECTED)
        .order_by("row_number")
        .only("row_number", "errors", "raw")
    )
    width = max([len(headers)] + [len(row.raw or []) for row in rejected])
    headers = headers + [""] * (width - len(headers))
    title = [*headers, _("Sheet row"), _("Column"), _("Value"), _("Reason")]
    sheet.append([Styled(value, bold=True) for value in title])
    for row in rejected:
        raw = [_raw_cell(text) for text in row.raw or []]
        raw += [""] * (width - len(raw))
        errors = row.errors or [{}]
        sheet.append(
            [
                *raw,
                row.row_number,
                "; ".join(str(e.get("column", "")) for e in errors),
                "; ".join(str(e.get("value", "")) for e in errors),
                Styled("; ".join(str(e.get("reason", "")) for e in errors), fill="yellow"),
            ]
        )
    return book.to_bytes()


# A cell read as a plain (negative) number: written back as a number, so a red-letter amount
# survives the round trip instead of becoming a text with the writer's protective apostrophe.
_PLAIN_NUMBER = re.compile(r"-?[0-9]+(?:\.[0-9]+)?", re.ASCII)


def _raw_cell(text: object) -> object:
    if isinstance(text, str) and text.startswith("-") and _PLAIN_NUMBER.fullmatch(text):
        return Decimal(text)
    return text


def omd_error_workbook_name(omd_import: OmdImport) -> str:
    """The error workbook's download name (without .xlsx): the uploaded file's stem, then 错误行.

    Downloads are named in Chinese whatever the page's language: the dealership files them.
    """
    stem = PurePath(omd_import.file_name.replace("\\", "/")).stem or "OMD"
    return f"{stem}-错误行"
