"""``score_import``: read the result workbook's tables, check each row, store the good ones in one transaction."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import PureWindowsPath

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from dealership_cs.spreadsheets import FileSource, Row, RowError, SheetReader, fingerprint, open_tables, rewindable
from dealership_cs.spreadsheets.rejected import RejectedTable, rejected_rows_workbook
from surveys.imports.columns import ITEMS, SCORES, TABLES, TARGETS, table_labels
from surveys.models import Program, ScoreImport, ScoreItem, Source, Target
from surveys.periods import Period, PeriodKind, parse_period
from surveys.selectors import catalogue_for, item_by_code
from surveys.services import item_score_save, score_save, target_save
from surveys.validators import (
    ITEM_SCORE_FIELDS,
    SCORE_FIELDS,
    clean_item_score_values,
    clean_score_values,
    normalise_code,
    parse_rank,
    parse_score,
)

# Where a service's error keys land in the file: its own column, else the table's main value.
_TARGET_FIELDS = {"score": "target_score", "rank": "target_rank", "year": "year", "program": "program"}


@dataclass
class ScoreRowError:
    """A problem with one cell: the sheet, the row number Excel shows, the header as in the file."""

    sheet: str
    row: int
    column: str
    value: str
    reason: str

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


@dataclass
class ScoreImportResult:
    """What an import did, summed over its tables: rows created / updated / unchanged, rows rejected and why."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    errors: list[ScoreRowError] = field(default_factory=list)
    # Per table, the rejected rows as read, for the workbook handed back to fix them.
    rejected_rows: list[RejectedTable] = field(default_factory=list)
    batch: ScoreImport | None = None  # None after a dry run

    def error_workbook(self) -> bytes:
        """The rejected rows as an .xlsx, a sheet per table: each row as in the file, then what is wrong."""
        return rejected_rows_workbook(self.rejected_rows)

    @property
    def counts(self) -> dict[str, int]:
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
        }


class _Rejected(Exception):
    """The row's errors; raised to stop checking a row that cannot be stored."""

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__()
        self.errors = errors


def error_workbook_name(file_name: str) -> str:
    """The rejected rows' download name (without .xlsx): 成绩导入错误行-<the file's stem>.

    Downloads are named in Chinese whatever the page's language: the dealership files them.
    """
    # PureWindowsPath: a name uploaded from Windows may carry a path with either separator.
    return f"成绩导入错误行-{PureWindowsPath(file_name).stem or 'scores'}"


@transaction.atomic
def score_import(*, source: FileSource, file_name: str, by=None, dry_run: bool = False) -> ScoreImportResult:
    """Import a result workbook (scores, item scores, targets); SpreadsheetRefused, storing nothing, if unreadable.

    Rows are upserted by program and period (and item; targets by program and year). A bad
    value rejects its row, nothing of it stored, and the good rows go in. A key met again in the
    same file is skipped when the row is identical and rejected when it differs. With
    ``dry_run`` everything runs and is rolled back; the counts still say what the import would do.
    """
    source = rewindable(source)
    readers = open_tables(source, file_name=file_name, tables=TABLES, labels=table_labels())
    uploader = by if getattr(by, "pk", None) else None
    batch = None
    if not dry_run:
        size, sha256 = fingerprint(source)
        batch = ScoreImport.objects.create(
            file_name=file_name[: ScoreImport._meta.get_field("file_name").max_length],
            size=size,
            sha256=sha256,
            uploaded_by=uploader,
        )
    importer = _Importer(by=uploader, batch=batch)
    for name, reader in readers.items():
        importer.read(name, reader)
    result = importer.result
    if dry_run:
        transaction.set_rollback(True)
        return result
    batch.counts = result.counts
    batch.errors = [error.as_dict() for error in result.errors]
    batch.save(update_fields=["counts", "errors"])
    result.batch = batch
    return result


class _Importer:
    """Checks and stores rows table by table, remembering every key it met in the file."""

    def __init__(self, *, by, batch: ScoreImport | None) -> None:
        self.by = by
        self.batch = batch
        self.result = ScoreImportResult()
        self.programs = {program.code.upper(): program for program in Program.objects.all()}
        self._items: dict[tuple[int, int, str], ScoreItem | None] = {}
        # key -> (row number, stored values): the same key again is skipped or rejected.
        self._seen: dict[tuple, tuple[int, object]] = {}

    def read(self, table: str, reader: SheetReader) -> None:
        handle: Callable[[SheetReader, Row], tuple[tuple, object, Callable[[], str]]] = {
            SCORES: self._score_row,
            ITEMS: self._item_row,
            TARGETS: self._target_row,
        }[table]
        rejected_rows = RejectedTable.of(reader, title=reader.sheet_name or table_labels()[table])
        self.result.rejected_rows.append(rejected_rows)
        for row in reader.rows():
            try:
                key, values, save = handle(reader, row)
                earlier = self._seen.get(key)
                if earlier is not None:
                    if earlier[1] == values:
                        continue  # the same row listed twice counts once
                    reason = _("this row repeats row %(row)s with different values") % {"row": earlier[0]}
                    raise _Rejected([reader.error(row, _KEY_COLUMN[table], reason)])
                outcome = save()
            except _Rejected as rejected:
                self.result.rejected += 1
                rejected_rows.add(row, rejected.errors)
                self.result.errors.extend(
                    ScoreRowError(reader.sheet_name, e.row, e.column, e.value, e.reason) for e in rejected.errors
                )
                continue
            self._seen[key] = (row.number, values)
            setattr(self.result, outcome, getattr(self.result, outcome) + 1)

    # --- the three tables -----------------------------------------------------------------------
    # Each returns (key, checked values, save) or raises _Rejected with every problem of the row.

    def _score_row(self, reader: SheetReader, row: Row):
        errors: list[RowError] = []
        program, period = self._program_period(reader, row, errors)
        values = _values(reader, row, errors, program, SCORE_FIELDS, clean_score_values)
        if errors:
            raise _Rejected(errors)

        def save() -> str:
            with _service_errors(reader, row, fallback="score"):
                _score, outcome = score_save(
                    program=program, period=period, values=values, by=self.by, source=Source.IMPORTED, batch=self.batch
                )
            return outcome

        return (SCORES, program.pk, period.year, period.index), values, save

    def _item_row(self, reader: SheetReader, row: Row):
        errors: list[RowError] = []
        program, period = self._program_period(reader, row, errors)
        item = self._item(reader, row, errors, program, period)
        values = _values(reader, row, errors, program, ITEM_SCORE_FIELDS, clean_item_score_values)
        if errors:
            raise _Rejected(errors)

        def save() -> str:
            with _service_errors(reader, row, fallback="score", fields={"item": "item_code"}):
                _score, outcome = item_score_save(
                    program=program,
                    period=period,
                    item=item,
                    values=values,
                    by=self.by,
                    source=Source.IMPORTED,
                    batch=self.batch,
                )
            return outcome

        return (ITEMS, program.pk, period.year, period.index, item.pk), values, save

    def _target_row(self, reader: SheetReader, row: Row):
        errors: list[RowError] = []
        program = self._program(reader, row, errors)
        year = _year(reader, row, errors)
        values: dict[str, object] = {}
        if program is not None:
            for name, parse in (
                ("target_score", lambda v: parse_score(v, scale_max=program.scale_max)),
                ("target_rank", parse_rank),
            ):
                try:
                    values[name] = parse(row.values[name])
                except ValidationError as exc:
                    errors.append(reader.error(row, name, " ".join(exc.messages)))
        if errors:
            raise _Rejected(errors)

        def save() -> str:
            # The sheet sets the annual figures; phasing, percentages and the note stay as the target editor set them.
            existing = Target.objects.filter(program=program, year=year).prefetch_related("phases").first()
            kept = {"phasing": Target.Phasing.EQUAL, "percents": {}, "note": ""}
            if existing is not None:
                kept = {
                    "phasing": existing.phasing,
                    "percents": {phase.period: phase.percent for phase in existing.phases.all()},
                    "note": existing.note,
                }
            with _service_errors(reader, row, fallback="target_score", fields=_TARGET_FIELDS):
                _target, outcome = target_save(
                    program=program,
                    year=year,
                    score=values["target_score"],
                    rank=values["target_rank"],
                    by=self.by,
                    **kept,
                )
            return outcome

        return (TARGETS, program.pk, year), values, save

    # --- the cells every table shares -----------------------------------------------------------

    def _program(self, reader: SheetReader, row: Row, errors: list[RowError]) -> Program | None:
        code = normalise_code(row.values["program"])
        if not code:
            errors.append(reader.error(row, "program", _("required")))
            return None
        program = self.programs.get(code)
        if program is None:
            codes = ", ".join(known.code for known in self.programs.values())
            errors.append(
                reader.error(row, "program", _("unknown program: the programs are %(codes)s") % {"codes": codes})
            )
        return program

    def _program_period(
        self, reader: SheetReader, row: Row, errors: list[RowError]
    ) -> tuple[Program | None, Period | None]:
        program = self._program(reader, row, errors)
        if program is None:
            return None, None  # the calendar to read the period in is the program's
        try:
            period = parse_period(row.values["period"], program.period_kind)
        except ValidationError as exc:
            errors.append(reader.error(row, "period", " ".join(exc.messages)))
            return program, None
        if period is None:
            errors.append(reader.error(row, "period", _("required")))
        return program, period

    def _item(
        self, reader: SheetReader, row: Row, errors: list[RowError], program: Program | None, period: Period | None
    ) -> ScoreItem | None:
        code = normalise_code(row.values["item_code"])
        if not code:
            errors.append(reader.error(row, "item_code", _("required")))
            return None
        if program is None or period is None:
            return None  # the catalogue is the program's for the period's year
        key = (program.pk, period.year, code)
        if key not in self._items:
            self._items[key] = item_by_code(program, period.year, code)
        item = self._items[key]
        if item is None:
            codes = ", ".join(known.code for known in catalogue_for(program, period.year, active_only=False))
            reason = _("item code “%(code)s” is not in the %(program)s catalogue for %(year)s (its codes: %(codes)s)")
            params = {"code": code, "program": program.code, "year": period.year, "codes": codes or "—"}
            errors.append(reader.error(row, "item_code", reason % params))
        return item


_KEY_COLUMN = {SCORES: "period", ITEMS: "item_code", TARGETS: "year"}


def _values(
    reader: SheetReader,
    row: Row,
    errors: list[RowError],
    program: Program | None,
    names: tuple[str, ...],
    clean: Callable[..., dict[str, object]],
) -> dict[str, object] | None:
    """The row's values checked against the program's scale; one error per bad cell."""
    if program is None:
        return None  # the scale to check against is the program's
    try:
        return clean({name: row.values[name] for name in names}, scale_max=program.scale_max)
    except ValidationError as exc:
        errors.extend(_row_errors(reader, row, exc, fallback="score"))
        return None


@contextmanager
def _service_errors(
    reader: SheetReader, row: Row, *, fallback: str, fields: dict[str, str] | None = None
) -> Iterator[None]:
    """Turns a service's ValidationError (keyed by field) into the row's errors."""
    try:
        yield
    except ValidationError as exc:
        raise _Rejected(_row_errors(reader, row, exc, fallback=fallback, fields=fields)) from None


def _row_errors(
    reader: SheetReader, row: Row, exc: ValidationError, *, fallback: str, fields: dict[str, str] | None = None
) -> list[RowError]:
    """One error per field, in the field's column; errors about no column of the file go to ``fallback``."""
    by_field = exc.message_dict if hasattr(exc, "error_dict") else {fallback: exc.messages}
    errors = []
    for name, messages in by_field.items():
        column = (fields or {}).get(name, name)
        if column not in reader.columns:
            column = fallback
        errors.append(reader.error(row, column, " ".join(messages)))
    return errors


def _year(reader: SheetReader, row: Row, errors: list[RowError]) -> int | None:
    try:
        period = parse_period(row.values["year"], PeriodKind.YEAR)
    except ValidationError:
        errors.append(reader.error(row, "year", _("not a year: write it as 2011")))
        return None
    if period is None:
        errors.append(reader.error(row, "year", _("required")))
        return None
    return period.year
