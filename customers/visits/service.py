"""`visit_import`: read the repair-order export, check each row, write the good ones in one transaction."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import PureWindowsPath

from django.db import connection, transaction
from django.utils.translation import gettext as _

from customers.models import ImportBatch
from customers.visits.rows import VISIT_COLUMNS, VisitRow, parse_row
from customers.visits.writer import VisitWriter
from dealership_cs.spreadsheets import FileSource, Row, RowError, fingerprint, open_table, rewindable
from dealership_cs.spreadsheets.rejected import RejectedTable, rejected_rows_workbook

# Rows are resolved and written this many at a time: a few queries and bulk writes per chunk
# keep both the query count and the memory flat for exports of any length.
CHUNK_ROWS = 2000
# Two repair-order imports at once would both create the same new RO numbers and cars; on
# PostgreSQL the second waits for the first (SQLite's IMMEDIATE transactions already do).
_ADVISORY_LOCK_KEY = 0x5649_5349  # "VISI"


@dataclass
class VisitResult:
    """What an import did: visits created / updated / unchanged, rows rejected and why."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    rows_read: int = 0
    customers_created: int = 0
    vehicles_created: int = 0
    advisors_created: int = 0
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
            "vehicles_created": self.vehicles_created,
            "advisors_created": self.advisors_created,
        }

    def _reject(self, row: Row, errors: list[RowError]) -> None:
        self.rejected += 1
        self.errors.extend(errors)
        if self.rejected_rows is not None:
            self.rejected_rows.add(row, errors)


def error_workbook_name(file_name: str) -> str:
    """The rejected rows' download name (without .xlsx), after what it holds: 工单导入错误行-<the file's stem>.

    Downloads are named in Chinese whatever the page's language, as the ledger import's are.
    """
    # PureWindowsPath: a name uploaded from Windows may carry a path with either separator.
    return f"工单导入错误行-{PureWindowsPath(file_name).stem or 'visits'}"


@transaction.atomic
def visit_import(*, source: FileSource, file_name: str, by=None, dry_run: bool = False) -> VisitResult:
    """Import a DMS repair-order export; raise SpreadsheetRefused, storing nothing, if the file cannot be read.

    Each data row is one service visit, upserted by its RO number (工单号). An unknown VIN creates
    the car and its customer, an unknown advisor a service advisor (see `customers.visits.writer`
    for who the customer is). An RO met again in the same file is skipped when the row is
    identical and rejected when it differs. With `dry_run` everything runs and is rolled back;
    the counts still say what the import would do.
    """
    source = rewindable(source)
    reader = open_table(source, file_name=file_name, columns=VISIT_COLUMNS)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_ADVISORY_LOCK_KEY])
    batch = ImportBatch.objects.create(
        kind=ImportBatch.Kind.VISITS,
        file_name=file_name[: ImportBatch._meta.get_field("file_name").max_length],
        sha256=fingerprint(source)[1],
        created_by=by,
    )
    writer = VisitWriter(batch=batch, by=by)
    result = VisitResult(rejected_rows=RejectedTable.of(reader))
    first_seen: dict[str, VisitRow] = {}
    chunk: dict[int, tuple[VisitRow, Row]] = {}

    def flush() -> None:
        refused = writer.write([parsed for parsed, _row in chunk.values()])
        for parsed, key, reason in refused:
            row = chunk[parsed.row][1]
            result._reject(row, [reader.error(row, key, reason)])
        chunk.clear()

    for row in reader.rows():
        result.rows_read += 1
        parsed, errors = parse_row(reader, row)
        if parsed is not None:
            earlier = first_seen.setdefault(parsed.ro_number, parsed)
            if earlier is parsed:
                chunk[row.number] = (parsed, row)
            elif earlier != parsed:
                reason = _("this RO number is already in row %(row)s with different values") % {"row": earlier.row}
                errors = [reader.error(row, "ro_number", reason)]
            # Otherwise the same RO is listed twice: it counts once.
        if errors:
            result._reject(row, errors)
        if len(chunk) >= CHUNK_ROWS:
            flush()
    if chunk:
        flush()
    # Rows refused while writing come after those refused while reading: keep the file's order.
    result.rejected_rows.rows.sort(key=lambda rejected: rejected.number)
    result.errors.sort(key=lambda error: error.row)

    result.created, result.updated, result.unchanged = writer.created, writer.updated, writer.unchanged
    result.customers_created = writer.customers_created
    result.vehicles_created = writer.vehicles_created
    result.advisors_created = writer.advisors_created
    if dry_run:
        transaction.set_rollback(True)
        return result
    batch.counts = result.counts
    batch.save(update_fields=["counts"])
    result.batch = batch
    return result
