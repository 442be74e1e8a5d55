"""The nightly comparison of closed-deal archives with OMD invoices, set-based in SQL.

A few statements over all rows of the open months: pair every archive with its invoice (same
invoice number, else the live invoice of the same VIN), list every mismatch into a temporary
table in one pass, then upsert it into Discrepancy and close what is no longer found. A second
run with nothing changed writes nothing. The rules (deadline, tolerance) and the months to look
at come from the caller (the accuracy roll-up in ``reports``), so this app does not read that layer.

The same statements run on PostgreSQL and SQLite; where the dialects differ (date arithmetic, a
lateral join) ``_sql`` holds both spellings.
"""

from __future__ import annotations

import hashlib
import zlib
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone

from customers.models import Discrepancy

FINDINGS = "cs_reconcile_findings"


@dataclass(frozen=True)
class ReconcileScope:
    """A date range of archive deliveries (and invoice dates) checked with one year's rules."""

    start: date  # first day of the first month
    end: date  # first day after the last month
    deadline_days: int
    amount_tolerance: Decimal

    @property
    def tolerance_cents(self) -> int:
        """The tolerance in whole cents (the rule keeps two decimals), as the amounts are compared."""
        return int((self.amount_tolerance * 100).to_integral_value())


def _sql(vendor: str) -> dict[str, str]:
    if vendor == "postgresql":
        return {
            "month_of": "CAST(date_trunc('month', {col}) AS date)",
            "plus_days": "({col} + {days})",
            "integer": "CAST({value} AS integer)",
            # Amounts in whole cents: numeric is exact already, this keeps one spelling of the check.
            "cents": "({col} * 100)",
            "money_text": "CAST(ROUND({col}, 2) AS text)",
            "id_text": "CAST({col} AS text)",
            "same": "IS NOT DISTINCT FROM",
            "temp": "CREATE TEMP TABLE {name} ON COMMIT DROP AS ",
            "true": "TRUE",
            "false": "FALSE",
        }
    return {
        "month_of": "date({col}, 'start of month')",
        "plus_days": "date({col}, '+' || {days} || ' days')",
        "integer": "CAST({value} AS INTEGER)",
        # SQLite keeps a decimal column as a binary float (or an integer when it has no cents), so
        # 150000.01 - 150000.00 is 0.0099999999947 and a difference of exactly the tolerance was
        # flagged or not by rounding luck: compare whole cents, which are exact. The texts the desk
        # shows keep two decimals ('150000.00', not the stored integer's '150000').
        "cents": "CAST(ROUND({col} * 100) AS INTEGER)",
        "money_text": "printf('%%.2f', {col})",
        "id_text": "CAST({col} AS TEXT)",
        "same": "IS",
        "temp": "CREATE TEMP TABLE {name} AS ",
        "true": "1",
        "false": "0",
    }


class _Scopes:
    """The scopes as SQL: a range filter on a date column, and each rule's value for a row's date.

    Plain ranges rather than a join with a table of months: both databases then estimate the rows
    well and use the date indexes when only the latest months are open.
    """

    def __init__(self, scopes: list[ReconcileScope], sql: dict[str, str]) -> None:
        merged: list[ReconcileScope] = []
        for scope in sorted(scopes, key=lambda s: s.start):
            last = merged[-1] if merged else None
            if (
                last
                and last.end == scope.start
                and (last.deadline_days, last.amount_tolerance) == (scope.deadline_days, scope.amount_tolerance)
            ):
                merged[-1] = ReconcileScope(last.start, scope.end, last.deadline_days, last.amount_tolerance)
            else:
                merged.append(scope)
        self.scopes, self.sql = merged, sql
        self.params: dict[str, object] = {}
        for k, scope in enumerate(merged):
            self.params.update(
                {
                    f"s{k}": scope.start,
                    f"e{k}": scope.end,
                    f"dl{k}": scope.deadline_days,
                    f"tol{k}": scope.tolerance_cents,
                }
            )

    def within(self, col: str) -> str:
        ranges = [f"({col} >= %(s{k})s AND {col} < %(e{k})s)" for k in range(len(self.scopes))]
        return ranges[0] if len(ranges) == 1 else "(" + " OR ".join(ranges) + ")"

    def _rule(self, col: str, name: str, cast: str) -> str:
        values = [self.sql[cast].format(value=f"%({name}{k})s") for k in range(len(self.scopes))]
        if len(set(self.params[f"{name}{k}"] for k in range(len(self.scopes)))) == 1:
            return values[0]
        whens = " ".join(f"WHEN {col} < %(e{k})s THEN {value}" for k, value in enumerate(values))
        return f"(CASE {whens} END)"

    def deadline(self, col: str) -> str:
        """The last timely invoice date for a delivery on ``col``."""
        return self.sql["plus_days"].format(col=col, days=self._rule(col, "dl", "integer"))

    def tolerance(self, col: str) -> str:
        """The amount tolerance for a delivery on ``col``, in whole cents."""
        return self._rule(col, "tol", "integer")


# The invoice fields each pair carries: (column of customers_omdinvoice, name in the pair).
INVOICE_FIELDS = (
    ("invoice_number", "i_number"),
    ("invoice_date", "i_date"),
    ("amount", "i_amount"),
    ("customer_name", "i_name"),
    ("customer_name_key", "i_name_key"),
    ("voided", "i_voided"),
)


def _pairs(sql: dict[str, str], vendor: str, scopes: _Scopes) -> str:
    """The CTE ``p``: each archive of the open months with its invoice, if any (and, on SQLite, ``a``, ``a2``)."""
    live_by_vin = (
        f"FROM customers_omdinvoice j WHERE j.vin = a.vin AND j.voided = {sql['false']} AND j.amount >= 0 "
        "ORDER BY j.invoice_date DESC, j.id DESC LIMIT 1"
    )
    archives = f"""
        SELECT sa.id, sa.invoice_number, sa.invoice_amount, sa.invoice_name, sa.invoice_name_key,
               sa.delivery_date, sa.consultant_id, v.vin,
               {sql["month_of"].format(col="sa.delivery_date")} AS month,
               {scopes.tolerance("sa.delivery_date")} AS tolerance,
               {scopes.deadline("sa.delivery_date")} AS deadline
          FROM customers_salesarchive sa
          JOIN customers_vehicle v ON v.id = sa.vehicle_id
         WHERE {scopes.within("sa.delivery_date")}"""
    if vendor == "postgresql":
        # Two branches rather than one outer join followed by a lateral VIN lookup: the archives
        # OMD knows by number are a plain hash join that PostgreSQL runs in parallel, checks
        # included; the per-archive VIN lookup (a lateral subquery, which kept everything above
        # it on one core for a million rows) runs only for the archives OMD does not know by number.
        # The archives are spelled out in each branch: a CTE read twice would be materialised.
        by_number = ", ".join(f"n.{column} AS {name}" for column, name in INVOICE_FIELDS)
        by_vin = ", ".join(f"x.{column}" for column, _ in INVOICE_FIELDS)
        return f"""
    p AS (
        SELECT a.*, n.id AS invoice_id, 0 AS by_vin, {by_number}
          FROM ({archives}) a
          JOIN customers_omdinvoice n ON n.invoice_number = a.invoice_number
        UNION ALL
        SELECT a.*, x.id, 1, {by_vin}
          FROM ({archives}) a
          LEFT JOIN LATERAL (SELECT j.id, {", ".join(f"j.{column}" for column, _ in INVOICE_FIELDS)}
                               {live_by_vin}) x ON TRUE
         WHERE NOT EXISTS (SELECT 1 FROM customers_omdinvoice n WHERE n.invoice_number = a.invoice_number)
    )"""
    chosen = ", ".join(f"COALESCE(n.{column}, x.{column}) AS {name}" for column, name in INVOICE_FIELDS)
    return f"""
    a AS ({archives}
    ),
    a2 AS (
        SELECT a.*, n.id AS n_id, CASE WHEN n.id IS NULL THEN (SELECT j.id {live_by_vin}) END AS x_id
          FROM a LEFT JOIN customers_omdinvoice n ON n.invoice_number = a.invoice_number
    ),
    p AS (
        SELECT a2.*, COALESCE(a2.n_id, a2.x_id) AS invoice_id, CASE WHEN a2.n_id IS NULL THEN 1 ELSE 0 END AS by_vin,
               {chosen}
          FROM a2
          LEFT JOIN customers_omdinvoice n ON n.id = a2.n_id
          LEFT JOIN customers_omdinvoice x ON x.id = a2.x_id
    )"""


# Each archive finding: its type, when it holds, and the two values the desk shows side by side.
CHECKS = {
    "missing_in_omd": ("p.invoice_id IS NULL AND p.deadline < %(today)s", "p.invoice_number", "''"),
    "voided_invoice": ("p.i_voided = {true}", "p.invoice_number", "p.i_number"),
    "late_invoice": ("p.i_voided = {false} AND p.i_date > p.deadline", "{text:p.delivery_date}", "{text:p.i_date}"),
    "name_mismatch": ("p.i_voided = {false} AND p.i_name_key <> p.invoice_name_key", "p.invoice_name", "p.i_name"),
    "amount_mismatch": (
        "p.i_voided = {false} AND ABS({cents:p.invoice_amount} - {cents:p.i_amount}) > p.tolerance",
        "{money:p.invoice_amount}",
        "{money:p.i_amount}",
    ),
    "invoice_number_mismatch": ("p.i_voided = {false} AND p.by_vin = 1", "p.invoice_number", "p.i_number"),
}


FINDING_COLUMNS = '"key", type, archive_id, invoice_id, month, consultant_id, archive_value, omd_value'


def _with_existing(sql: dict[str, str]) -> str:
    """Each finding with the Discrepancy row it already has (if any) and whether that row's values differ.

    So the writes that follow join by primary key and never read the table they write.
    """
    return f"""
    SELECT found.*, d.id AS d_id, d.status AS d_status,
           CASE WHEN d.id IS NOT NULL AND (d.archive_value <> found.archive_value OR d.omd_value <> found.omd_value
                     OR d.month <> found.month OR NOT (d.consultant_id {sql["same"]} found.consultant_id))
                THEN 1 ELSE 0 END AS changed
      FROM found LEFT JOIN customers_discrepancy d ON d."key" = found."key"
    """


def _archive_findings_select(sql: dict[str, str], vendor: str, scopes: _Scopes) -> str:
    """Every finding about the archives of the open months, in one pass over the pairs.

    Each pair with any problem is joined with the list of check types and kept once per check
    that fails, so the pairs are read once, not once per type.
    """

    def fill(expression: str) -> str:
        for name in ("p.delivery_date", "p.i_date"):
            expression = expression.replace(f"{{text:{name}}}", f"CAST({name} AS text)")
        for name in ("p.invoice_amount", "p.i_amount"):
            expression = expression.replace(f"{{cents:{name}}}", sql["cents"].format(col=name))
            expression = expression.replace(f"{{money:{name}}}", sql["money_text"].format(col=name))
        return expression.replace("{true}", sql["true"]).replace("{false}", sql["false"])

    types = ", ".join(f"('{name}')" for name in CHECKS)
    holds = "\n".join(f"WHEN '{name}' THEN {fill(cond)}" for name, (cond, _a, _o) in CHECKS.items())
    archive_value = "\n".join(f"WHEN '{name}' THEN {fill(value)}" for name, (_c, value, _o) in CHECKS.items())
    omd_value = "\n".join(f"WHEN '{name}' THEN {fill(value)}" for name, (_c, _a, value) in CHECKS.items())
    any_check = " OR ".join(f"({fill(cond)})" for cond, _a, _o in CHECKS.values())
    invoice_text = f"COALESCE({sql['id_text'].format(col='p.invoice_id')}, '0')"
    return f"""
    WITH types(type) AS (VALUES {types}),
    {_pairs(sql, vendor, scopes)},
    found AS (
        SELECT t.type || ':' || {sql["id_text"].format(col="p.id")} || ':' || {invoice_text} AS "key", t.type AS type,
               p.id AS archive_id, p.invoice_id AS invoice_id, p.month AS month, p.consultant_id AS consultant_id,
               COALESCE(CASE t.type {archive_value} END, '') AS archive_value,
               COALESCE(CASE t.type {omd_value} END, '') AS omd_value
          FROM p JOIN types t ON (CASE t.type {holds} END)
         WHERE {any_check}
    )
    {_with_existing(sql)}"""


def _invoice_findings_select(sql: dict[str, str], scopes: _Scopes) -> str:
    """Invoices of the open months that no archive accounts for (``archive_missing``).

    Red-letter invoices and the invoices they voided never count. An invoice paired by VIN with an
    archive of the open months is already listed as that archive's ``invoice_number_mismatch``
    (read from the findings, cheap); the VIN lookup then only runs for the few invoices left, to
    catch pairings with archives of frozen months.
    """
    return f"""
    WITH found AS (
        SELECT 'archive_missing:0:' || {sql["id_text"].format(col="i.id")} AS "key", 'archive_missing' AS type,
               CAST(NULL AS bigint) AS archive_id, i.id AS invoice_id,
               {sql["month_of"].format(col="i.invoice_date")} AS month, CAST(NULL AS bigint) AS consultant_id,
               '' AS archive_value, i.invoice_number AS omd_value
          FROM customers_omdinvoice i
         WHERE {scopes.within("i.invoice_date")}
           AND i.amount >= 0 AND i.voided = {sql["false"]}
           AND NOT EXISTS (SELECT 1 FROM customers_salesarchive sa WHERE sa.invoice_number = i.invoice_number)
           AND NOT EXISTS (SELECT 1 FROM {FINDINGS} f
                            WHERE f.invoice_id = i.id AND f.type = 'invoice_number_mismatch')
           AND NOT EXISTS (SELECT 1 FROM customers_vehicle v JOIN customers_salesarchive sa ON sa.vehicle_id = v.id
                            WHERE v.vin = i.vin
                              AND NOT EXISTS (SELECT 1 FROM customers_omdinvoice j
                                               WHERE j.invoice_number = sa.invoice_number))
    )
    {_with_existing(sql)}"""


@dataclass
class ReconcileResult:
    found: int = 0
    created: int = 0
    updated: int = 0
    reopened: int = 0
    closed: int = 0


def _tune(cursor) -> None:
    if connection.vendor == "postgresql":
        # For this transaction only. JIT compiling these statements costs seconds and saves nothing;
        # the hash joins of a million rows want memory rather than temporary files; and the planner,
        # pricing the per-archive VIN lookup high, would otherwise run the joins below it on one core
        # (measured in bench/reconcile.py: 6.3 s → 4.0 s for the findings at a million archives).
        cursor.execute("SET LOCAL jit = off")
        cursor.execute("SET LOCAL work_mem = '256MB'")
        cursor.execute("SET LOCAL parallel_setup_cost = 10")
        cursor.execute("SET LOCAL parallel_tuple_cost = 0.001")


@transaction.atomic
def discrepancies_reconcile(*, scopes: list[ReconcileScope], today: date | None = None) -> ReconcileResult:
    """Find every mismatch in the scopes and make Discrepancy match them; safe to run any number of times.

    The staff's work (assignee, note, resolution) stays on each row across runs; a row whose
    mismatch is gone is closed, and opened again if the mismatch comes back.
    """
    today = today or timezone.localdate()
    now = timezone.now()
    vendor = connection.vendor
    sql = _sql(vendor)
    result = ReconcileResult()
    if not scopes:
        return result
    with connection.cursor() as cursor:
        _tune(cursor)
        if vendor == "postgresql":
            # Everything this transaction writes is derived from the archives and invoices: a run
            # lost to a crash right after its commit leaves the previous run's rows (consistent),
            # and the next run, finding no record of this one, computes them again. So the commit
            # of a few hundred MB of WAL need not wait for the disk (the caller's transaction only).
            cursor.execute("SET LOCAL synchronous_commit = off")
        ranges = _Scopes(scopes, sql)
        cursor.execute(f"DROP TABLE IF EXISTS {FINDINGS}")
        cursor.execute(
            sql["temp"].format(name=FINDINGS) + _archive_findings_select(sql, vendor, ranges),
            {**ranges.params, "today": today},
        )
        cursor.execute(f"CREATE INDEX {FINDINGS}_invoice ON {FINDINGS} (invoice_id)")
        cursor.execute(
            f"INSERT INTO {FINDINGS} ({FINDING_COLUMNS}, d_id, d_status, changed) "
            + _invoice_findings_select(sql, ranges),
            ranges.params,
        )
        cursor.execute(f"SELECT COUNT(*) FROM {FINDINGS}")
        result.found = cursor.fetchone()[0]
        cursor.execute(f"CREATE INDEX {FINDINGS}_d_id ON {FINDINGS} (d_id)")
        if vendor == "postgresql":
            cursor.execute(f"ANALYZE {FINDINGS}")
        # Rows no longer found: the data was corrected. (Before the inserts, which no finding points to.)
        cursor.execute(
            f"""UPDATE customers_discrepancy SET status = 'closed', closed_at = %(now)s
                 WHERE status <> 'closed' AND {ranges.within("month")}
                   AND NOT EXISTS (SELECT 1 FROM {FINDINGS} f WHERE f.d_id = customers_discrepancy.id)""",
            {**ranges.params, "now": now},
        )
        result.closed = cursor.rowcount
        # Rows that are new.
        cursor.execute(
            f"""INSERT INTO customers_discrepancy ("key", type, archive_id, invoice_id, month, consultant_id,
                    archive_value, omd_value, status, note, first_seen_at, last_seen_at)
                SELECT f."key", f.type, f.archive_id, f.invoice_id, f.month, f.consultant_id,
                       f.archive_value, f.omd_value, 'open', '', %s, %s
                  FROM {FINDINGS} f WHERE f.d_id IS NULL""",
            [now, now],
        )
        result.created = cursor.rowcount
        # Rows whose values changed (an archive or invoice was edited but still disagrees), and rows
        # closed earlier whose mismatch is back, opened again. The staff's work on them stays.
        cursor.execute(
            f"""UPDATE customers_discrepancy AS d
                   SET archive_value = f.archive_value, omd_value = f.omd_value, consultant_id = f.consultant_id,
                       month = f.month, last_seen_at = %s,
                       status = CASE WHEN d.status = 'closed' THEN 'open' ELSE d.status END,
                       closed_at = NULL
                  FROM {FINDINGS} f
                 WHERE d.id = f.d_id AND (f.changed = 1 OR f.d_status = 'closed')""",
            [now],
        )
        result.updated = cursor.rowcount
        cursor.execute(f"SELECT COUNT(*) FROM {FINDINGS} f WHERE f.d_status = 'closed'")
        result.reopened = cursor.fetchone()[0]
        if vendor == "postgresql" and result.created + result.closed > 10_000:
            # The roll-up reads this table next, in this transaction: give the planner its new size.
            cursor.execute("ANALYZE customers_discrepancy")
        cursor.execute(f"DROP TABLE IF EXISTS {FINDINGS}")
    return result


# Which discrepancy types fail which accuracy item: a missing or voided invoice fails all four.
FAILS = {
    "timeliness": ("late_invoice", "missing_in_omd", "voided_invoice"),
    "name": ("name_mismatch", "missing_in_omd", "voided_invoice"),
    "amount": ("amount_mismatch", "missing_in_omd", "voided_invoice"),
    "invoice_number": ("invoice_number_mismatch", "missing_in_omd", "voided_invoice"),
}


@dataclass
class AccuracyCounts:
    """Archives of one month (and consultant) checked, pending, and failed per invoice item."""

    month: date
    consultant_id: int | None
    checked: int
    pending: int
    failed: dict[str, int]


def accuracy_counts(*, scopes: list[ReconcileScope], today: date | None = None) -> list[AccuracyCounts]:
    """Per delivery month and consultant: how many archives were checked and how many failed each item.

    Three small aggregates joined: the archives per month and consultant; the pending ones (no
    invoice yet, deadline not passed: only archives delivered in the last few days can be, so the
    invoice lookups run for a handful of rows); and the failures, read from the current (not
    closed) discrepancies alone, which carry the archive's month and consultant. A pending archive
    has no discrepancy, so the failures never count one.
    """
    today = today or timezone.localdate()
    if not scopes:
        return []
    sql = _sql(connection.vendor)
    ranges = _Scopes(scopes, sql)
    recent = today - timedelta(days=max(scope.deadline_days for scope in scopes))
    flags = ",\n".join(
        f"MAX(CASE WHEN d.type IN ({', '.join(repr(t) for t in types)}) THEN 1 ELSE 0 END) AS f_{item}"
        for item, types in FAILS.items()
    )
    sums = ", ".join(f"SUM(f_{item}) AS f_{item}" for item in FAILS)
    failed = ", ".join(f"COALESCE(fails.f_{item}, 0)" for item in FAILS)
    month_of = sql["month_of"].format(col="sa.delivery_date")
    query = f"""
    WITH archives AS (
        SELECT {month_of} AS month, sa.consultant_id, COUNT(*) AS n
          FROM customers_salesarchive sa
         WHERE {ranges.within("sa.delivery_date")}
         GROUP BY {month_of}, sa.consultant_id
    ),
    pending AS (
        SELECT {month_of} AS month, sa.consultant_id, COUNT(*) AS n
          FROM customers_salesarchive sa
         WHERE {ranges.within("sa.delivery_date")} AND sa.delivery_date >= %(recent)s
           AND {ranges.deadline("sa.delivery_date")} >= %(today)s
           AND NOT EXISTS (SELECT 1 FROM customers_omdinvoice i WHERE i.invoice_number = sa.invoice_number)
           AND NOT EXISTS (SELECT 1 FROM customers_omdinvoice i JOIN customers_vehicle v ON v.vin = i.vin
                            WHERE v.id = sa.vehicle_id AND i.voided = {sql["false"]} AND i.amount >= 0)
         GROUP BY {month_of}, sa.consultant_id
    ),
    per_archive AS (
        SELECT d.month, d.consultant_id, {flags}
          FROM customers_discrepancy d
         WHERE d.status <> 'closed' AND d.archive_id IS NOT NULL AND {ranges.within("d.month")}
         GROUP BY d.archive_id, d.month, d.consultant_id
    ),
    fails AS (
        SELECT month, consultant_id, {sums} FROM per_archive GROUP BY month, consultant_id
    )
    SELECT archives.month, archives.consultant_id, archives.n - COALESCE(pending.n, 0) AS checked,
           COALESCE(pending.n, 0) AS pending, {failed}
      FROM archives
      LEFT JOIN pending ON pending.month = archives.month AND pending.consultant_id = archives.consultant_id
      LEFT JOIN fails ON fails.month = archives.month AND fails.consultant_id = archives.consultant_id
    """
    results: list[AccuracyCounts] = []
    with transaction.atomic(), connection.cursor() as cursor:
        _tune(cursor)
        cursor.execute(query, {**ranges.params, "today": today, "recent": recent})
        for month, consultant_id, checked, pending, *failures in cursor.fetchall():
            if isinstance(month, str):
                month = date.fromisoformat(month[:10])
            results.append(
                AccuracyCounts(
                    month,
                    consultant_id,
                    int(checked or 0),
                    int(pending or 0),
                    {item: int(n or 0) for item, n in zip(FAILS, failures, strict=True)},
                )
            )
    return results


# What the findings are computed from, column by column: a change to any of them (or a row added
# or removed) changes the fingerprint. Whole tables, not the open months: pairings cross months.
INPUT_COLUMNS = {
    "customers_salesarchive": (
        "id",
        "vehicle_id",
        "consultant_id",
        "invoice_number",
        "delivery_date",
        "invoice_amount",
        "invoice_name",
        "invoice_name_key",
    ),
    "customers_vehicle": ("id", "vin"),
    "customers_omdinvoice": (
        "id",
        "invoice_number",
        "invoice_date",
        "amount",
        "customer_name",
        "customer_name_key",
        "vin",
        "voided",
    ),
}
# What the reconciliation itself writes and reads back (and staff may change).
OUTPUT_COLUMNS = {
    "customers_discrepancy": ("id", "key", "status", "month", "consultant_id", "archive_value", "omd_value"),
}


def _row_hash() -> str:
    """The SQL hash of one row's text: PostgreSQL's hashtext, or a CRC32 registered on the SQLite connection."""
    if connection.vendor == "postgresql":
        return "hashtext"
    connection.connection.create_function(
        "cs_reconcile_hash", 1, lambda text: zlib.crc32(text.encode()), deterministic=True
    )
    return "cs_reconcile_hash"


def tables_fingerprint(tables: dict[str, tuple[str, ...]]) -> str:
    """A digest of the tables' rows (count and sum of row hashes per table): equal when nothing changed.

    One scan per table, no join: a small fraction of a reconciliation (bench/reconcile.py).
    """
    with connection.cursor() as cursor:
        function = _row_hash()
        parts = []
        for table, columns in tables.items():
            text = " || '|' || ".join(f"COALESCE(CAST({column} AS TEXT), '')" for column in columns)
            parts.append(
                f"(SELECT CAST(COUNT(*) AS TEXT) || ':' || CAST(COALESCE(SUM({function}({text})), 0) AS TEXT)"
                f" FROM {table})"
            )
        cursor.execute("SELECT " + ", ".join(parts))
        values = cursor.fetchone()
    return hashlib.sha256("/".join(map(str, values)).encode()).hexdigest()


def deadlines_passed(*, scopes: list[ReconcileScope], since: date, today: date) -> bool:
    """Whether moving the run date from ``since`` to ``today`` can change a finding or a pending count.

    Only an archive whose invoicing deadline falls in [since, today) changes from pending to
    missing; when no archive was delivered in that window, the same data gives the same results.
    """
    if today == since:
        return False
    if today < since or not scopes:
        return True
    latest = max(scope.deadline_days for scope in scopes)
    earliest = min(scope.deadline_days for scope in scopes)
    from customers.models import SalesArchive

    return SalesArchive.objects.filter(
        delivery_date__gte=since - timedelta(days=latest), delivery_date__lt=today - timedelta(days=earliest)
    ).exists()


def discrepancy_counts_by_status() -> dict[str, int]:
    from django.db.models import Count

    return dict(Discrepancy.objects.values_list("status").annotate(n=Count("id")).values_list("status", "n"))
