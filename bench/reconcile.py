"""Nightly reconciliation at full size: 1,000,000 archives against 1,000,000 OMD invoices.

The targets (issue 5, "Performance"), all measured in one run on PostgreSQL:

* the full nightly run (every month open, discrepancies written, roll-up stored) in at most 3×
  the floor, a bare single-statement join of the two tables on invoice number, and under 60 s;
* a second run with nothing changed in at most half the first run's time;
* the accuracy API under 50 ms server time (it reads the stored roll-up).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test .venv/bin/python bench/reconcile.py
    ... bench/reconcile.py --archives 100000        # a quick run
    ... bench/reconcile.py --explain                # EXPLAIN ANALYZE every statement of a run

The script creates its own database (``cs_reconcile_bench``, dropped first; DATABASE_URL only says
where the server is), migrates it and loads the rows with COPY. Archives are delivered over
2010–2011 (the years the accuracy rules are seeded for); in every block of 20 archives one has no
invoice in OMD, one a late invoice, one another name, one another amount, one its invoice under
another number (found by VIN), one a voided invoice (with its red-letter row), and the rest match;
5% more invoices have no archive. Times are wall time on the same machine, an upper bound on the
server's time.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

from customer_search import GIVEN, SURNAMES, bench_database, copy_rows, mobile, vin  # noqa: E402

FLOOR_RATIO_TARGET = 3.0
FULL_RUN_LIMIT_S = 60.0
RERUN_RATIO_TARGET = 0.5
API_TARGET_MS = 50.0
TODAY = date(2012, 1, 20)  # every month of 2010–2011 past its deadline days
FIRST_DAY, DAYS = date(2010, 1, 1), 730
KINDS = (
    "missing_in_omd",
    "late_invoice",
    "name_mismatch",
    "amount_mismatch",
    "invoice_number_mismatch",
    "voided_invoice",
)
PRICES = (139800, 199800, 239800, 99800, 109800, 179800, 149800, 99900, 219800)


def ts(day: date) -> str:
    return f"{day.isoformat()} 10:00:00+08"


class Dataset:
    """Archives, their vehicles and customers, and the OMD invoices with known discrepancies."""

    def __init__(self, archives: int, seed: int = 2011) -> None:
        self.n_archives = archives
        self.n_customers = max(1, archives // 5)
        self.rng = random.Random(seed)
        self.names = [
            self.rng.choice(SURNAMES) + "".join(self.rng.choices(GIVEN, k=self.rng.choice((1, 2, 2))))
            for _ in range(self.n_customers)
        ]
        self.expected: Counter[str] = Counter()
        self.invoices = 0

    def holder(self, k: int) -> int:
        return k % self.n_customers

    def delivered(self, k: int) -> date:
        return FIRST_DAY + timedelta(days=(k * 7919) % DAYS)

    def customer_rows(self) -> Iterator[tuple]:
        now = datetime.now(UTC).isoformat()
        for i, name in enumerate(self.names):
            yield (
                i + 1,
                name,
                name,
                mobile(i),
                "",
                "U",
                "\\N",
                "",
                "individual",
                "sales",
                "f",
                "",
                "\\N",
                "",
                "\\N",
                now,
                now,
            )

    def vehicle_rows(self) -> Iterator[tuple]:
        now = datetime.now(UTC).isoformat()
        for k in range(self.n_archives):
            delivered = self.delivered(k)
            yield (
                k + 1,
                vin(k, k % 9, min(delivered.year, 2012)),
                "",
                "朗逸",
                "",
                delivered.isoformat(),
                self.holder(k) + 1,
                "",
                "",
                "\\N",
                ts(delivered),
                now,
            )

    def archive_rows(self, consultants: list[int]) -> Iterator[tuple]:
        now = datetime.now(UTC).isoformat()
        for k in range(self.n_archives):
            delivered = self.delivered(k)
            name = self.names[self.holder(k)]
            yield (
                k + 1,
                k + 1,
                self.holder(k) + 1,
                consultants[k % len(consultants)],
                (delivered - timedelta(days=5)).isoformat(),
                delivered.isoformat(),
                self.number(k),
                (delivered + timedelta(days=k % 3)).isoformat(),
                f"{PRICES[k % 9]}.00",
                name,
                name,
                mobile(self.holder(k)),
                ts(delivered),
                "\\N",
                "\\N",
                now,
            )

    @staticmethod
    def number(k: int) -> str:
        # 8 digits starting with 1; a number under another number starts with 2, a red-letter
        # invoice with 7 and an invoice without archive with 6, so they never collide.
        return f"1{(k * 7919 + 873_415) % 10**7:07d}"

    def invoice_rows(self) -> Iterator[tuple]:
        """One invoice per archive as its kind says (none, or two for a void), then invoices without archive."""
        now = datetime.now(UTC).isoformat()
        next_id = 0

        def row(
            number: str, day: date, name: str, vin_: str, amount: int, voided: bool = False, original: str = ""
        ) -> tuple:
            nonlocal next_id
            next_id += 1
            # name_key of these plain names: the name without any space (the validators' rule).
            key = "".join(name.replace("\u3000", " ").split())
            return (
                next_id,
                number,
                day.isoformat(),
                name,
                key,
                "",
                vin_,
                "朗逸",
                f"{amount}.00",
                "",
                "",
                "\\N",
                original,
                "t" if voided else "f",
                "\\N",
                "\\N",
                now,
                now,
            )

        for k in range(self.n_archives):
            kind = k % 20
            delivered, name, number = self.delivered(k), self.names[self.holder(k)], self.number(k)
            vin_, amount = vin(k, k % 9, delivered.year), PRICES[k % 9]
            invoiced = delivered + timedelta(days=k % 4)  # 0–3 days after delivery: timely
            if kind == 0:
                self.expected["missing_in_omd"] += 1
                continue
            if kind == 1:
                invoiced = delivered + timedelta(days=4 + k % 10)
                self.expected["late_invoice"] += 1
            elif kind == 2:
                other = self.names[(self.holder(k) + 7) % self.n_customers]
                self.expected["name_mismatch"] += other != name
                name = other
            elif kind == 3:
                amount -= 2000
                self.expected["amount_mismatch"] += 1
            elif kind == 4:
                number = "2" + number[1:]
                self.expected["invoice_number_mismatch"] += 1
            elif kind == 5:
                # The archive names an invoice that a red-letter invoice voided (voided_by left empty:
                # the reconciliation reads the flag).
                self.expected["voided_invoice"] += 1
                yield row(number, invoiced, name, vin_, amount, voided=True)
                yield row("7" + number[1:], invoiced + timedelta(days=2), name, vin_, -amount, original=number)
                continue
            elif kind == 6:
                name = name[0] + "\u3000" + name[1:]  # a full-width space: still the same name
            yield row(number, invoiced, name, vin_, amount)
        self.invoices = next_id
        for j in range(self.n_archives // 20):  # sold by the dealer, never handed in as an archive
            day = FIRST_DAY + timedelta(days=(j * 13) % DAYS)
            self.expected["archive_missing"] += 1
            yield row(f"6{j:07d}", day, self.names[j % self.n_customers], f"LFV2A21K0B{j:07d}", PRICES[j % 9])
        self.invoices = next_id


# --- loading -----------------------------------------------------------------------------------

CUSTOMER_COLUMNS = [
    "id",
    "name",
    "name_key",
    "mobile",
    "phone2",
    "gender",
    "birthday",
    "address",
    "kind",
    "source",
    "do_not_call",
    "do_not_call_reason",
    "do_not_call_since",
    "notes",
    "batch_id",
    "created_at",
    "updated_at",
]
VEHICLE_COLUMNS = [
    "id",
    "vin",
    "plate",
    "model_name",
    "colour",
    "delivery_date",
    "holder_id",
    "user_name",
    "user_phone",
    "batch_id",
    "created_at",
    "updated_at",
]
ARCHIVE_COLUMNS = [
    "id",
    "vehicle_id",
    "customer_id",
    "consultant_id",
    "deal_date",
    "delivery_date",
    "invoice_number",
    "invoice_date",
    "invoice_amount",
    "invoice_name",
    "invoice_name_key",
    "archive_phone",
    "submitted_at",
    "submitted_by_id",
    "batch_id",
    "updated_at",
]
INVOICE_COLUMNS = [
    "id",
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
    "voided",
    "voided_by_id",
    "batch_id",
    "created_at",
    "updated_at",
]


def load(data: Dataset) -> None:
    import contextlib

    from django.db import DatabaseError, connection

    from customers.models import Customer, OmdInvoice, SalesArchive, Vehicle
    from dealership_cs.models import Staff

    consultants = [
        Staff.objects.create(
            name=f"顾问{n:02d}", department="sales", position="sales_consultant", employee_number=f"S{n:03d}"
        ).pk
        for n in range(1, 21)
    ]
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit = off")
    steps = (
        (Customer, CUSTOMER_COLUMNS, data.customer_rows),
        (Vehicle, VEHICLE_COLUMNS, data.vehicle_rows),
        (SalesArchive, ARCHIVE_COLUMNS, lambda: data.archive_rows(consultants)),
        (OmdInvoice, INVOICE_COLUMNS, data.invoice_rows),
    )
    for model, columns, rows in steps:
        started = time.perf_counter()
        count = copy_rows(model, columns, rows())
        print(f"  {model._meta.db_table:<24} {count:>9,} rows  {time.perf_counter() - started:6.1f} s")
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE)")
        with contextlib.suppress(DatabaseError):
            cursor.execute("CHECKPOINT")
        cursor.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
        size = cursor.fetchone()[0]
    print(f"  VACUUM (ANALYZE) {time.perf_counter() - started:.1f} s; database size {size}")


# --- measuring ---------------------------------------------------------------------------------

FLOOR_SQL = {
    "join on invoice number, count only": """
        SELECT COUNT(*) FROM customers_salesarchive a
          JOIN customers_omdinvoice i ON i.invoice_number = a.invoice_number""",
    "join on invoice number, comparing the pairs": """
        SELECT COUNT(*) FROM customers_salesarchive a
          JOIN customers_omdinvoice i ON i.invoice_number = a.invoice_number
         WHERE i.invoice_date > a.delivery_date + 3 OR i.customer_name_key <> a.invoice_name_key
            OR i.amount <> a.invoice_amount OR i.voided""",
    "join on invoice number, pairs written to a table": """
        CREATE TEMP TABLE bench_floor ON COMMIT DROP AS
        SELECT a.id AS archive_id, i.id AS invoice_id, a.delivery_date, i.invoice_date, a.invoice_name_key,
               i.customer_name_key, a.invoice_amount, i.amount, i.voided
          FROM customers_salesarchive a JOIN customers_omdinvoice i ON i.invoice_number = a.invoice_number""",
}
# The floor the first target is measured against: the bare join that reads what the checks compare.
FLOOR = "join on invoice number, comparing the pairs"


def best_of(runs: int, function: Callable[[], object]) -> tuple[float, object]:
    times, result = [], None
    for _ in range(runs):
        started = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - started)
    return min(times), result


def measure_floor() -> dict[str, float]:
    from django.db import connection, transaction

    floors = {}
    for label, sql in FLOOR_SQL.items():

        def run(sql: str = sql) -> int:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(sql)
                if cursor.description is None:  # CREATE TABLE AS: the rows written
                    rows = cursor.rowcount
                    transaction.set_rollback(True)
                    return rows
                return cursor.fetchone()[0]

        seconds, rows = best_of(3, run)
        floors[label] = seconds
        print(f"  {label:<46} {seconds:7.2f} s   ({rows:,} rows)")
    return floors


def reconcile_run(label: str, **kwargs) -> tuple[float, object]:
    """One run of the service, timed, with its eight slowest statements (the commit included)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from reports.services import accuracy_reconcile

    with CaptureQueriesContext(connection) as captured:
        started = time.perf_counter()
        result = accuracy_reconcile(today=TODAY, **kwargs)
        seconds = time.perf_counter() - started
    print(
        f"  {label:<46} {seconds:7.2f} s   months={len(result.months)} found={result.found:,} "
        f"created={result.created:,} updated={result.updated:,} closed={result.closed:,} "
        f"frozen={len(result.frozen)}"
    )
    slowest = sorted(captured.captured_queries, key=lambda q: -float(q["time"]))[:8]
    for query in slowest:
        print(f"      {float(query['time']):6.2f} s  {' '.join(query['sql'].split())[:90]}")
    rest = seconds - sum(float(q["time"]) for q in slowest)
    print(f"      {rest:6.2f} s  everything else ({len(captured) - len(slowest)} statements, Python)")
    return seconds, result


def check_counts(data: Dataset) -> bool:
    from django.db.models import Count

    from customers.models import Discrepancy

    found = dict(Discrepancy.objects.exclude(status="closed").values_list("type").annotate(n=Count("id")))
    print(f"  {'type':<26} {'expected':>9} {'found':>9}")
    ok = True
    for kind in (*KINDS, "archive_missing"):
        same = found.get(kind, 0) == data.expected[kind]
        ok &= same
        print(f"  {kind:<26} {data.expected[kind]:>9,} {found.get(kind, 0):>9,}  {'' if same else 'DIFFERENT'}")
    return ok


def measure_api() -> float:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from reports.selectors import accuracy_month_api

    user, _created = get_user_model().objects.get_or_create(username="bench.manager")
    user.groups.add(Group.objects.get(name="manager"))
    client = Client(SERVER_NAME="localhost")
    client.force_login(user)
    url = "/api/accuracy/?month=2011-08"
    client.get(url)
    times = []
    for _ in range(30):
        started = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
    with CaptureQueriesContext(connection) as captured:
        accuracy_month_api(date(2011, 8, 1))
    data = response.json()
    print(
        f"  GET {url}: status {response.status_code}, median {statistics.median(times):.1f} ms, "
        f"max {max(times):.1f} ms; the selector alone: {len(captured)} queries"
    )
    print(
        f"  total {data['total']} partial {data['partial']}; "
        + ", ".join(f"{item} {figures['score']}" for item, figures in data["items"].items())
    )
    return statistics.median(times)


def explain_run() -> None:
    """EXPLAIN ANALYZE each statement of a run over 50 ms (auto_explain, in a transaction rolled back)."""
    from django.db import DatabaseError, connection, transaction

    from reports.services import accuracy_reconcile

    print("\nEXPLAIN ANALYZE of the run's statements over 50 ms (auto_explain; the run is rolled back)")
    with transaction.atomic():
        with connection.cursor() as cursor:
            try:
                cursor.execute("LOAD 'auto_explain'")
            except DatabaseError as exc:
                print(f"  (auto_explain not available: {exc})")
                transaction.set_rollback(True)
                return
            for setting in (
                "log_min_duration = 50",
                "log_analyze = on",
                "log_buffers = on",
                "log_timing = on",
                "log_level = notice",
                "log_nested_statements = on",
            ):
                cursor.execute(f"SET LOCAL auto_explain.{setting}")
        from reports.models import ReconcileRun

        ReconcileRun.objects.all().delete()  # recompute everything (rolled back with the rest)
        raw = connection.connection
        raw.notices.clear()
        accuracy_reconcile(today=TODAY, freeze=False)
        transaction.set_rollback(True)
    for notice in raw.notices:
        print("  " + notice.strip().replace("\n", "\n    "))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--archives", type=int, default=1_000_000)
    parser.add_argument("--database", default="cs_reconcile_bench", help="the bench database (dropped and created)")
    parser.add_argument("--explain", action="store_true", help="EXPLAIN ANALYZE every statement of a run")
    parser.add_argument("--reuse", action="store_true", help="keep the loaded database (skip drop, migrate, load)")
    parser.add_argument("--load-only", action="store_true", help="create and load the database, then stop")
    args = parser.parse_args()

    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit(
            "DATABASE_URL must point at PostgreSQL, e.g. postgres://postgres@127.0.0.1:5432/test "
            "(the bench creates its own database next to it)."
        )
    data = Dataset(args.archives)
    if args.reuse:
        from urllib.parse import urlsplit, urlunsplit

        parts = urlsplit(url)
        os.environ["DATABASE_URL"] = urlunsplit((parts.scheme, parts.netloc, f"/{args.database}", "", ""))
    else:
        os.environ["DATABASE_URL"] = bench_database(url, args.database)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dealership_cs.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    print(
        f"database {args.database}: {args.archives:,} archives (and their vehicles), "
        f"{data.n_customers:,} customers, OMD invoices as below"
    )
    if args.reuse:
        list(data.invoice_rows())  # the expected counts
        call_command("migrate", verbosity=0)  # a migration added since the database was loaded
        with connection.cursor() as cursor:
            cursor.execute(
                "TRUNCATE customers_discrepancy, reports_accuracyscore, reports_accuracymonth, "
                "reports_reconcilerun CASCADE"
            )
            cursor.execute("VACUUM ANALYZE customers_discrepancy")
    else:
        started = time.perf_counter()
        call_command("migrate", verbosity=0)
        print(f"  migrate {time.perf_counter() - started:.1f} s")
        load(data)
    print(f"  OMD invoices: {data.invoices:,} (red-letter rows included)")
    if args.load_only:
        return

    print("\nthe floor: one statement joining the two tables on invoice number (best of 3)")
    floors = measure_floor()
    floor = floors[FLOOR]

    print("\nthe nightly reconciliation (reports.services.accuracy_reconcile, every month open)")
    first, result = reconcile_run("first run (all discrepancies new)", freeze=False)
    second, again = reconcile_run("second run, nothing changed", freeze=False)
    counts_ok = check_counts(data)
    nothing_new = again.created == again.updated == again.closed == 0
    from reports.models import ReconcileRun

    ReconcileRun.objects.all().delete()  # forget the digests: what recomputing everything costs
    recompute, again2 = reconcile_run("third run, nothing changed, digests forgotten", freeze=False)
    nothing_new = nothing_new and again2.created == again2.updated == again2.closed == 0
    nightly, _ = reconcile_run("a nightly run that also freezes the months")

    print("\nthe accuracy API (stored roll-up)")
    api_ms = measure_api()
    if args.explain:
        from reports.models import AccuracyMonth

        AccuracyMonth.objects.update(frozen=False)
        explain_run()

    targets = [
        (
            first <= FLOOR_RATIO_TARGET * floor,
            f"first run {first:.2f} s ≤ {FLOOR_RATIO_TARGET:g}× the floor ({floor:.2f} s → "
            f"{FLOOR_RATIO_TARGET * floor:.2f} s): ratio {first / floor:.2f}",
        ),
        (first < FULL_RUN_LIMIT_S, f"first run {first:.2f} s < {FULL_RUN_LIMIT_S:.0f} s"),
        (
            second <= RERUN_RATIO_TARGET * first,
            f"second run {second:.2f} s ≤ half the first ({RERUN_RATIO_TARGET * first:.2f} s): "
            f"ratio {second / first:.2f}",
        ),
        (nothing_new, "second run changes nothing (created=updated=closed=0)"),
        (counts_ok, "discrepancies found = discrepancies generated, per type"),
        (api_ms < API_TARGET_MS, f"accuracy API median {api_ms:.1f} ms < {API_TARGET_MS:.0f} ms"),
    ]
    print()
    for ok, text in targets:
        print(f"{'PASS' if ok else 'FAIL'}: {text}")
    print(
        "(for reference: the first run is "
        + ", ".join(f"{first / seconds:.1f}× the {label}" for label, seconds in floors.items())
        + f"; the second run {'found nothing changed' if again.unchanged else 'recomputed'}; recomputing "
        f"with nothing changed took {recompute:.2f} s ({recompute / first:.2f}× the first run); the nightly "
        f"run that also froze the months took {nightly:.2f} s)"
    )
    sys.exit(0 if all(ok for ok, _ in targets) else 1)


if __name__ == "__main__":
    main()
