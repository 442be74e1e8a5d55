"""Classifying staged rows against the invoice table: the plan both the preview and the import follow.

An accepted staged row (action "") is, against the invoices as they are at that moment:
* `create` when no invoice has its number,
* `unchanged` when the invoice with its number holds the same values in every column the
  file has (a column missing from the file says nothing, so it is neither compared nor
  overwritten),
* `update` otherwise.
This is decided by one SQL predicate (`_match_sql`) that the counts, the preview's row
labels and the import's UPDATE / INSERT all use, so the preview and the import cannot
disagree; nothing is written per row, which keeps re-classifying 200,000 rows (the import
does it again under its lock, in case another import landed since the preview) a read.
Repeats (the same invoice twice in the file) and rejected rows are marked at staging.

A row that would update its invoice back to values the invoice held before (an earlier version
in its history, which a later import replaced: an older export imported again) is a *revert*.
Unless the administrator confirmed with "revert anyway" (`allow_revert`), the classification
marks it (`reverts_import_id`, naming the import that made the newer change) and it is held
back: counted as `revert`, left as stored, and taken for absent from the file by the red-letter
pairing below. The check is one UPDATE over the rows that differ from their invoice, looking up
each one's history by invoice id.

Red-letter pairs (a red-letter invoice and the invoice it voids) are computed over the
invoices as they will be after the import (the file's rows over the stored ones), keeping
only pairs with at least one side in the file, and recorded on the few rows concerned: the
red-letter row records the number it voids (`voids_number`); a row voided by a red-letter
invoice stored earlier records that one (`voided_by_number`), so the import order of
overlapping exports does not matter. The rules (the OMD export's 红字发票):
* A red-letter invoice has a negative amount. When it names the invoice it voids
  (原发票号码), it voids that invoice and no other; otherwise it voids an invoice with the same
  VIN and the opposite amount.
* Each side pairs at most once; an invoice already voided, or a red-letter invoice that
  already voids one, stays as it is. When a VIN and amount occur several times (issued,
  voided, issued again), red-letter invoices and candidates are paired in order of invoice
  date and number: the first red-letter invoice voids the first invoice, and so on.

The SQL is portable between PostgreSQL and SQLite (≥ 3.33 for UPDATE … FROM); the only
difference is null-safe equality.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.db import connection

from customers.models import OmdInvoice, OmdStagedRow

STAGED = OmdStagedRow._meta.db_table
INVOICES = OmdInvoice._meta.db_table
HISTORY = OmdInvoice.history.model._meta.db_table
# The action of an accepted staged row: its plan is computed against the invoices when needed.
ACCEPTED = ""

# Invoice fields an export always has (its required columns) and those it may lack.
ALWAYS_COMPARED = ("invoice_date", "customer_name", "vin", "amount")
OPTIONAL_FIELDS = {
    "phone": "phone",
    "model": "model_name",
    "consultant": "consultant_name",
    "dealer_code": "dealer_code",
    "entered_at": "entered_at",
    "original_invoice_number": "original_invoice_number",
}
_NULLABLE = frozenset({"entered_at"})


def compared_fields(columns: Iterable[str]) -> tuple[str, ...]:
    """The invoice fields the file speaks for, given the keys of the import's recognised columns."""
    columns = set(columns)
    return ALWAYS_COMPARED + tuple(name for key, name in OPTIONAL_FIELDS.items() if key in columns)


def same(left: str, right: str) -> str:
    """Null-safe equality."""
    if connection.vendor == "postgresql":
        return f"{left} IS NOT DISTINCT FROM {right}"
    return f"{left} IS {right}"


def equal_sql(fields: tuple[str, ...], staged: str = "s", invoice: str = "i") -> str:
    """True when the staged row and the invoice agree on `fields` (never NULL for accepted rows)."""
    return " AND ".join(
        same(f"{staged}.{name}", f"{invoice}.{name}") if name in _NULLABLE else f"{staged}.{name} = {invoice}.{name}"
        for name in fields
    )


def _history_match_sql(fields: tuple[str, ...], select: str = "1") -> str:
    """The versions of invoice `i` in its history that hold the staged row's values."""
    return f"SELECT {select} FROM {HISTORY} AS h WHERE h.id = i.id AND {equal_sql(fields, 's', 'h')}"


def action_sql(fields: tuple[str, ...], *, detect_reverts: bool = True) -> str:
    """The row's action given `s` (staged) LEFT JOIN `i` (the invoice with its number).

    A row marked as a revert is one; with `detect_reverts`, so is a row that differs from its
    invoice and equals one of its earlier versions. CASE evaluates that history lookup only for
    the rows that differ, and OFFSET 0 keeps PostgreSQL from turning it into a scan of the whole
    history table: it stays one probe of the history's index on the invoice id per such row.
    """
    reverts = f"WHEN EXISTS ({_history_match_sql(fields)} LIMIT 1 OFFSET 0) THEN 'revert' " if detect_reverts else ""
    return (
        f"CASE WHEN s.action <> '' THEN s.action WHEN i.id IS NULL THEN 'create' "
        f"WHEN s.reverts_import_id IS NOT NULL THEN 'revert' "
        f"WHEN {equal_sql(fields)} THEN 'unchanged' {reverts}ELSE 'update' END"
    )


# An accepted row that is not held back as a revert: the file's say on its invoice.
LIVE = "s.action = '' AND s.reverts_import_id IS NULL"


@dataclass(frozen=True)
class PlanCounts:
    """What the import does (or would do): row outcomes, and the invoices it newly voids."""

    rows_read: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    repeated: int = 0
    voided: int = 0
    reverted: int = 0
    # Accepted rows whose invoice date falls in a frozen month, and those months ("YYYY-MM").
    frozen_rows: int = 0
    frozen_months: tuple[str, ...] = ()

    def as_fields(self) -> dict[str, object]:
        """The OmdImport fields these counts are stored in."""
        return {
            "rows_read": self.rows_read,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
            "voided": self.voided,
            "reverted": self.reverted,
            "frozen_rows": self.frozen_rows,
            "frozen_months": list(self.frozen_months),
        }


def _counts_sql(fields: tuple[str, ...], detect_reverts: bool) -> str:
    return f"""
        SELECT a.action, COUNT(*), SUM(a.paired)
        FROM (
            SELECT {action_sql(fields, detect_reverts=detect_reverts)} AS action,
                   CASE WHEN s.voids_number > '' OR s.voided_by_number > '' THEN 1 ELSE 0 END AS paired
            FROM {STAGED} AS s
            LEFT JOIN {INVOICES} AS i ON s.action = '' AND i.invoice_number = s.invoice_number
            WHERE s.omd_import_id = %(import)s
        ) AS a
        GROUP BY a.action
    """


# The void pairs (red, target, red_in_file) with at least one side in the file, from the
# unpaired candidates: red-letter invoices that void nothing yet and invoices not voided yet,
# taken from the file's accepted rows and from the stored invoices that could pair with them.
# Written as EXISTS / IN over small sets so that PostgreSQL plans hash or index joins (an OR
# of IN-subqueries over 200,000 rows would run as a nested scan).
PAIRS_SQL = f"""
    WITH file_reds AS (
        SELECT s.invoice_number AS number, s.vin AS vin, s.amount AS amount, s.invoice_date AS invoice_date,
               s.original_invoice_number AS original
        FROM {STAGED} AS s
        WHERE s.omd_import_id = %(import)s AND {LIVE} AND s.amount < 0
          AND NOT EXISTS (SELECT 1 FROM {INVOICES} AS r JOIN {INVOICES} AS v ON v.voided_by_id = r.id
                          WHERE r.invoice_number = s.invoice_number)
    ),
    stored_reds AS (
        SELECT i.invoice_number AS number, i.vin AS vin, i.amount AS amount, i.invoice_date AS invoice_date,
               i.original_invoice_number AS original
        FROM {INVOICES} AS i
        WHERE i.amount < 0
          AND NOT EXISTS (SELECT 1 FROM {INVOICES} AS v WHERE v.voided_by_id = i.id)
          AND NOT EXISTS (SELECT 1 FROM {STAGED} AS s
                          WHERE s.omd_import_id = %(import)s AND s.invoice_number = i.invoice_number
                            AND {LIVE})
    ),
    reds AS (
        SELECT number, vin, amount, invoice_date, original, 1 AS in_file FROM file_reds
        UNION ALL
        SELECT r.number, r.vin, r.amount, r.invoice_date, r.original, 0
        FROM stored_reds AS r
        WHERE r.original = ''
          AND EXISTS (SELECT 1 FROM {STAGED} AS s
                      WHERE s.omd_import_id = %(import)s AND s.vin = r.vin AND s.amount > 0 AND {LIVE})
        UNION ALL
        SELECT r.number, r.vin, r.amount, r.invoice_date, r.original, 0
        FROM stored_reds AS r
        WHERE r.original <> ''
          AND EXISTS (SELECT 1 FROM {STAGED} AS s
                      WHERE s.omd_import_id = %(import)s AND s.invoice_number = r.original AND s.amount > 0
                        AND {LIVE})
    ),
    stored_targets AS (
        SELECT i.invoice_number AS number, i.vin AS vin, i.amount AS amount, i.invoice_date AS invoice_date
        FROM {INVOICES} AS i
        WHERE i.vin IN (SELECT vin FROM file_reds WHERE original = '') AND i.amount > 0 AND NOT i.voided
        UNION
        SELECT i.invoice_number, i.vin, i.amount, i.invoice_date
        FROM {INVOICES} AS i
        WHERE i.invoice_number IN (SELECT original FROM file_reds WHERE original <> '') AND i.amount > 0
          AND NOT i.voided
    ),
    targets AS (
        SELECT s.invoice_number AS number, s.vin AS vin, s.amount AS amount, s.invoice_date AS invoice_date,
               1 AS in_file
        FROM {STAGED} AS s
        WHERE s.omd_import_id = %(import)s AND {LIVE} AND s.amount > 0
          AND (s.vin IN (SELECT vin FROM reds WHERE original = '') OR s.invoice_number IN (SELECT original FROM reds))
          AND NOT EXISTS (SELECT 1 FROM {INVOICES} AS v WHERE v.invoice_number = s.invoice_number AND v.voided)
        UNION ALL
        SELECT t.number, t.vin, t.amount, t.invoice_date, 0
        FROM stored_targets AS t
        WHERE NOT EXISTS (SELECT 1 FROM {STAGED} AS s
                          WHERE s.omd_import_id = %(import)s AND s.invoice_number = t.number AND {LIVE})
    ),
    named AS (
        SELECT r.number AS red, t.number AS target, r.in_file AS red_in_file, t.in_file AS target_in_file,
               ROW_NUMBER() OVER (PARTITION BY t.number ORDER BY r.invoice_date, r.number) AS n
        FROM reds AS r
        JOIN targets AS t ON t.number = r.original
    ),
    vin_reds AS (
        SELECT number, vin, amount, in_file,
               ROW_NUMBER() OVER (PARTITION BY vin, amount ORDER BY invoice_date, number) AS n
        FROM reds
        WHERE original = ''
    ),
    vin_targets AS (
        SELECT number, vin, amount, in_file,
               ROW_NUMBER() OVER (PARTITION BY vin, amount ORDER BY invoice_date, number) AS n
        FROM targets
        WHERE number NOT IN (SELECT target FROM named WHERE n = 1)
    ),
    pairs AS (
        SELECT red, target, red_in_file, target_in_file FROM named WHERE n = 1
        UNION ALL
        SELECT r.number, t.number, r.in_file, t.in_file
        FROM vin_reds AS r
        JOIN vin_targets AS t ON t.vin = r.vin AND t.amount = -r.amount AND t.n = r.n
    )
    SELECT red, target, red_in_file FROM pairs WHERE red_in_file = 1 OR target_in_file = 1
"""

# Matches the partial index omdstaged_pairs_idx, so only the few paired rows are visited.
_CLEAR_PAIRS_SQL = f"""
    UPDATE {STAGED} SET voids_number = '', voided_by_number = ''
    WHERE omd_import_id = %(import)s AND (voids_number > '' OR voided_by_number > '')
"""
_PAIRS_CHUNK = 500

# Matches the partial index omdstaged_reverts_idx.
_CLEAR_REVERTS_SQL = f"""
    UPDATE {STAGED} SET reverts_import_id = NULL
    WHERE omd_import_id = %(import)s AND reverts_import_id IS NOT NULL
"""


def _mark_reverts_sql(fields: tuple[str, ...]) -> str:
    """Mark the rows that differ from their invoice but equal one of its earlier versions.

    The mark names the import that wrote the version after the last matching one (the change the
    row would undo). Run only when the counts found reverts. The EXISTS carries OFFSET 0 for the
    reason action_sql gives.
    """
    return f"""
        UPDATE {STAGED} AS s
        SET reverts_import_id = COALESCE((
                SELECT n.batch_id FROM {HISTORY} AS n
                WHERE n.id = i.id AND n.history_id > ({_history_match_sql(fields, "MAX(h.history_id)")})
                ORDER BY n.history_id LIMIT 1
            ), 0)
        FROM {INVOICES} AS i
        WHERE s.omd_import_id = %(import)s AND s.action = '' AND i.invoice_number = s.invoice_number
          AND NOT ({equal_sql(fields)})
          AND EXISTS ({_history_match_sql(fields)} LIMIT 1 OFFSET 0)
    """


def _record_pairs_sql(column: str, rows: int) -> str:
    """Set `column` on the accepted rows numbered like the first of each (number, value) pair."""
    values = ", ".join(["(%s, %s)"] * rows)
    return f"""
        UPDATE {STAGED} AS s SET {column} = v.column2
        FROM (VALUES {values}) AS v
        WHERE s.omd_import_id = %s AND {LIVE} AND s.invoice_number = v.column1
    """


def classify(
    *,
    import_id: int,
    columns: Iterable[str],
    allow_revert: bool = False,
    frozen: Iterable[date] = (),
    timings: dict[str, float] | None = None,
) -> PlanCounts:
    """(Re)compute the import's reverts, red-letter pairs and counts against the current invoices.

    `allow_revert`: the administrator confirmed that rows reverting a later import's values are
    written (as updates). `frozen`: the first days of the frozen accuracy months, whose rows the
    counts report. The caller holds a transaction (and, to act on the result, the OMD upsert lock).
    """
    params = {"import": import_id}
    fields = compared_fields(columns)
    clock = Clock(timings)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # These statements' cost estimates trigger JIT compilation, which costs seconds and
            # saves nothing on a few hash joins (SET LOCAL: the caller holds a transaction).
            cursor.execute("SET LOCAL jit = off")
        cursor.execute(_CLEAR_REVERTS_SQL, params)
        by_action, voided = _pairs_and_counts(cursor, import_id, fields, not allow_revert, clock)
        if by_action.get(OmdStagedRow.Action.REVERT):
            # Rare (an older export again): mark the held-back rows, which the pairing then takes
            # for absent from the file, and count again. Otherwise no statement more than before.
            cursor.execute(_mark_reverts_sql(fields), params)
            clock("classify_reverts")
            by_action, voided = _pairs_and_counts(cursor, import_id, fields, False, clock)
        in_frozen = _rows_in_months(cursor, import_id, frozen)
        clock("classify_frozen")
    Action = OmdStagedRow.Action
    return PlanCounts(
        rows_read=sum(by_action.values()),
        created=by_action.get(Action.CREATE, 0),
        updated=by_action.get(Action.UPDATE, 0),
        unchanged=by_action.get(Action.UNCHANGED, 0),
        rejected=by_action.get(Action.REJECTED, 0),
        repeated=by_action.get(Action.REPEAT, 0),
        voided=voided,
        reverted=by_action.get(Action.REVERT, 0),
        frozen_rows=sum(in_frozen.values()),
        frozen_months=tuple(month.strftime("%Y-%m") for month in sorted(in_frozen)),
    )


def _pairs_and_counts(cursor, import_id: int, fields: tuple[str, ...], detect_reverts: bool, clock: Clock):
    """Record the red-letter pairs on the staged rows, then count the rows per action."""
    params = {"import": import_id}
    cursor.execute(_CLEAR_PAIRS_SQL, params)
    cursor.execute(PAIRS_SQL, params)
    pairs = cursor.fetchall()
    # The red-letter row records what it voids; a row voided by a red-letter invoice stored
    # by an earlier import records that one.
    for column, found in (
        ("voids_number", [(red, target) for red, target, red_in_file in pairs if red_in_file]),
        ("voided_by_number", [(target, red) for red, target, red_in_file in pairs if not red_in_file]),
    ):
        for start in range(0, len(found), _PAIRS_CHUNK):
            chunk = found[start : start + _PAIRS_CHUNK]
            cursor.execute(_record_pairs_sql(column, len(chunk)), [*(v for pair in chunk for v in pair), import_id])
    clock("classify_pairs")
    cursor.execute(_counts_sql(fields, detect_reverts), params)
    by_action: dict[str, int] = {}
    voided = 0
    for action, count, paired in cursor.fetchall():
        by_action[action] = count
        voided += paired or 0
    clock("classify_counts")
    return by_action, voided


def _spans(months: Iterable[date]) -> list[tuple[date, date]]:
    """Runs of consecutive months as [first day, first day after) ranges: a 36-month demo is one range."""
    spans: list[tuple[date, date]] = []
    for month in sorted({m.replace(day=1) for m in months}):
        following = date(month.year + month.month // 12, month.month % 12 + 1, 1)
        if spans and spans[-1][1] == month:
            spans[-1] = (spans[-1][0], following)
        else:
            spans.append((month, following))
    return spans


def _rows_in_months(cursor, import_id: int, months: Iterable[date]) -> dict[date, int]:
    """The accepted rows (those the import writes or finds unchanged) per frozen month they fall in."""
    spans = _spans(months)
    if not spans:
        return {}
    within = " OR ".join(["(s.invoice_date >= %s AND s.invoice_date < %s)"] * len(spans))
    month_of = (
        "CAST(date_trunc('month', s.invoice_date) AS date)"
        if connection.vendor == "postgresql"
        else "date(s.invoice_date, 'start of month')"
    )
    cursor.execute(
        f"""
        SELECT {month_of}, COUNT(*) FROM {STAGED} AS s
        WHERE s.omd_import_id = %s AND {LIVE} AND ({within})
        GROUP BY {month_of}
        """,
        [import_id, *(day.isoformat() for span in spans for day in span)],
    )
    found: dict[date, int] = {}
    for month, count in cursor.fetchall():
        found[month if isinstance(month, date) else date.fromisoformat(str(month)[:10])] = count
    return found


def row_actions(*, import_id: int, columns: Iterable[str], staged_ids: Iterable[int]) -> dict[int, str]:
    """The action of each given staged row against the invoices as they are now (for the preview's rows)."""
    ids = list(staged_ids)
    if not ids:
        return {}
    placeholders = ", ".join(["%s"] * len(ids))
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT s.id, {action_sql(compared_fields(columns))}
            FROM {STAGED} AS s
            LEFT JOIN {INVOICES} AS i ON s.action = '' AND i.invoice_number = s.invoice_number
            WHERE s.omd_import_id = %s AND s.id IN ({placeholders})
            """,
            [import_id, *ids],
        )
        return dict(cursor.fetchall())


class Clock:
    """Adds the time since the last call under a name (when the caller asked for timings)."""

    def __init__(self, timings: dict[str, float] | None) -> None:
        self.timings = timings
        self.last = time.perf_counter()

    def __call__(self, name: str) -> None:
        now = time.perf_counter()
        if self.timings is not None:
            self.timings[name] = self.timings.get(name, 0.0) + now - self.last
        self.last = now
