"""`ledger_import`: read the ledger, check each row, write the good ones in one transaction."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import PureWindowsPath

from django.db import transaction
from django.utils.translation import gettext as _

from customers.ledger.rows import LEDGER_COLUMNS, LedgerRow, parse_row
from customers.ledger.writer import LedgerWriter
from customers.models import ImportBatch
from dealership_cs.spreadsheets import FileSource, RowError, fingerprint, open_table, rewindable
from dealership_cs.spreadsheets.rejected import RejectedTable, rejected_rows_workbook

# Rows are resolved and written this many at a time: a few queries and bulk writes per chunk
# keep both the query count and the memory flat for ledgers of any length.
CHUNK_ROWS = 2000


@dataclass
class LedgerResult:
    """What an import did: archives created / updated / unchanged, rows rejected and why."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    rows_read: int = 0
    customers_created: int = 0
    consultants_created: int = 0
    errors: list[RowError] = field(default_factory=list)
    # The rejected rows as read, for the workbook handed back to fix them (see `error_workbook`).
    rejected_rows: RejectedTable | None = None
    batch: ImportBatch | None = None  # None after a dry run

    def error_workbook(self) -> bytes:
        """The rejected rows as an .xlsx: each row as it was in the file, then what is wrong with it."""
        return rejected_rows_workbook([self.rejected_rows] if self.rejected_rows else [])

    @property
    def counts(self) -> dict[str, int]:
        return {
            "rows_read": self.rows_read,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
            "customers_created": self.customers_created,
            "consultants_created": self.consultants_created,
        }


def error_workbook_name(file_name: str) -> str:
    """The rejected rows' download name (without .xlsx), after what it holds: 成交档案导入错误行-<the file's stem>.

    Downloads are named in Chinese whatever the page's language: the dealership files them.
    """
    # PureWindowsPath: a name uploaded from Windows may carry a path with either separator.
    return f"成交档案导入错误行-{PureWindowsPath(file_name).stem or 'ledger'}"


@transaction.atomic
def ledger_import(*, source: FileSource, file_name: str, by=None, dry_run: bool = False) -> LedgerResult:
    """Import an archive ledger; raise SpreadsheetRefused, storing nothing, if the file cannot be read.

    Each data row is one archive, upserted by VIN. The car's invoice holder stays when the name
    matches; otherwise the buyer is the customer with the same phone and name, else a new
    customer (source "import"). The consultant is the staff member of that name, else a new
    sales consultant. A VIN met again in the same file is skipped when the row is identical and
    rejected when it differs. With `dry_run` everything runs and is rolled back; the counts
    still say what the import would do.
    """
    source = rewindable(source)
    reader = open_table(source, file_name=file_name, columns=LEDGER_COLUMNS)
    batch = ImportBatch.objects.create(
        kind=ImportBatch.Kind.LEDGER,
        file_name=file_name[: ImportBatch._meta.get_field("file_name").max_length],
        sha256=fingerprint(source)[1],
        created_by=by,
    )
    writer = LedgerWriter(batch=batch, by=by)
    result = LedgerResult(rejected_rows=RejectedTable.of(reader))
    first_seen: dict[str, LedgerRow] = {}
    chunk: list[LedgerRow] = []
    for row in reader.rows():
        result.rows_read += 1
        parsed, errors = parse_row(reader, row)
        if parsed is not None:
            earlier = first_seen.setdefault(parsed.vin, parsed)
            if earlier is parsed:
                chunk.append(parsed)
            elif earlier != parsed:
                reason = _("this VIN is already in row %(row)s with different values") % {"row": earlier.row}
                errors = [reader.error(row, "vin", reason)]
            # Otherwise the same sale is listed twice: it counts once.
        if errors:
            result.errors.extend(errors)
            result.rejected_rows.add(row, errors)
            result.rejected += 1
        if len(chunk) >= CHUNK_ROWS:
            writer.write(chunk)
            chunk = []
    if chunk:
        writer.write(chunk)

    result.created, result.updated, result.unchanged = writer.created, writer.updated, writer.unchanged
    result.customers_created, result.consultants_created = writer.customers_created, writer.consultants_created
    if dry_run:
        transaction.set_rollback(True)
        return result
    batch.counts = result.counts
    batch.save(update_fields=["counts"])
    result.batch = batch
    return result
