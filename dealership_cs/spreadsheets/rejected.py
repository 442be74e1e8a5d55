"""The rows an import rejected, handed back as a workbook to fix and upload again.

    rejected = RejectedTable.of(reader)
    for row in reader.rows():
        ...
        if errors:
            rejected.add(row, errors)
    data = rejected_rows_workbook([rejected])

Each rejected row is written as it was read (its cells under the file's own header row), then
the row number Excel showed, the columns, values and reasons of its errors. The user corrects
the cells in place, deletes the four explanation columns and uploads the rows again. Cells keep
their types and every text goes through the export writer, so a rejected cell that reads
``=HYPERLINK(...)`` comes back as text.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from .model import Row, RowError
from .readers import SheetReader
from .writer import ExportWorkbook, Styled

_REASON_WIDTH = 60
# Rows kept per table: a file whose every row is wrong has one systematic problem to fix first,
# and keeping each row of a 50 MB file would cost the web process hundreds of MB.
ROWS_KEPT_MAX = 10_000
# A CSV row can be as wide as its longest line: past the header, at most this many columns are kept.
_EXTRA_COLUMNS_MAX = 200


@dataclass
class RejectedRow:
    """One rejected row: the number Excel shows, its cells as read, what is wrong with it."""

    number: int
    cells: list[object]
    errors: list[RowError]


@dataclass
class RejectedTable:
    """The rejected rows of one table (one sheet of the workbook handed back)."""

    title: str
    headers: list[str]
    rows: list[RejectedRow] = field(default_factory=list)
    not_kept: int = 0  # rejected rows past ROWS_KEPT_MAX, counted but not written

    @classmethod
    def of(cls, reader: SheetReader, title: str = "") -> RejectedTable:
        """An empty table for the rows `reader` rejects, titled after its sheet unless `title` is given."""
        return cls(title=title or reader.sheet_name or _("Rejected rows"), headers=list(reader.headers))

    def add(self, row: Row, errors: Sequence[RowError]) -> None:
        if len(self.rows) >= ROWS_KEPT_MAX:
            self.not_kept += 1
            return
        self.rows.append(RejectedRow(row.number, list(row.raw), list(errors)))

    def __len__(self) -> int:
        return len(self.rows)


def rejected_rows_workbook(tables: Iterable[RejectedTable]) -> bytes:
    """One sheet per table that has rejected rows (a single empty sheet when none has).

    Rows past ROWS_KEPT_MAX are counted on a last sheet of one text cell, which the imports
    never take for a table when the workbook is uploaded again.
    """
    book = ExportWorkbook()
    not_kept = []
    for table in tables:
        if table.rows:
            _write_table(book, table)
        if table.not_kept:
            not_kept.append((table, table.rows[-1].number))
    if not_kept:
        sheet = book.sheet(_("Not listed"), widths=[120])
        for table, last in not_kept:
            text = _(
                "“%(sheet)s”: %(count)s more rejected rows after row %(row)s are not listed. Correct what the "
                "listed rows have in common in the original file and upload it again."
            ) % {"sheet": table.title, "count": table.not_kept, "row": last}
            sheet.append([text])
    return book.to_bytes()


def _write_table(book: ExportWorkbook, table: RejectedTable) -> None:
    width = max([len(table.headers)] + [len(row.cells) for row in table.rows])
    width = min(width, max(len(table.headers), _EXTRA_COLUMNS_MAX))
    headers = table.headers + [""] * (width - len(table.headers))
    explanation = (_("Sheet row"), _("Column"), _("Value"), _("Reason"))
    sheet = book.sheet(table.title, widths=[14] * width + [10, 16, 16, _REASON_WIDTH], freeze="A2")
    sheet.append(
        [Styled(header, bold=True) for header in headers]
        + [Styled(label, bold=True, fill="yellow") for label in explanation]
    )
    for row in table.rows:
        cells = (row.cells + [None] * width)[:width]
        sheet.append(
            [
                *cells,
                row.number,
                "; ".join(error.column for error in row.errors),
                "; ".join(error.value for error in row.errors),
                Styled("; ".join(error.reason for error in row.errors), fill="yellow", wrap=True),
            ]
        )
