"""Reading an OMD export into staged rows: every data row, accepted or rejected, in batches.

The rows are written in chunks, each in its own transaction with the progress update, so the
upload page can follow the worker; a worker killed half-way leaves some chunks behind, which
the next attempt deletes before it starts again (`delete_staged_rows`). PostgreSQL receives
each chunk through COPY from a generated text buffer; SQLite (tests, small installs) through
`executemany` of the same tuples.

On PostgreSQL the reading and checking (Python, one core) runs in a thread of its own, a chunk
or two ahead of the writing: while this thread waits for the server to take a chunk (the GIL
released), the next chunk is being read, and the server works on the other core. The thread
touches no database connection; every statement stays on the caller's thread and transaction.
"""

from __future__ import annotations

import io
import json
import queue
import threading
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager, nullcontext
from dataclasses import dataclass, field
from typing import BinaryIO

from django.db import connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from customers.models import OmdImport, OmdStagedRow
from customers.omd.columns import OMD_COLUMNS, Parsed, RowParser
from customers.validators import name_key
from dealership_cs.spreadsheets import Row, SheetReader, cell_text, open_table

CHUNK_ROWS = 10_000
# At most this many progress updates per file (plus the final one).
PROGRESS_STEPS = 20

STAGED_TABLE = OmdStagedRow._meta.db_table
# The first rows of a file, as read, that an import's page shows (and housekeeping keeps).
PREVIEW_ROWS = 20
# Column order of both the COPY text and the INSERT parameters.
STAGED_COLUMNS = (
    "omd_import_id",
    "row_number",
    "invoice_number",
    "invoice_date",
    "customer_name",
    "customer_name_key",
    "phone",
    "vin",
    "model_name",
    "amount",
    "consultant_name",
    "dealer_code",
    "entered_at",
    "original_invoice_number",
    "action",
    "voids_number",
    "voided_by_number",
    "errors",
    "raw",
)

ACCEPTED = ""  # planned against the invoices when needed (plan.py)
REPEAT = OmdStagedRow.Action.REPEAT.value
REJECTED = OmdStagedRow.Action.REJECTED.value

_NULL = "\\N"  # COPY's text format for NULL
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_text(value: str) -> str:
    """A text value for COPY's text format (validated names never hold tabs or newlines, but may hold a backslash)."""
    return value.translate(_COPY_ESCAPES) if "\\" in value or "\t" in value or "\n" in value or "\r" in value else value


@dataclass
class StageStats:
    """What reading a file gave, and where the time went (logged, and read by the benchmark)."""

    rows_read: int = 0
    rejected: int = 0
    read_and_parse_seconds: float = 0.0
    write_seconds: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)


# Names repeat down an export (the same customer buying twice, common names); their keys are
# computed once per distinct name, up to this many.
_NAME_KEYS_LIMIT = 50_000


@dataclass
class Chunk:
    """Rows ready to write (COPY text lines or INSERT parameters) and the progress they bring."""

    lines: list[str]
    params: list[tuple]
    rows_read: int
    progress: int | None
    final: bool = False


class StageWriter:
    """Buffers staged rows into chunks and writes them (COPY on PostgreSQL, executemany elsewhere)."""

    def __init__(self, import_id: int, *, copy: bool) -> None:
        self.import_id = import_id
        self.copy = copy
        self._import = str(import_id)
        self._lines: list[str] = []
        self._params: list[tuple] = []
        self._name_keys: dict[str, str] = {}
        self._held: Chunk | None = None
        self.pending = 0
        self.seconds = 0.0

    def _name_key(self, name: str) -> str:
        key = self._name_keys.get(name)
        if key is None:
            key = name_key(name)
            if len(self._name_keys) < _NAME_KEYS_LIMIT:
                self._name_keys[name] = key
        return key

    def add_accepted(self, number: int, parsed: Parsed, action: str) -> None:
        (
            invoice_number,
            invoice_date,
            customer_name,
            phone,
            vin,
            model_name,
            amount,
            consultant_name,
            dealer_code,
            entered_at,
            original,
        ) = parsed
        key = self._name_key(customer_name)
        self.pending += 1
        if self.copy:
            self._lines.append(
                "\t".join(
                    (
                        self._import,
                        str(number),
                        invoice_number,
                        invoice_date.isoformat(),
                        _copy_text(customer_name),
                        _copy_text(key),
                        phone,
                        vin,
                        _copy_text(model_name),
                        str(amount),
                        _copy_text(consultant_name),
                        dealer_code,
                        _NULL if entered_at is None else entered_at.isoformat(),
                        original,
                        action,
                        "",
                        "",
                        "[]",
                        "[]\n",
                    )
                )
            )
        else:
            self._params.append(
                (
                    self.import_id,
                    number,
                    invoice_number,
                    invoice_date.isoformat(),
                    customer_name,
                    key,
                    phone,
                    vin,
                    model_name,
                    str(amount),
                    consultant_name,
                    dealer_code,
                    None if entered_at is None else entered_at.isoformat(),
                    original,
                    action,
                    "",
                    "",
                    "[]",
                    "[]",
                )
            )

    def add_rejected(self, number: int, errors: list[dict[str, str]], raw: list[str]) -> None:
        values = (
            self.import_id,
            number,
            "",
            None,
            "",
            "",
            "",
            "",
            "",
            None,
            "",
            "",
            None,
            "",
            REJECTED,
            "",
            "",
            json.dumps(errors, ensure_ascii=False),
            json.dumps(raw, ensure_ascii=False),
        )
        self.pending += 1
        if self.copy:
            texts = (_NULL if value is None else _copy_text(str(value)) for value in values)
            self._lines.append("\t".join(texts) + "\n")
        else:
            self._params.append(values)

    def take(self, rows_read: int, progress: int | None, *, final: bool = False) -> Chunk:
        """The buffered rows as a chunk; the buffer starts again empty (the reading side)."""
        chunk = Chunk(self._lines, self._params, rows_read, progress, final)
        self._lines, self._params, self.pending = [], [], 0
        return chunk

    def hold(self, chunk: Chunk) -> None:
        """The chunk the next `flush` writes (the writing side)."""
        self._held = chunk

    def flush(self) -> None:
        """Write the held chunk's rows (the caller holds the transaction)."""
        chunk, self._held = self._held, None
        if chunk is None or not (chunk.lines or chunk.params):
            return
        started = time.perf_counter()
        columns = ", ".join(STAGED_COLUMNS)
        with connection.cursor() as cursor:
            if self.copy:
                text = "".join(chunk.lines)
                # One read of the whole buffer: each read takes the GIL back from the reading
                # thread, which costs up to a switch interval (5 ms) every time.
                sql = f"COPY {STAGED_TABLE} ({columns}) FROM STDIN"
                # Django's debug cursor (DEBUG on) wraps copy_expert without its `size`: COPY goes
                # through the driver's own cursor, still logged as a query when DEBUG is on.
                debug_sql = getattr(cursor, "debug_sql", None)
                with debug_sql(sql) if debug_sql else nullcontext():
                    getattr(cursor, "cursor", cursor).copy_expert(sql, io.StringIO(text), size=len(text))
            else:
                placeholders = ", ".join(["%s"] * len(STAGED_COLUMNS))
                cursor.executemany(f"INSERT INTO {STAGED_TABLE} ({columns}) VALUES ({placeholders})", chunk.params)
        self.seconds += time.perf_counter() - started


# The columns the classification and the import join and filter on (plan.py, apply.py): the
# others (names, values shown in the preview, the JSON of rejected rows) need no statistics,
# and sampling fewer columns makes the ANALYZE of every import cheaper.
ANALYZED_COLUMNS = (
    "omd_import_id",
    "row_number",
    "invoice_number",
    "vin",
    "amount",
    "original_invoice_number",
    "action",
    "voids_number",
    "voided_by_number",
)


def analyze_staged_rows() -> None:
    """Refresh PostgreSQL's statistics: planned on an empty table's, the joins of the classification
    would nest loops over 200,000 rows."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {STAGED_TABLE} ({', '.join(ANALYZED_COLUMNS)})")


def delete_staged_rows(import_id: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {STAGED_TABLE} WHERE omd_import_id = %s", [import_id])


def prune_staged_rows(import_id: int, *, keep_first: int) -> int:
    """Delete an import's staged rows except the rejected ones and the first ``keep_first``.

    What stays is what the import's page still shows: its first rows as read and every row
    error (the error workbook). Returns the number of rows deleted.
    """
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT row_number FROM {STAGED_TABLE} WHERE omd_import_id = %s ORDER BY row_number LIMIT 1 OFFSET %s",
            [import_id, max(keep_first - 1, 0)],
        )
        last_kept = cursor.fetchone()
        if last_kept is None:
            return 0
        cursor.execute(
            f"DELETE FROM {STAGED_TABLE} WHERE omd_import_id = %s AND row_number > %s AND action <> %s",
            [import_id, last_kept[0], OmdStagedRow.Action.REJECTED],
        )
        return cursor.rowcount


@contextmanager
def stored_file(omd_import: OmdImport) -> Iterator[str | BinaryIO]:
    """The uploaded file as a path when the storage has one (calamine reads paths fastest), else opened."""
    try:
        yield omd_import.file.path
        return
    except NotImplementedError:
        pass
    with omd_import.file.open("rb") as handle:
        yield handle


def _raw_texts(row: Row) -> list[str]:
    texts = [cell_text(cell) for cell in row.raw]
    while texts and not texts[-1]:
        texts.pop()
    return texts


def stage_file(omd_import: OmdImport) -> StageStats:
    """Read and validate every data row of the import's file into staged rows.

    Raises SpreadsheetRefused when the file cannot be read (the caller records the failure).
    Expects the import's earlier staged rows to be gone already.
    """
    stats = StageStats()
    started = time.perf_counter()
    with stored_file(omd_import) as source:
        reader = open_table(source, file_name=omd_import.file_name, columns=OMD_COLUMNS)
        stats.timings["open"] = time.perf_counter() - started
        OmdImport.objects.filter(pk=omd_import.pk).update(headers=list(reader.headers), columns=dict(reader.columns))
        omd_import.headers, omd_import.columns = list(reader.headers), dict(reader.columns)
        _stage_rows(omd_import, reader, stats)
    analyze_started = time.perf_counter()
    analyze_staged_rows()
    stats.timings["analyze"] = time.perf_counter() - analyze_started
    stats.timings["read_and_parse"] = stats.read_and_parse_seconds
    stats.timings["stage"] = stats.write_seconds
    return stats


def _stage_rows(omd_import: OmdImport, reader: SheetReader, stats: StageStats) -> None:
    writer = StageWriter(omd_import.pk, copy=connection.vendor == "postgresql")
    chunks = _chunks(reader, writer, stats)
    if writer.copy:
        chunks = _ahead(chunks)
    started = time.perf_counter()
    with closing(chunks):  # a failed write stops the reading thread at once
        for chunk in chunks:
            writer.hold(chunk)
            _flush(writer, omd_import.pk, chunk.rows_read, chunk.progress, final=chunk.final)
    stats.write_seconds = writer.seconds
    # Reading and writing overlap on PostgreSQL: what the writing waited for the reading.
    stats.read_and_parse_seconds = time.perf_counter() - started - writer.seconds


def _chunks(reader: SheetReader, writer: StageWriter, stats: StageStats) -> Iterator[Chunk]:
    """Read and check every data row, yielding the staged rows a chunk at a time (no database access)."""
    parser = RowParser(reader)
    hint = reader.total_rows_hint or 0
    progress_every = max(CHUNK_ROWS, -(-hint // PROGRESS_STEPS)) if hint else CHUNK_ROWS
    next_progress = progress_every
    # Invoice number -> (row number, hash of the values) of its first accepted row. A hash
    # rather than the values keeps 200,000 rows in a few MB; a false match needs a 64-bit
    # collision between two rows with the same invoice number.
    first_seen: dict[str, tuple[int, int]] = {}
    repeated_text = _("this invoice number is already in row %(row)s with different values")
    rows_read = rejected = 0
    for row in reader.rows():
        rows_read += 1
        parsed, errors = parser.parse(row)
        if parsed is not None:
            number = parsed.invoice_number
            fingerprint = hash(parsed)
            earlier = first_seen.get(number)
            if earlier is None:
                first_seen[number] = (row.number, fingerprint)
                writer.add_accepted(row.number, parsed, ACCEPTED)
            elif earlier[1] == fingerprint:
                # The same invoice listed twice: staged for the preview, counted nowhere.
                writer.add_accepted(row.number, parsed, REPEAT)
            else:
                error = reader.error(row, "invoice_number", repeated_text % {"row": earlier[0]})
                errors = [{"column": error.column, "value": error.value, "reason": error.reason}]
        if errors:
            rejected += 1
            writer.add_rejected(row.number, errors, _raw_texts(row))
        if writer.pending >= CHUNK_ROWS:
            progress = None
            if rows_read >= next_progress:
                progress = min(99, rows_read * 100 // hint) if hint else 0
                next_progress = rows_read + progress_every
            yield writer.take(rows_read, progress)
    stats.rows_read, stats.rejected = rows_read, rejected
    yield writer.take(rows_read, None, final=True)


_DONE = object()


def _ahead(chunks: Iterator[Chunk], depth: int = 2) -> Iterator[Chunk]:
    """The chunks, produced by a thread of their own up to `depth` ahead of the consumer.

    The thread speaks the caller's language (row errors are translated as they are made); an
    exception there is raised here; when the consumer stops early, the thread stops too.
    """
    handoff: queue.Queue = queue.Queue(maxsize=depth)
    stop = threading.Event()
    language = translation.get_language()

    def put(item: object) -> bool:
        while not stop.is_set():
            try:
                handoff.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            with translation.override(language):
                for chunk in chunks:
                    if not put(chunk):
                        return
        except BaseException as exc:  # handed to the consumer, which raises it
            put(exc)
            return
        put(_DONE)

    thread = threading.Thread(target=produce, name="omd-stage-reader", daemon=True)
    thread.start()
    try:
        while True:
            item = handoff.get()
            if item is _DONE:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        thread.join()


class ImportNoLongerRunning(Exception):
    """The import was cancelled or handed back while this worker was on it: what it was writing is rolled back."""


def _flush(writer: StageWriter, import_id: int, rows_read: int, progress: int | None, *, final: bool = False) -> None:
    """Write a chunk; with it, in the same transaction, the heartbeat and (at most PROGRESS_STEPS times) the progress.

    Raises ImportNoLongerRunning, rolling the chunk back, when the import is no longer being validated.
    """
    with transaction.atomic():
        if writer.copy:
            # Staged rows are a working copy of the uploaded file, which stays stored: a chunk
            # lost to a crash is read again by the next attempt, so its commit need not wait
            # for the disk (SET LOCAL: this chunk's transaction only; the database stays consistent).
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit = off")
        writer.flush()
        update: dict[str, object] = {"heartbeat_at": timezone.now()}
        if progress is not None or final:
            update["rows_read"] = rows_read
        if progress is not None:
            update["progress"] = progress
        if not OmdImport.objects.filter(pk=import_id, status=OmdImport.Status.VALIDATING).update(**update):
            raise ImportNoLongerRunning(import_id)
