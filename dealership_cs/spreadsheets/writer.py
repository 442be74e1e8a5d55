"""The one export writer: every .xlsx the project hands out is built here.

    book = ExportWorkbook()
    sheet = book.sheet(_("差异清单"), widths=(10, 16), freeze="A2")
    sheet.append([Styled(_("Month"), bold=True), Styled(_("Note"), bold=True)])
    sheet.append(["2011-08", note])          # a note "=HYPERLINK(...)" stays text
    return xlsx_response(book.to_bytes(), _("差异清单-%(month)s") % {...})

Text is always stored as a string cell, never as a formula: openpyxl turns any string that starts
with ``=`` into a formula, so the writer sets the cell type itself. A text that a spreadsheet
program could still take for a formula or a command once the file is edited, re-saved or
exported as CSV (starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return, OWASP's
CSV-injection advice) is prefixed with an apostrophe. Numbers, decimals, dates and times keep
their types; aware date-times are written in the dealership's local time (Excel has no time
zones). Workbooks are written in write-only mode, so a large export streams row by row; with
`xlsx_file_response` the finished file is sent from a temporary file rather than from memory.
A sheet may format columns as text (`text_columns`) and offer a drop-down list (`choice_list`).
The rejected rows of an import are written by `rejected.rejected_rows_workbook` on top of this.
"""

from __future__ import annotations

import datetime as dt
import io
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, BinaryIO
from urllib.parse import quote

from django.http import FileResponse, HttpResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet.datavalidation import DataValidation

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# Leading characters that make a spreadsheet program read a text as a formula or a DDE command.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
# Excel's limits: 31 characters in a sheet name, none of these in it.
_SHEET_NAME_FORBIDDEN = str.maketrans({c: "_" for c in "[]:*?/\\"})
_CELL_TEXT_MAX = 32767
TEXT_FORMAT = "@"  # Excel's number format "Text"

FILLS = {
    "red": PatternFill("solid", fgColor="F8D7DA"),
    "yellow": PatternFill("solid", fgColor="FFF2CC"),
    "green": PatternFill("solid", fgColor="D1E7DD"),
    "grey": PatternFill("solid", fgColor="E9ECEF"),
    "blue": PatternFill("solid", fgColor="DDEBF7"),
}
BOLD = Font(bold=True)


def safe_text(value: str) -> str:
    """The text as it is written to a cell: an apostrophe before a formula trigger, capped at Excel's limit."""
    if value.startswith(FORMULA_TRIGGERS):
        value = "'" + value
    return value[:_CELL_TEXT_MAX]


def cell_value(value: Any) -> Any:
    """A Python value as the writer stores it: None, bool, numbers and dates keep their types, all else is text."""
    if value is None or isinstance(value, bool | int | float | Decimal):
        return value
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value).replace(tzinfo=None)
        return value
    if isinstance(value, dt.date | dt.time):
        return value
    return safe_text(str(value))


_DEFAULT_FORMATS: dict[type, str] = {
    dt.datetime: "yyyy-mm-dd hh:mm",
    dt.date: "yyyy-mm-dd",
}


@dataclass(frozen=True)
class Styled:
    """A value with its look: bold, a fill (``red``, ``yellow``, ``green``, ``grey``), a number format, wrapping."""

    value: Any
    bold: bool = False
    fill: str | None = None
    number_format: str | None = None
    wrap: bool = False


class ExportSheet:
    """One sheet of an export; rows are appended in order and never revisited (write-only)."""

    def __init__(self, sheet: WriteOnlyWorksheet) -> None:
        self._sheet = sheet
        self.rows_written = 0

    def append(self, values: Iterable[Any]) -> None:
        self._sheet.append([self._cell(value) for value in values])
        self.rows_written += 1

    def extend(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.append(row)

    def choice_list(self, cell_range: str, choices: Sequence[str]) -> bool:
        """Offer `choices` as a drop-down list in `cell_range` (e.g. ``"A2:A1001"``); False if Excel cannot.

        Excel keeps a typed list in a formula of at most 255 characters, separated by commas and
        quoted, so a choice holding a comma or a quote, or too long a list, is not offered.
        """
        if not choices or any("," in choice or '"' in choice for choice in choices):
            return False
        formula = '"' + ",".join(choices) + '"'
        if len(formula) > 255:
            return False
        validation = DataValidation(type="list", formula1=formula, allow_blank=True)
        validation.add(cell_range)
        self._sheet.data_validations.append(validation)
        return True

    def _cell(self, value: Any) -> WriteOnlyCell:
        style = value if isinstance(value, Styled) else None
        raw = style.value if style else value
        cell = WriteOnlyCell(self._sheet, value=cell_value(raw))
        if isinstance(cell.value, str):
            # openpyxl marks any text starting with "=" as a formula: undo that, text stays text.
            cell.data_type = "s"
        number_format = (style.number_format if style else None) or _DEFAULT_FORMATS.get(type(cell.value))
        if number_format:
            cell.number_format = number_format
        if style:
            if style.bold:
                cell.font = BOLD
            if style.fill:
                cell.fill = FILLS[style.fill]
            if style.wrap:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
        return cell


class ExportWorkbook:
    """An .xlsx built sheet by sheet through :class:`ExportSheet`, so every cell passes the same rules."""

    def __init__(self) -> None:
        self._workbook = Workbook(write_only=True)
        self._titles: set[str] = set()

    def sheet(
        self,
        title: str,
        *,
        widths: Sequence[float] = (),
        freeze: str | None = None,
        text_columns: Iterable[int] = (),
    ) -> ExportSheet:
        """A new sheet. `text_columns` (1 for column A) are formatted as text, so that what a user types
        into them later (``2010-02``, ``11.10``) stays as typed instead of becoming a date or a number."""
        sheet = self._workbook.create_sheet(self._unique_title(str(title)))
        for index, width in enumerate(widths, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = width
        for index in text_columns:
            sheet.column_dimensions[get_column_letter(index)].number_format = TEXT_FORMAT
        if freeze:
            sheet.freeze_panes = freeze
        return ExportSheet(sheet)

    def _unique_title(self, title: str) -> str:
        base = (title.translate(_SHEET_NAME_FORBIDDEN).strip("'") or "Sheet")[:31]
        candidate, n = base, 2
        while candidate in self._titles:
            suffix = f" ({n})"
            candidate, n = base[: 31 - len(suffix)] + suffix, n + 1
        self._titles.add(candidate)
        return candidate

    def to_bytes(self) -> bytes:
        buffer = io.BytesIO()
        self.save(buffer)
        return buffer.getvalue()

    def save(self, file: BinaryIO) -> None:
        """Write the workbook to a binary file (a large export goes to a temporary file, not to memory)."""
        if not self._titles:
            self.sheet("Sheet")
        self._workbook.save(file)


def export_filename(stem: str, extension: str = ".xlsx") -> str:
    """A download name from a (Chinese) stem: path separators and control characters removed."""
    cleaned = "".join(ch for ch in str(stem) if ch.isprintable() and ch not in '/\\:*?"<>|').strip(" .")
    return (cleaned or "export") + extension


def attachment_header(file_name: str) -> str:
    """A Content-Disposition value that keeps a Chinese name (RFC 6266/5987) with an ASCII fallback."""
    ascii_name = file_name.encode("ascii", "ignore").decode().replace('"', "").strip() or "export"
    if ascii_name.startswith(".") or ascii_name.startswith("-"):
        ascii_name = "export" + ascii_name
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(file_name)}"


def xlsx_response(data: bytes, stem: str) -> HttpResponse:
    """An .xlsx download named after what it holds (e.g. ``差异清单-2011-08.xlsx``)."""
    response = HttpResponse(data, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = attachment_header(export_filename(stem))
    return response


def xlsx_file_response(book: ExportWorkbook, stem: str) -> FileResponse:
    """The same download for a large workbook: saved to a temporary file and sent from it in blocks.

    The rows already went to disk as they were appended (write-only mode); this keeps the
    finished file out of memory too. The file disappears when the response closes it.
    """
    file = tempfile.TemporaryFile()
    try:
        book.save(file)
    except BaseException:
        file.close()
        raise
    file.seek(0)
    response = FileResponse(file, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = attachment_header(export_filename(stem))
    return response
