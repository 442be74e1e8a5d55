"""Customer care at full size: invitations and lifecycle reminders on 1,000,000 customers in PostgreSQL.

The targets (issue 12, "Performance"), measured in one run:

* inviting a segment of 50,000 customers out of 1,000,000 (``activity_invite``: the invitations
  and their ``invitation`` callback tasks, set-based) takes under 10 s;
* the day's lifecycle reminders on 1,000,000 vehicles (``reminders_generate(on=today)``, and the
  whole nightly ``callbacks_generate``) take under 10 s.

Each beside a named alternative measured in the same run: a bare ``INSERT … SELECT`` of the
segment's invitations (and of as many callback tasks), a bare ``COUNT`` of the vehicles whose
delivery anniversary falls in the insurance window and a full scan of the vehicle table.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test .venv/bin/python bench/care.py
    ... bench/care.py --customers 100000 --keep       # a quick run, database kept
    ... bench/care.py --reuse --keep                  # measure the kept database again (same day)
    ... bench/care.py --explain                       # EXPLAIN ANALYZE the slowest statements

The script creates its own database (``cs_care_bench``, dropped first; DATABASE_URL only says
where the server is), migrates it (the migrations seed the callback and reminder rules and the
inspection schedule), loads with COPY as many vehicles as customers, each customer holding one
(about one in 20 is a 高尔夫: the segment of about 50,000), birthdays spread over the year (one
customer in ten without one, 29 February included), deliveries spread over the last 15 years,
service visits (60% maintenance) spread over the same years up to yesterday, each after its car's
delivery, mileage growing with the car's age, and a million closed reminders of earlier nights
(``--history``); one customer in 200 asked not to be called. Everything the measurements write is rolled back.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import statistics
import sys
import time
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

from customer_search import (  # noqa: E402
    CAR_MODELS,
    GIVEN,
    SURNAMES,
    copy_rows,
    django_on_bench_database,
    mobile,
    plate,
    vin,
)
from fake_data import TASK_COLUMNS, VISIT_COLUMNS  # noqa: E402
from reconcile import CUSTOMER_COLUMNS, VEHICLE_COLUMNS  # noqa: E402

INVITE_TARGET_S = 10.0
REMINDER_TARGET_S = 10.0
SEGMENT_MODEL = "高尔夫"  # held by about 5% of the customers
SEGMENT_SHARE = 0.05
DO_NOT_CALL = 200  # one customer in DO_NOT_CALL asked not to be called
NO_BIRTHDAY = 10  # one customer in NO_BIRTHDAY has no birthday on file
YEARS = 15  # deliveries spread over the last 15 years
VISIT_KINDS = (("maintenance", 60), ("repair", 20), ("warranty", 8), ("accident", 7), ("other", 5))
HISTORY_KINDS = ("birthday", "insurance", "inspection", "maintenance")
N = "\\N"


def ts(moment: datetime) -> str:
    """A Shanghai wall-clock time as COPY text."""
    return f"{moment:%Y-%m-%d %H:%M:%S}+08"


class Plan:
    """The rows: customers, one vehicle each (a permutation), visits over the cars' lives."""

    def __init__(self, customers: int, visits: int, history: int, today: date, seed: int = 12):
        if customers > 1_000_000:
            sys.exit("--customers: at most 1,000,000 (the VIN serials are unique below that)")
        if customers % 7919 == 0:
            sys.exit("--customers: not a multiple of 7919")
        self.n_customers = self.n_vehicles = customers
        self.n_visits = visits
        self.n_history = history
        self.today = today
        self.rng = random.Random(seed)
        self.span = span = (today - today.replace(year=today.year - YEARS)).days
        # Delivered 1 … span days ago; the visits come later, so the cars' delivery dates are kept.
        self.delivered = [today.toordinal() - self.rng.randrange(1, span + 1) for _ in range(customers)]

    @staticmethod
    def do_not_call(customer: int) -> bool:
        return customer % DO_NOT_CALL == 7

    def holder(self, k: int) -> int:
        """The customer (0-based) holding car k: 7919 is prime to the count, so a permutation."""
        return (k * 7919) % self.n_customers

    def customer_rows(self) -> Iterator[tuple]:
        rng, now = self.rng, ts(datetime.combine(self.today, datetime.min.time()))
        first, days = date(1950, 1, 1).toordinal(), (date(1995, 12, 31) - date(1950, 1, 1)).days
        for i in range(self.n_customers):
            name = rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.choice((1, 2, 2))))
            dnc = self.do_not_call(i)
            birthday = N if i % NO_BIRTHDAY == 3 else date.fromordinal(first + rng.randrange(days)).isoformat()
            yield (
                i + 1,
                name,
                name,
                mobile(i),
                "",
                rng.choice("MMMFU"),
                birthday,
                "",
                "individual",
                "sales",
                "t" if dnc else "f",
                "客户要求不再回访" if dnc else "",
                "2010-01-01" if dnc else N,
                "",
                N,
                now,
                now,
            )

    def vehicle_rows(self) -> Iterator[tuple]:
        now = ts(datetime.combine(self.today, datetime.min.time()))
        for k in range(self.n_vehicles):
            delivered = date.fromordinal(self.delivered[k])
            model = k % len(CAR_MODELS)
            # Drawn, not k % 20: the holders are a linear permutation, which would keep the
            # do-not-call customers (i % 200 == 7) out of the segment altogether.
            name = SEGMENT_MODEL if self.rng.random() < SEGMENT_SHARE else CAR_MODELS[model][0]
            yield (
                k + 1,
                vin(k, model, min(max(delivered.year, 2005), 2012)),
                plate(k),
                name,
                "白色",
                delivered.isoformat(),
                self.holder(k) + 1,
                "",
                "",
                N,
                f"{delivered.isoformat()} 10:00:00+08",
                now,
            )

    def visit_rows(self) -> Iterator[tuple]:
        rng, today = self.rng, self.today.toordinal()
        kinds = [kind for kind, weight in VISIT_KINDS for _ in range(weight)]
        now = ts(datetime.combine(self.today, datetime.min.time()))
        j = 0
        while j < self.n_visits:
            # A day over the 15 years, up to yesterday, after the car's delivery: about as many
            # visits a day as a dealer's workshop sees, not every car's visits crowding the last days.
            k = rng.randrange(self.n_vehicles)
            after = today - rng.randrange(1, self.span) - self.delivered[k]
            if after < 1:
                continue
            day = date.fromordinal(self.delivered[k] + after)
            opened = datetime(day.year, day.month, day.day, 8 + rng.randrange(9), rng.randrange(60))
            mileage = int(after / 365 * 15_000 * rng.uniform(0.6, 1.4)) + 10
            j += 1
            yield (
                j,
                f"RO{j:09d}",
                k + 1,
                self.holder(k) + 1,
                N,
                kinds[rng.randrange(100)],
                ts(opened),
                ts(opened + timedelta(hours=2)),
                mileage,
                f"{300 + (j * 7) % 3000}.00",
                N,
                ts(opened),
                now,
            )

    def history_rows(self, rules: dict[str, tuple[int, int, int]]) -> Iterator[tuple]:
        """Reminders of the nights before (closed): the table the night's inserts and counts meet.

        Kind by kind, vehicle by vehicle, one a year, their dates at least 45 days back (out of
        every window), so none is a reminder the night would create.
        """
        for j in range(self.n_history):
            kind = HISTORY_KINDS[j % len(HISTORY_KINDS)]
            rule_id, lead, expires_after = rules[kind]
            k, rounds = (j // len(HISTORY_KINDS)) % self.n_vehicles, j // len(HISTORY_KINDS) // self.n_vehicles
            event = self.today - timedelta(days=45 + k % 300 + 365 * rounds)
            due = event - timedelta(days=lead)
            done = j % 10 < 7
            yield (
                j + 1,
                kind,
                self.holder(k) + 1,
                N if kind == "birthday" else k + 1,
                N,
                N,
                N,
                rule_id,
                event.isoformat(),
                due.isoformat(),
                (due + timedelta(days=expires_after)).isoformat(),
                N,
                N,
                "done" if done else "expired",
                1 if done else 0,
                N,
                "confirmed" if done else "",
                f"{due.isoformat()} 02:00:00+08",
                f"{(due + timedelta(days=1 if done else expires_after)).isoformat()} 02:00:00+08",
            )


# --- the database ------------------------------------------------------------------------------


def drop_database(url: str, name: str) -> None:
    import psycopg2

    parts = urlsplit(url)
    admin = psycopg2.connect(
        dbname="postgres",
        user=parts.username or "postgres",
        password=parts.password or None,
        host=parts.hostname or "127.0.0.1",
        port=parts.port or 5432,
    )
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.close()


def load(plan: Plan) -> None:
    from django.db import DatabaseError, connection

    from callbacks.models import CallbackRule, CallbackTask, ReminderRule
    from customers.models import Customer, ServiceVisit, Vehicle

    leads = dict(ReminderRule.objects.values_list("kind", "lead_days"))
    rules = {r.kind: (r.pk, leads[r.kind], r.expires_after_days) for r in CallbackRule.objects.filter(kind__in=leads)}
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit = off")
    steps = (
        (Customer, CUSTOMER_COLUMNS, plan.customer_rows),
        (Vehicle, VEHICLE_COLUMNS, plan.vehicle_rows),
        (ServiceVisit, VISIT_COLUMNS, plan.visit_rows),
        (CallbackTask, TASK_COLUMNS, lambda: plan.history_rows(rules)),
    )
    for model, columns, rows in steps:
        started = time.perf_counter()
        count = copy_rows(model, columns, rows())
        print(f"  {model._meta.db_table:<26} {count:>9,} rows  {time.perf_counter() - started:6.1f} s")
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE)")
        with contextlib.suppress(DatabaseError):
            cursor.execute("CHECKPOINT")
        cursor.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
        size = cursor.fetchone()[0]
        cursor.execute("CREATE TABLE bench_meta (key text PRIMARY KEY, value text)")
        cursor.execute("INSERT INTO bench_meta VALUES ('today', %s)", [plan.today.isoformat()])
    print(f"  VACUUM (ANALYZE) {time.perf_counter() - started:.1f} s; database size {size}")


# --- measuring ---------------------------------------------------------------------------------


def explain(sql: str, params=None, indent: str = "      ") -> None:
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
        for (line,) in cursor.fetchall():
            print(indent + line)
        transaction.set_rollback(True)


def slowest(captured, count: int) -> list[dict]:
    return sorted(captured.captured_queries, key=lambda q: -float(q["time"]))[:count]


def show_slowest(captured, total: float, count: int, show_explain: bool) -> None:
    queries = slowest(captured, count)
    for query in queries:
        print(f"      {float(query['time']):6.3f} s  {' '.join(query['sql'].split())[:120]}")
    rest = total - sum(float(q["time"]) for q in queries)
    print(f"      {rest:6.3f} s  everything else ({max(len(captured) - count, 0)} statements, Python)")
    if show_explain:
        for query in queries[:3]:
            if query["sql"].lstrip().upper().startswith(("SELECT", "UPDATE", "INSERT")):
                print("    " + " ".join(query["sql"].split())[:120])
                explain(query["sql"])


def vacuum(*tables: str) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"VACUUM (ANALYZE) {table}")


def median(values: list[float]) -> float:
    return statistics.median(values)


def runs(values: list[float]) -> str:
    return ", ".join(f"{v:.2f}" for v in values)


def care_activity(today: date):
    """A planned activity three weeks ahead in its year's approved plan (created once)."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from care_events.models import CareActivity, CarePlan

    starts = today + timedelta(days=21)
    user, _ = get_user_model().objects.get_or_create(username="bench.care")
    plan, _ = CarePlan.objects.get_or_create(
        year=starts.year,
        defaults={
            "title": f"{starts.year}年客户关怀计划",
            "total_budget": 500_000,
            "owner": user,
            "status": "approved",
            "approved_by": user,
            "approved_at": timezone.now(),
        },
    )
    activity, _ = CareActivity.objects.get_or_create(
        plan=plan,
        name=f"{SEGMENT_MODEL}车主免费检测日",
        defaults={
            "kind": CareActivity.Kind.FREE_INSPECTION,
            "planned_scale": 50_000,
            "starts_on": starts,
            "ends_on": starts,
            "status": CareActivity.Status.PLANNED,
        },
    )
    return activity, user


def measure_invite(today: date, repeat: int, show_explain: bool) -> dict:
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from callbacks.models import CallbackTask
    from care_events.models import Invitation
    from care_events.selectors_invitations import Segment, segment_preview
    from care_events.services.invitations import activity_invite

    activity, user = care_activity(today)
    segment = Segment(vehicle_model=SEGMENT_MODEL)
    print(f"\ninvitation: activity_invite(segment=Segment(vehicle_model={SEGMENT_MODEL!r})), each run rolled back")
    started = time.perf_counter()
    preview = segment_preview(activity=activity, segment=segment, today=today)
    preview_time = time.perf_counter() - started
    print(
        f"  preview: matched {preview.matched:,}, do-not-call {preview.do_not_call:,}, to invite "
        f"{preview.to_invite:,}, {len(preview.rows)} rows shown: {preview_time:.2f} s"
    )
    times, checks = [], {}
    for n in range(repeat):
        vacuum("care_events_invitation", "callbacks_callbacktask")
        with transaction.atomic():
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                result = activity_invite(activity=activity, segment=segment, by=user)
                times.append(time.perf_counter() - started)
            invitations = Invitation.objects.filter(activity=activity)
            checks = {
                "invited": result.invited,
                "do_not_call": result.do_not_call,
                "invitations": invitations.count(),
                "linked": invitations.filter(task__kind="invitation").count(),
                "tasks": CallbackTask.objects.filter(kind="invitation").count(),
            }
            again = activity_invite(activity=activity, segment=segment, by=user)
            checks["again"] = again.invited
            checks["again_already"] = again.already_invited
            transaction.set_rollback(True)
        print(
            f"  run {n + 1}: {times[-1]:6.2f} s  invited {result.invited:,} (do-not-call {result.do_not_call:,}); "
            f"tasks {checks['tasks']:,}, linked {checks['linked']:,}; again at once: invited {again.invited}"
        )
        if n == 0:
            show_slowest(captured, times[-1], 5, show_explain)

    # The alternatives: the segment's rows inserted bare, nothing checked, no call linked.
    segment_sql = f"""
        FROM customers_customer c
        WHERE NOT c.do_not_call AND EXISTS (
              SELECT 1 FROM customers_vehicle v WHERE v.holder_id = c.id AND v.model_name LIKE '%%{SEGMENT_MODEL}%%')"""
    floors = {
        "invitations": f"""
            INSERT INTO care_events_invitation (activity_id, customer_id, invited_at, invited_by_id, reply, feedback)
            SELECT %s, c.id, now(), %s, 'pending', '' {segment_sql}""",
        "tasks": f"""
            INSERT INTO callbacks_callbacktask (kind, customer_id, rule_id, event_date, due_date, expires_on,
                   status, attempt_count, last_outcome, created_at)
            SELECT 'invitation', c.id, (SELECT id FROM callbacks_callbackrule WHERE kind = 'invitation'),
                   %s, %s, %s, 'open', 0, '', now() {segment_sql}""",
    }
    params = {
        "invitations": [activity.pk, user.pk],
        "tasks": [activity.starts_on, today, activity.starts_on],
    }
    floor: dict[str, list[float]] = {"invitations": [], "tasks": []}
    rows = 0
    for _ in range(repeat):
        for name, sql in floors.items():
            vacuum("care_events_invitation", "callbacks_callbacktask")
            with transaction.atomic(), connection.cursor() as cursor:
                started = time.perf_counter()
                cursor.execute(sql, params[name])
                floor[name].append(time.perf_counter() - started)
                rows = cursor.rowcount
                transaction.set_rollback(True)
    vacuum("care_events_invitation", "callbacks_callbacktask")
    for name in floors:
        print(
            f"  floor: bare INSERT … SELECT of the segment's {name}: median {median(floor[name]):.3f} s ({rows:,} rows)"
        )
    return {"times": times, "floor": floor, "checks": checks, "expected": preview.to_invite, "preview": preview_time}


def measure_reminders(today: date, repeat: int, show_explain: bool) -> dict:
    from django.db import connection, transaction
    from django.db.models import Count
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from callbacks.models import CallbackTask, ReminderRule
    from callbacks.services import callbacks_generate
    from callbacks.services.reminders import reminders_generate

    yesterday = today - timedelta(days=1)
    print(
        f"\nreminders: reminders_generate(on={today}) after the run of {yesterday} (the steady night), "
        "then the first run on an empty table (its whole window at once), callbacks_generate; each rolled back"
    )
    night, catch_up, again, whole = [], [], [], []
    kinds: dict[str, int] = {}
    created = created_catch_up = created_again = skipped = 0
    for n in range(repeat):
        vacuum("callbacks_callbacktask")
        with transaction.atomic():
            started = time.perf_counter()
            created_catch_up, _ = reminders_generate(on=yesterday, now=timezone.now())
            catch_up.append(time.perf_counter() - started)
            now = timezone.now()
            by_kind = CallbackTask.objects.values_list("kind").annotate(n=Count("pk")).values_list("kind", "n")
            before = dict(by_kind)
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                created, skipped = reminders_generate(on=today, now=now)
                night.append(time.perf_counter() - started)
            kinds = {kind: n - before.get(kind, 0) for kind, n in by_kind.all() if n != before.get(kind, 0)}
            started = time.perf_counter()
            created_again, _ = reminders_generate(on=today, now=now)
            again.append(time.perf_counter() - started)
            transaction.set_rollback(True)
        print(
            f"  run {n + 1}: first run (on {yesterday}, empty table) {catch_up[-1]:6.2f} s "
            f"created {created_catch_up:,}; "
            f"the night of {today} {night[-1]:6.2f} s created {created:,} skipped {skipped:,}; "
            f"again at once {again[-1]:6.2f} s created {created_again}"
        )
        if n == 0:
            show_slowest(captured, night[-1], 6, show_explain)
    print("  the night's reminders by kind: " + ", ".join(f"{k} {n:,}" for k, n in sorted(kinds.items())))
    for _ in range(repeat):
        vacuum("callbacks_callbacktask")
        with transaction.atomic():
            reminders_generate(on=yesterday, now=timezone.now())
            started = time.perf_counter()
            result = callbacks_generate(on=today)
            whole.append(time.perf_counter() - started)
            transaction.set_rollback(True)
        print(f"  callbacks_generate(on={today}) after the night before: {whole[-1]:6.2f} s  {result.line()}")
    vacuum("callbacks_callbacktask")

    # The alternatives: the vehicles whose anniversary falls in the insurance window, and every vehicle.
    rule = ReminderRule.objects.get(kind="insurance")
    targets = [today + timedelta(days=rule.lead_days - back) for back in range(rule.window_days)]
    pairs = " OR ".join(
        f"(EXTRACT(month FROM delivery_date) = {t.month} AND EXTRACT(day FROM delivery_date) = {t.day})"
        for t in targets
    )
    sqls = {
        "anniversaries": f"SELECT count(*) FROM customers_vehicle WHERE holder_id IS NOT NULL AND ({pairs})",
        "scan": "SELECT count(*) FROM customers_vehicle",
    }
    floor: dict[str, list[float]] = {"anniversaries": [], "scan": []}
    counted = {}
    with connection.cursor() as cursor:
        for _ in range(max(repeat, 3)):
            for name, sql in sqls.items():
                started = time.perf_counter()
                cursor.execute(sql)
                counted[name] = cursor.fetchone()[0]
                floor[name].append(time.perf_counter() - started)
    for name in sqls:
        print(f"  floor: bare {sqls[name][:60]}…: median {median(floor[name]):.3f} s ({counted[name]:,})")
    return {
        "night": night,
        "catch_up": catch_up,
        "again": again,
        "whole": whole,
        "created": created,
        "created_catch_up": created_catch_up,
        "created_again": created_again,
        "skipped": skipped,
        "kinds": kinds,
        "floor": floor,
        "counted": counted,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--customers", type=int, default=1_000_000, help="customers, and as many vehicles")
    parser.add_argument("--visits", type=int, default=None, help="service visits (default: as many as customers)")
    parser.add_argument(
        "--history", type=int, default=1_000_000, help="closed reminders of earlier nights in the task table"
    )
    parser.add_argument("--database", default="cs_care_bench", help="the bench database (dropped and created)")
    parser.add_argument("--keep", action="store_true", help="leave the database in place afterwards")
    parser.add_argument("--reuse", action="store_true", help="measure a database kept earlier today (no load)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each measurement")
    parser.add_argument("--explain", action="store_true", help="EXPLAIN ANALYZE the slowest statements")
    args = parser.parse_args()

    url = django_on_bench_database(args.database, reuse=args.reuse)
    from django.db import connection, connections
    from django.utils import timezone

    try:
        today = timezone.localdate()
        if args.reuse:
            with connection.cursor() as cursor:
                cursor.execute("SELECT value FROM bench_meta WHERE key = 'today'")
                laid_out = cursor.fetchone()[0]
                cursor.execute("ANALYZE")
            if laid_out != today.isoformat():
                sys.exit(f"--reuse: the database was laid out for {laid_out}, not today ({today}): load it again")
        else:
            visits = args.visits if args.visits is not None else args.customers
            plan = Plan(args.customers, visits, args.history, today)
            print(
                f"  {plan.n_customers:,} customers, {plan.n_vehicles:,} vehicles, {plan.n_visits:,} visits; "
                f"today {today}"
            )
            load(plan)
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM customers_customer")
            customers = cursor.fetchone()[0]
            cursor.execute("SELECT count(*) FROM customers_vehicle")
            vehicles = cursor.fetchone()[0]
            cursor.execute("SELECT count(*) FROM customers_servicevisit")
            visits = cursor.fetchone()[0]
        invite = measure_invite(today, args.repeat, args.explain)
        reminders = measure_reminders(today, args.repeat, args.explain)
    finally:
        connections.close_all()
        if not args.keep:
            drop_database(url, args.database)
            print(f"\n(database {args.database} dropped; --keep leaves it in place)")

    # --- the summary -------------------------------------------------------------------------
    load_average = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(
        f"\nsummary: {customers:,} customers, {vehicles:,} vehicles, {visits:,} visits, PostgreSQL; "
        f"load average {load_average}"
    )
    inv, inv_floor, inv_tasks = median(invite["times"]), median(invite["floor"]["invitations"]), None
    inv_tasks = median(invite["floor"]["tasks"])
    checks = invite["checks"]
    print(f"  invite a segment ({checks['invited']:,} invited)      {inv:7.2f} s  (runs: {runs(invite['times'])})")
    print(f"    floor: bare INSERT … SELECT of the invitations   {inv_floor:7.3f} s")
    print(f"    floor: bare INSERT … SELECT of as many tasks      {inv_tasks:7.3f} s")
    print(f"    preview (counts and 20 rows)                      {invite['preview']:7.2f} s")
    night, whole = median(reminders["night"]), median(reminders["whole"])
    print(
        f"  reminders_generate, the night ({reminders['created']:,} created)  {night:7.2f} s  "
        f"(runs: {runs(reminders['night'])})"
    )
    print(
        f"    first run, empty table ({reminders['created_catch_up']:,} created)     "
        f"{median(reminders['catch_up']):7.2f} s  (runs: {runs(reminders['catch_up'])})"
    )
    print(
        f"    again at once (created {reminders['created_again']})                 {median(reminders['again']):7.2f} s"
    )
    print(f"  callbacks_generate, the whole night               {whole:7.2f} s  (runs: {runs(reminders['whole'])})")
    anniversaries, scan = median(reminders["floor"]["anniversaries"]), median(reminders["floor"]["scan"])
    print(
        f"    floor: bare COUNT of the insurance window's vehicles {anniversaries:7.3f} s "
        f"({reminders['counted']['anniversaries']:,})"
    )
    print(f"    floor: bare COUNT(*) of the vehicle table         {scan:7.3f} s")

    targets = [
        (
            inv < INVITE_TARGET_S,
            f"invite {checks['invited']:,} of {customers:,} customers: {inv:.2f} s < {INVITE_TARGET_S:.0f} s "
            f"({inv / inv_floor:.0f}× the bare INSERT … SELECT of the invitations, {inv_floor:.3f} s)",
        ),
        (
            checks["invited"] == invite["expected"] == checks["invitations"] == checks["tasks"] == checks["linked"],
            f"invite creates one invitation and one linked call per callable customer of the segment: "
            f"expected {invite['expected']:,}, invited {checks['invited']:,}, invitations {checks['invitations']:,}, "
            f"calls {checks['tasks']:,}, linked {checks['linked']:,}",
        ),
        (
            checks["again"] == 0 and checks["again_already"] == checks["invited"],
            f"inviting the segment again creates nothing (invited {checks['again']}, already invited "
            f"{checks['again_already']:,})",
        ),
        (
            night < REMINDER_TARGET_S,
            f"reminders for a day on {vehicles:,} vehicles: {night:.2f} s < {REMINDER_TARGET_S:.0f} s "
            f"({night / scan:.0f}× a bare COUNT(*) of the vehicles, {scan:.3f} s)",
        ),
        (
            whole < REMINDER_TARGET_S,
            f"the whole nightly callbacks_generate: {whole:.2f} s < {REMINDER_TARGET_S:.0f} s",
        ),
        (
            median(reminders["catch_up"]) < REMINDER_TARGET_S,
            f"the first run on an empty table (a whole window, {reminders['created_catch_up']:,} reminders): "
            f"{median(reminders['catch_up']):.2f} s < {REMINDER_TARGET_S:.0f} s",
        ),
        (
            reminders["created"] > 0 and reminders["created_again"] == 0,
            f"the night creates reminders ({reminders['created']:,}) and a second run at once none "
            f"({reminders['created_again']})",
        ),
    ]
    print()
    for ok, text in targets:
        print(f"{'PASS' if ok else 'FAIL'}: {text}")
    passed = all(ok for ok, _ in targets)
    print("PASS" if passed else f"FAIL: {sum(not ok for ok, _ in targets)} of {len(targets)} targets missed")
    sys.exit(0 if passed else 1)


if __name__ == "__main__":
    main()
