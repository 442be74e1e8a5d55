"""Opening a table: guards, backend (calamine for Excel, csv for text), header, data rows.

`rows()` is the hot loop of the 200,000-row invoice import, so it is written for CPython
speed: one pass to find the first non-empty cell (which decides both "blank row" and "totals
row"), an itemgetter to pull the mapped cells at C speed, and one dict comprehension.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import closing, contextmanager
from itertools import islice
from operator import itemgetter
from typing import BinaryIO

import python_calamine
from django.conf import settings
from django.utils.translation import gettext as _

from . import guards
from .csvtext import CsvLineProblem, CsvText
from .headers import (
    HEADER_SCAN_ROWS,
    STRIP_CHARS,
    TOTALS_FIRST_CHARS,
    HeaderCandidate,
    HeaderMatcher,
    find_header,
    is_totals_label,
)
from .model import (
    DAMAGED,
    MISSING_COLUMNS,
    NO_DATA,
    NO_HEADER,
    Column,
    Row,
    RowError,
    SpreadsheetRefused,
    cell_text,
)
from .refusals import damaged, encrypted_workbook

CSV_DELIMITERS = (",", "\t", ";")
DUPLICATE_TABLE = "duplicate_table"  # SpreadsheetRefused.code: two sheets hold the same table
_SNIFF_LINES = HEADER_SCAN_ROWS


class SheetReader:
    """The located table of one sheet; iterate `rows()` (each call starts over)."""

    def __init__(
        self,
        *,
        file_name: str,
        sheet_name: str,
        header: HeaderCandidate,
        matcher: HeaderMatcher,
        row_source: Callable[[], Iterator[list[object]]],
        total_rows_hint: int | None,
    ) -> None:
        self.file_name = file_name
        self.sheet_name = sheet_name
        self.header_row = header.row_number
        self.headers: list[str] = [cell_text(cell) for cell in header.cells]
        self.columns: dict[str, int] = dict(header.columns)
        self.total_rows_hint = total_rows_hint
        self._header_cells = header.cells
        self._by_key = matcher.by_key
        self._missing = {column.key: None for column in matcher.columns if column.key not in self.columns}
        self._row_source = row_source

    def rows(self) -> Iterator[Row]:
        """Data rows after the header, blank rows skipped, stopping at the totals row.

        Every declared key is present in `values`; optional columns the file lacks are None.
        A row identical to the header (page headers repeated by some exports) is skipped.
        Cells are read lazily, so a file damaged past its first rows raises SpreadsheetRefused
        from here rather than from open_table.
        """
        keys = tuple(self.columns)
        indexes = tuple(self.columns.values())
        if len(indexes) == 1:
            only = indexes[0]

            def pick(raw: list[object]) -> tuple[object, ...]:
                return (raw[only],)
        else:
            pick = itemgetter(*indexes)
        width = max(indexes) + 1
        missing = self._missing
        header_cells = self._header_cells
        totals_first = TOTALS_FIRST_CHARS  # local: checked on every row
        # Values use str.strip() (all Unicode whitespace: U+3000, NBSP, ...): measurably faster
        # than an explicit character set on 200,000 rows; zero-width characters stay.
        for number, raw in self._data_rows():
            for cell in raw:
                if cell.__class__ is str:
                    if not cell:
                        continue
                    first = cell.strip()
                    if not first:
                        continue
                    if first[0] in totals_first and is_totals_label(first):
                        return
                    break
                if cell is not None:
                    break
            else:
                continue  # every cell empty or whitespace
            if raw == header_cells:
                continue
            if len(raw) < width:  # CSV records can be short; calamine rows never are
                raw = raw + [""] * (width - len(raw))
            values = {
                key: (value.strip() or None) if value.__class__ is str else value
                for key, value in zip(keys, pick(raw), strict=False)
            }
            if missing:
                values.update(missing)
            yield Row(number, values, raw)

    def _data_rows(self) -> Iterator[tuple[int, list[object]]]:
        return enumerate(self._row_source(), self.header_row + 1)

    def header_for(self, key: str) -> str:
        """The header text the file uses for `key` (the column's label if the file lacks it)."""
        index = self.columns.get(key)
        if index is not None:
            text = self.headers[index].strip(STRIP_CHARS)
            if text:
                return text
        return self._by_key[key].label

    def error(self, row: Row, key: str, reason: str) -> RowError:
        """A RowError for `key` in `row`, carrying the file's header text and the original cell text."""
        index = self.columns.get(key)
        value = cell_text(row.raw[index]) if index is not None and index < len(row.raw) else ""
        return RowError(row=row.number, column=self.header_for(key), value=value, reason=reason)


def open_table(
    source: str | os.PathLike[str] | BinaryIO,
    *,
    file_name: str,
    columns: Sequence[Column],
    max_bytes: int | None = None,
) -> SheetReader:
    """Check, open and locate the table in a spreadsheet; raise SpreadsheetRefused otherwise."""
    matcher = HeaderMatcher(columns)
    limit = max_bytes if max_bytes is not None else default_max_bytes()
    src = guards.Source(source, limit)
    kind = guards.check_file(src, file_name, limit)
    if kind == guards.CSV:
        return _open_csv(src, file_name, matcher)
    return _open_workbook(src, file_name, matcher)


def open_tables(
    source: str | os.PathLike[str] | BinaryIO,
    *,
    file_name: str,
    tables: Mapping[str, Sequence[Column]],
    labels: Mapping[str, str] | None = None,
    max_bytes: int | None = None,
) -> dict[str, SheetReader]:
    """Check a file once and find several tables in it, each on its own sheet: {table: reader}.

    Each sheet goes to the first table, in the order of `tables`, whose required columns its
    header has (so a table whose columns include another's comes first); sheets matching none
    are ignored, and a CSV holds one table. Two visible sheets holding the same table are
    refused rather than one silently ignored (a hidden sheet is read only for a table no visible
    sheet holds); so is a file in which no sheet holds any table, with a message listing every
    table's columns (`labels` names the tables in messages).
    """
    if not tables:
        raise ValueError("open_tables needs at least one table")
    matchers = {name: HeaderMatcher(columns) for name, columns in tables.items()}
    limit = max_bytes if max_bytes is not None else default_max_bytes()
    src = guards.Source(source, limit)
    kind = guards.check_file(src, file_name, limit)
    if kind == guards.CSV:
        return _open_csv_tables(src, file_name, matchers, labels or {})
    return _open_workbook_tables(src, file_name, matchers, labels or {})


def default_max_bytes() -> int:
    """SPREADSHEET_MAX_BYTES from Django settings when configured, else 50 MB."""
    if settings.configured:
        value = getattr(settings, "SPREADSHEET_MAX_BYTES", None)
        if value:
            return int(value)
    return guards.DEFAULT_MAX_BYTES


# --- Excel (calamine) ------------------------------------------------------------------------


def _open_workbook(src: guards.Source, file_name: str, matcher: HeaderMatcher) -> SheetReader:
    best: HeaderCandidate | None = None
    saw_data = False
    with _workbook(src, file_name) as workbook:
        for _index, sheet, head in _sheet_heads(workbook):
            saw_data = True
            header, candidate = find_header(enumerate(head, 1), matcher, sheet_name=sheet.name)
            if header is not None:
                return _sheet_reader(file_name, sheet, header, matcher)
            if candidate is not None and (best is None or len(candidate.columns) > len(best.columns)):
                best = candidate
    raise _header_refusal(file_name, matcher, best, saw_data)


@contextmanager
def _workbook(src: guards.Source, file_name: str) -> Iterator[python_calamine.CalamineWorkbook]:
    """The workbook, from its path or stream; calamine's errors, also while reading, become refusals."""
    with _calamine_errors(file_name):
        if src.path is not None:
            workbook = python_calamine.CalamineWorkbook.from_path(src.path)
        else:
            with src.open() as fh:
                workbook = python_calamine.CalamineWorkbook.from_filelike(fh)
        # Sheets keep their own copy of the cells, so the workbook (and its file) can be
        # closed as soon as the sheets are chosen.
        with workbook:
            yield workbook


def _sheet_heads(
    workbook: python_calamine.CalamineWorkbook,
) -> Iterator[tuple[int, python_calamine.CalamineSheet, list[list[object]]]]:
    """Each non-empty worksheet, visible ones first, with its first rows to look for a header in."""
    for index in _sheet_order(workbook):
        sheet = workbook.get_sheet_by_index(index)
        if sheet.start is None:  # empty sheet (iter_rows() would panic on it)
            continue
        # skip_empty_area=False gives rows from row 1 and cells from column A (documented),
        # so the header's row number is the one Excel shows.
        yield index, sheet, sheet.to_python(skip_empty_area=False, nrows=HEADER_SCAN_ROWS)


def _sheet_reader(
    file_name: str, sheet: python_calamine.CalamineSheet, header: HeaderCandidate, matcher: HeaderMatcher
) -> SheetReader:
    end = sheet.end
    return SheetReader(
        file_name=file_name,
        sheet_name=sheet.name,
        header=header,
        matcher=matcher,
        row_source=_calamine_rows(sheet, header, file_name),
        total_rows_hint=end[0] + 1 - header.row_number if end else None,
    )


def _sheet_order(workbook: python_calamine.CalamineWorkbook) -> list[int]:
    """Visible worksheets first (hidden helper sheets often hold templates or lists)."""
    visible, hidden = [], []
    for index, meta in enumerate(workbook.sheets_metadata):
        if meta.typ != python_calamine.SheetTypeEnum.WorkSheet:
            continue
        (visible if meta.visible == python_calamine.SheetVisibleEnum.Visible else hidden).append(index)
    return visible + hidden


def _calamine_rows(
    sheet: python_calamine.CalamineSheet, header: HeaderCandidate, file_name: str
) -> Callable[[], Iterator[list[object]]]:
    """Row source yielding the sheet's rows after the header, as lists starting at column A.

    iter_rows() is calamine's lowest-overhead path, but its cells start at the sheet's first
    used column, and whether it pads the empty rows above the used area is an undocumented
    detail (0.9 does). We pad the columns, and check where the header row really is before
    counting on it, so the row numbers can never drift from what Excel shows.
    """
    start_row, start_col = sheet.start
    pad = [""] * start_col
    header_row, header_cells = header.row_number, header.cells

    def source() -> Iterator[list[object]]:
        with _calamine_errors(file_name):  # cells are converted lazily, so errors can surface here
            rows: Iterator[list[object]] = sheet.iter_rows()
            if pad:
                rows = (pad + row for row in rows)
            head = list(islice(rows, header_row))  # header_row <= HEADER_SCAN_ROWS: a tiny buffer
            if start_row and head[-1:] != [header_cells]:
                unpadded_at = header_row - start_row - 1
                if 0 <= unpadded_at < len(head) and head[unpadded_at] == header_cells:
                    # No padding: the rows after the header are already in `head`.
                    yield from head[unpadded_at + 1 :]
            # Otherwise padded, as 0.5 and 0.9 do (or a header that never equals itself, such
            # as a NaN cell): the header was the last row read.
            yield from rows

    return source


@contextmanager
def _calamine_errors(file_name: str) -> Iterator[None]:
    """Translate calamine's exceptions (and Rust panics) into refusals naming the file."""
    try:
        yield
    except SpreadsheetRefused:
        raise
    except python_calamine.PasswordError as exc:
        raise encrypted_workbook(file_name) from exc
    except (python_calamine.CalamineError, ValueError, OSError) as exc:
        raise damaged(file_name) from exc
    except BaseException as exc:
        # pyo3 turns a Rust panic into PanicException, a BaseException that generic
        # `except Exception` handlers miss; a hostile file must end as a refusal.
        if type(exc).__name__ == "PanicException":
            raise damaged(file_name) from exc
        raise


def _header_refusal(
    file_name: str, matcher: HeaderMatcher, best: HeaderCandidate | None, saw_data: bool
) -> SpreadsheetRefused:
    if not saw_data:
        return SpreadsheetRefused(
            _("“%(file)s” contains no data.") % {"file": file_name}, file_name=file_name, code=NO_DATA
        )
    if best is None:
        expected = ", ".join(_describe(column) for column in matcher.columns)
        return SpreadsheetRefused(
            _(
                "“%(file)s” has no recognisable header row (looked at the first %(rows)s rows of each sheet). "
                "Expected columns: %(expected)s."
            )
            % {"file": file_name, "rows": HEADER_SCAN_ROWS, "expected": expected},
            file_name=file_name,
            code=NO_HEADER,
        )
    missing = ", ".join(_describe(matcher.by_key[key]) for key in best.missing)
    params = {
        "file": file_name,
        "row": best.row_number,
        "sheet": best.sheet_name,
        "missing": missing,
        "seen": ", ".join(best.texts),
    }
    if best.sheet_name:
        message = _(
            "“%(file)s”: the header row (row %(row)s of sheet “%(sheet)s”) lacks required columns: %(missing)s. "
            "Headers found in that row: %(seen)s."
        )
    else:
        message = _(
            "“%(file)s”: the header row (row %(row)s) lacks required columns: %(missing)s. "
            "Headers found in that row: %(seen)s."
        )
    return SpreadsheetRefused(message % params, file_name=file_name, code=MISSING_COLUMNS)


def _describe(column: Column) -> str:
    others = [alias for alias in column.aliases if alias != column.label]
    text = f"{column.label} ({' / '.join(others)})" if others else column.label
    return text if column.required else _("%(column)s (optional)") % {"column": text}


def _open_workbook_tables(
    src: guards.Source, file_name: str, matchers: dict[str, HeaderMatcher], labels: Mapping[str, str]
) -> dict[str, SheetReader]:
    found: dict[str, SheetReader] = {}
    best: tuple[HeaderMatcher, HeaderCandidate] | None = None
    saw_data = False
    with _workbook(src, file_name) as workbook:
        metadata = workbook.sheets_metadata
        for index, sheet, head in _sheet_heads(workbook):
            saw_data = True
            for name, matcher in matchers.items():
                header, candidate = find_header(enumerate(head, 1), matcher, sheet_name=sheet.name)
                if header is not None:
                    if name in found and metadata[index].visible != python_calamine.SheetVisibleEnum.Visible:
                        break  # as in open_table: a hidden sheet only stands in for a table no visible one holds
                    if name in found:
                        raise _same_table_twice(file_name, labels.get(name, name), found[name].sheet_name, sheet.name)
                    found[name] = _sheet_reader(file_name, sheet, header, matcher)
                    break
                best = _better_candidate(best, matcher, candidate)
    if found:
        return found
    raise _tables_refusal(file_name, matchers, labels, best, saw_data)


def _better_candidate(
    best: tuple[HeaderMatcher, HeaderCandidate] | None, matcher: HeaderMatcher, candidate: HeaderCandidate | None
) -> tuple[HeaderMatcher, HeaderCandidate] | None:
    """The partial header to name in a refusal: most columns recognised, then fewest missing."""
    if candidate is None:
        return best
    if best is None:
        return matcher, candidate
    _matcher, current = best
    if (len(candidate.columns), -len(candidate.missing)) > (len(current.columns), -len(current.missing)):
        return matcher, candidate
    return best


def _same_table_twice(file_name: str, table: str, first: str, second: str) -> SpreadsheetRefused:
    return SpreadsheetRefused(
        _(
            "“%(file)s”: sheets “%(first)s” and “%(second)s” both hold the %(table)s table. Put those rows on one "
            "sheet (or delete the sheet that is an old copy) and upload the file again."
        )
        % {"file": file_name, "first": first, "second": second, "table": table},
        file_name=file_name,
        code=DUPLICATE_TABLE,
    )


def _tables_refusal(
    file_name: str,
    matchers: dict[str, HeaderMatcher],
    labels: Mapping[str, str],
    best: tuple[HeaderMatcher, HeaderCandidate] | None,
    saw_data: bool,
) -> SpreadsheetRefused:
    """A partial header is named with what it lacks; otherwise every table's columns are listed."""
    if not saw_data or best is not None:
        matcher, candidate = best if best is not None else (next(iter(matchers.values())), None)
        return _header_refusal(file_name, matcher, candidate, saw_data)
    expected = "; ".join(
        _("%(table)s: %(columns)s")
        % {"table": labels.get(name, name), "columns": ", ".join(_describe(column) for column in matcher.columns)}
        for name, matcher in matchers.items()
    )
    return SpreadsheetRefused(
        _(
            "“%(file)s” has no sheet with a recognisable header row (looked at the first %(rows)s rows of each "
            "sheet). Expected the columns of at least one of these tables — %(expected)s."
        )
        % {"file": file_name, "rows": HEADER_SCAN_ROWS, "expected": expected},
        file_name=file_name,
        code=NO_HEADER,
    )


# --- CSV -------------------------------------------------------------------------------------


def _open_csv(src: guards.Source, file_name: str, matcher: HeaderMatcher) -> SheetReader:
    text = CsvText(src, file_name)
    best: HeaderCandidate | None = None
    for delimiter in _delimiters_to_try(text):
        header, candidate = find_header(enumerate(_csv_head(text, delimiter, file_name), 1), matcher)
        if header is not None:
            return _csv_reader(text, file_name, delimiter, header, matcher)
        if candidate is not None and (best is None or len(candidate.columns) > len(best.columns)):
            best = candidate
    raise _header_refusal(file_name, matcher, best, text.has_text())


def _open_csv_tables(
    src: guards.Source, file_name: str, matchers: dict[str, HeaderMatcher], labels: Mapping[str, str]
) -> dict[str, SheetReader]:
    text = CsvText(src, file_name)
    best: tuple[HeaderMatcher, HeaderCandidate] | None = None
    for delimiter in _delimiters_to_try(text):
        head = _csv_head(text, delimiter, file_name)
        for name, matcher in matchers.items():
            header, candidate = find_header(enumerate(head, 1), matcher)
            if header is not None:
                return {name: _csv_reader(text, file_name, delimiter, header, matcher)}
            best = _better_candidate(best, matcher, candidate)
    raise _tables_refusal(file_name, matchers, labels, best, text.has_text())


def _csv_reader(
    text: CsvText, file_name: str, delimiter: str, header: HeaderCandidate, matcher: HeaderMatcher
) -> SheetReader:
    skip = header.row_number
    return SheetReader(
        file_name=file_name,
        sheet_name="",
        header=header,
        matcher=matcher,
        row_source=lambda: islice(_csv_records(text, delimiter, file_name), skip, None),
        total_rows_hint=text.newline_count() + 1 - skip,
    )


def _csv_head(text: CsvText, delimiter: str, file_name: str) -> list[list[object]]:
    """The first records, to look for the header in (the generator is closed, releasing the file)."""
    with closing(_csv_records(text, delimiter, file_name)) as records:
        return list(islice(records, HEADER_SCAN_ROWS))


def _delimiters_to_try(text: CsvText) -> list[str]:
    """Comma first; then the sniffer's guess on the first lines; then the other candidates."""
    order = [","]
    sample = "\n".join(text.head(65536).splitlines()[:_SNIFF_LINES])
    try:
        sniffed = csv.Sniffer().sniff(sample, delimiters="".join(CSV_DELIMITERS)).delimiter
        order.append(sniffed)
    except csv.Error:
        pass
    order.extend(CSV_DELIMITERS)
    return list(dict.fromkeys(order))


def _csv_records(text: CsvText, delimiter: str, file_name: str) -> Iterator[list[object]]:
    reader = csv.reader(text.lines(), delimiter=delimiter)
    records = 0
    try:
        for record in reader:
            records += 1
            yield record
    except CsvLineProblem as exc:
        # The line belongs to the record being read: the row number Excel would show.
        raise exc.refusal(file_name, row=records + 1) from None
    except csv.Error as exc:
        raise SpreadsheetRefused(
            _("“%(file)s” could not be read near line %(line)s: %(detail)s")
            % {"file": file_name, "line": reader.line_num, "detail": exc},
            file_name=file_name,
            code=DAMAGED,
        ) from exc
