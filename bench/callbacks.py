"""Callback desk at full size: 1,000,000 callback tasks (50,000 open) and 50 agents in PostgreSQL.

The targets (issue 11, "Performance"), all measured in one run:

* an agent's queue page (``/callbacks/``) and the tasks API (``/api/callback-tasks/``, its first
  page and ``?status=open&agent=<id>``) under 100 ms server time, with a number of queries that
  does not grow with the queue (counted at two queue sizes);
* ``callbacks_generate(on=today)`` for a day with 2,000 new events (1,000 archives delivered 3
  days before, 1,000 visits closed 2 days before) under 5 s, on top of the million tasks;
* the accuracy roll-up's callback item, ``sales_callback_verification(start, end)``, for a month
  of 10,000 archives (with their tasks and calls) under 1 s.

Each is printed beside a named alternative measured in the same run: a trivial logged-in page
(the home page), a bare ``INSERT … SELECT`` of the same 2,000 tasks, a bare ``COUNT`` over the
month's calls.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test .venv/bin/python bench/callbacks.py
    ... bench/callbacks.py --tasks 100000 --keep        # a quick run, database kept
    ... bench/callbacks.py --reuse --keep               # measure the kept database again (same day)
    ... bench/callbacks.py --explain                    # EXPLAIN ANALYZE the slowest queries

The script creates its own database (``cs_callbacks_bench``, dropped first; DATABASE_URL only
says where the server is), migrates it, loads the rows with COPY and drops it at the end unless
``--keep`` is given. The data is laid out around today's date (the desk's queue is "today's"):
the open tasks are the sales callbacks of the last 12 delivery days and the service callbacks
of the last 8 days the cars left the workshop; older tasks are closed (done, unreachable,
expired, cancelled) with their calls. Everything the measurements write is rolled back, so a
kept database can be measured again the same day. Times are wall time in this process (the
test client runs the whole request: middleware, view, template), an upper bound on the
server's time.
"""

from __future__ import annotations

import argparse
import contextlib
import math
import os
import random
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
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
from reconcile import ARCHIVE_COLUMNS, CUSTOMER_COLUMNS, VEHICLE_COLUMNS  # noqa: E402

PAGE_TARGET_MS = 100.0
GENERATION_TARGET_S = 5.0
VERIFICATION_TARGET_S = 1.0
NEW_ARCHIVES = NEW_VISITS = 1_000  # the generation day's new events
MONTH_ARCHIVES = 10_000  # the verification month's archives
HISTORY_PER_DAY = 330  # closed events per day and kind before the open windows (about 10,000 a month)
WINDOW_OPEN_SHARE = 0.8  # of the tasks whose callback is still running, the share not yet done
DO_NOT_CALL = 200  # one customer in DO_NOT_CALL asked not to be called
SMALL_POOL = 20  # pool calls kept (besides the agent's own) for the second query count

ATTEMPT_COLUMNS = [
    "id",
    "task_id",
    "agent_id",
    "started_at",
    "ended_at",
    "phone",
    "outcome",
    "call_back_at",
    "note",
    "questionnaire_version_id",
]
# The last call of a task that is done (the outcome that closed it), and how often.
DONE_OUTCOMES = (("confirmed", 78), ("refused", 7), ("wrong_number", 6), ("out_of_service", 4), ("not_buyer", 5))
FAILED = {"wrong_number", "out_of_service", "not_buyer"}
RETRY = ("no_answer", "busy")
N = "\\N"


def ts(moment: datetime) -> str:
    """A Shanghai wall-clock time as COPY text."""
    return f"{moment:%Y-%m-%d %H:%M:%S}+08"


def month_start(day: date, back: int) -> date:
    month = day.year * 12 + day.month - 1 - back
    return date(month // 12, month % 12 + 1, 1)


def next_month(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def working_days_before(day: date, count: int) -> date:
    while count > 0:
        day -= timedelta(days=1)
        if day.weekday() < 5:
            count -= 1
    return day


@dataclass
class Rule:
    id: int
    due: int
    expires: int
    delays: dict[str, int]


class Plan:
    """What is loaded: events (archives, visits) laid out in time, and for each its task and calls.

    Archives, by index: the open window of sales callbacks (delivered 15 to 4 days ago), the
    verification month (10,000 archives), older history, and the generation day's 1,000
    deliveries (3 days ago, no task yet). Visits: the open window of service callbacks (closed 10
    to 3 days ago), history, the day's 1,000 (closed 2 days ago). Every event but the day's new
    ones has its task. The tasks of the windows are 80% still open; the rest are closed.
    """

    def __init__(self, tasks: int, agents: int, today: date, now: datetime, rules: dict[str, Rule], seed: int = 11):
        self.today, self.now, self.rules, self.n_agents = today, now, rules, agents
        self.rng = random.Random(seed)
        sales, service = rules["sales"], rules["service"]
        self.sales_days = sales.expires - sales.due  # delivery days whose callback runs: today-15 … today-4
        self.service_days = service.expires - service.due
        self.n_open = tasks // 20
        window = round(self.n_open / WINDOW_OPEN_SHARE)
        self.window_sales = window * self.sales_days // (self.sales_days + self.service_days)
        self.window_service = window - self.window_sales
        self.history_sales = tasks // 2 - self.window_sales
        self.history_service = tasks - tasks // 2 - self.window_service
        if self.history_sales < MONTH_ARCHIVES or self.history_service < 0:
            sys.exit(f"--tasks: at least {2 * (MONTH_ARCHIVES + window)} (the month of {MONTH_ARCHIVES:,} archives)")
        self.month = month_start(today, 3)
        self.month_end = next_month(self.month)
        self.n_archives = self.history_sales + self.window_sales + NEW_ARCHIVES
        self.n_visits = self.history_service + self.window_service + NEW_VISITS
        if self.n_archives >= 1_000_000:
            sys.exit("--tasks: at most about 1,990,000 (VIN serials are unique below 1,000,000 archives)")
        self.n_customers = max(2_000, int(self.n_archives * 0.6))
        self.archive_days: list[int] = []
        self.archive_customers: list[int] = []
        self.visit_days: list[int] = []
        self.visit_archives: list[int] = []
        self._layout()
        self.expected: Counter[str] = Counter()
        self.status_counts: Counter[str] = Counter()
        self.n_attempts = 0
        self.day_strings: dict[int, str] = {}
        self.agent_ids: list[int] = []  # the agents' user ids, once created

    # --- where each event falls -------------------------------------------------------------

    @staticmethod
    def _history_days(first_back: date, count: int, skip: tuple[date, date]) -> list[int]:
        days, day = [], first_back
        while len(days) < count:
            if not skip[0] <= day < skip[1]:
                days.append(day.toordinal())
            day -= timedelta(days=1)
        return days

    def _layout(self) -> None:
        today, sales, service = self.today, self.rules["sales"], self.rules["service"]
        first_open = today - timedelta(days=sales.expires)  # expires today: the generation expires it
        for k in range(self.window_sales):
            self.archive_days.append(
                (first_open + timedelta(days=k * self.sales_days // self.window_sales)).toordinal()
            )
        month_days = (self.month_end - self.month).days
        for k in range(MONTH_ARCHIVES):
            self.archive_days.append((self.month + timedelta(days=k % month_days)).toordinal())
        others = self.history_sales - MONTH_ARCHIVES
        history = self._history_days(
            first_open - timedelta(days=1),
            max(60, math.ceil(others / HISTORY_PER_DAY)),
            (self.month, self.month_end),
        )
        for k in range(others):
            self.archive_days.append(history[k % len(history)])
        new_day = (today - timedelta(days=sales.due)).toordinal()
        self.archive_days.extend([new_day] * NEW_ARCHIVES)
        for k in range(self.n_archives):
            customer = (k * 7919) % self.n_customers
            while k < self.window_sales and self.do_not_call(customer):
                customer = (customer + 1) % self.n_customers  # nobody in the open window asked not to be called
            self.archive_customers.append(customer)

        first_open = today - timedelta(days=service.expires)
        for j in range(self.window_service):
            day = first_open + timedelta(days=j * self.service_days // self.window_service)
            self.visit_days.append(day.toordinal())
        history = self._history_days(
            first_open - timedelta(days=1), max(60, math.ceil(self.history_service / HISTORY_PER_DAY)), (today, today)
        )
        for j in range(self.history_service):
            self.visit_days.append(history[j % len(history)])
        self.visit_days.extend([(today - timedelta(days=service.due)).toordinal()] * NEW_VISITS)
        for j in range(self.n_visits):
            archive = (j * 104_729) % (self.n_archives - NEW_ARCHIVES)
            while j < self.window_service and self.do_not_call(self.archive_customers[archive]):
                archive = (archive + 1) % (self.n_archives - NEW_ARCHIVES)
            self.visit_archives.append(archive)

    @staticmethod
    def do_not_call(customer: int) -> bool:
        return customer % DO_NOT_CALL == 7

    def day(self, ordinal: int) -> str:
        text = self.day_strings.get(ordinal)
        if text is None:
            text = self.day_strings[ordinal] = date.fromordinal(ordinal).isoformat()
        return text

    # --- rows -------------------------------------------------------------------------------

    def customer_rows(self) -> Iterator[tuple]:
        rng, now = self.rng, ts(self.now)
        for i in range(self.n_customers):
            name = rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.choice((1, 2, 2))))
            dnc = self.do_not_call(i)
            yield (
                i + 1,
                name,
                name,
                mobile(i),
                "",
                rng.choice("MMMFU"),
                N,
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
        now = ts(self.now)
        for k in range(self.n_archives):
            delivered = date.fromordinal(self.archive_days[k])
            yield (
                k + 1,
                vin(k, k % len(CAR_MODELS), min(max(delivered.year, 2005), 2012)),
                plate(k),
                CAR_MODELS[k % len(CAR_MODELS)][0],
                "白色",
                delivered.isoformat(),
                self.archive_customers[k] + 1,
                "",
                "",
                N,
                f"{delivered.isoformat()} 10:00:00+08",
                now,
            )

    def archive_rows(self, consultants: list[int]) -> Iterator[tuple]:
        now = ts(self.now)
        for k in range(self.n_archives):
            delivered = self.day(self.archive_days[k])
            yield (
                k + 1,
                k + 1,
                self.archive_customers[k] + 1,
                consultants[k % len(consultants)],
                delivered,
                delivered,
                f"{(k * 7919 + 873_415) % 10**8:08d}",
                delivered,
                f"{CAR_MODELS[k % len(CAR_MODELS)][2]}.00",
                "购车人",
                "购车人",
                mobile(self.archive_customers[k]),
                f"{delivered} 10:00:00+08",
                N,
                N,
                now,
            )

    def visit_closed(self, j: int) -> datetime:
        day = date.fromordinal(self.visit_days[j])
        minutes = (j * 37) % 540  # 09:00–18:00
        return datetime(day.year, day.month, day.day, 9 + minutes // 60, minutes % 60)

    def visit_rows(self, advisors: list[int]) -> Iterator[tuple]:
        now = ts(self.now)
        kinds = ("maintenance", "maintenance", "repair", "warranty", "accident", "other")
        for j in range(self.n_visits):
            closed = self.visit_closed(j)
            archive = self.visit_archives[j]
            yield (
                j + 1,
                f"RO{j + 1:09d}",
                archive + 1,
                self.archive_customers[archive] + 1,
                advisors[j % len(advisors)],
                kinds[j % len(kinds)],
                ts(closed - timedelta(hours=3)),
                ts(closed),
                10_000 + (j * 13) % 90_000,
                f"{300 + (j * 7) % 3000}.00",
                N,
                ts(closed),
                now,
            )

    def task_rows(self, attempts_out) -> Iterator[tuple]:
        """Every task, with its calls written to ``attempts_out`` as COPY lines."""
        sales, service = self.rules["sales"], self.rules["service"]
        for k in range(self.n_archives - NEW_ARCHIVES):
            in_window = k < self.window_sales
            row = self._task(
                k + 1,
                "sales",
                sales,
                self.archive_days[k],
                self.archive_customers[k],
                k + 1,
                (k + 1, N),
                in_window,
                k,
                attempts_out,
            )
            if self.month.toordinal() <= self.archive_days[k] < self.month_end.toordinal():
                self._expect(row)
            yield row
        offset = self.n_archives - NEW_ARCHIVES
        for j in range(self.n_visits - NEW_VISITS):
            archive = self.visit_archives[j]
            yield self._task(
                offset + j + 1,
                "service",
                service,
                self.visit_days[j],
                self.archive_customers[archive],
                archive + 1,
                (N, j + 1),
                j < self.window_service,
                j,
                attempts_out,
            )

    def _expect(self, row: tuple) -> None:
        last = row[TASK_COLUMNS.index("last_outcome")]
        if last == "confirmed":
            self.expected["verified"] += 1
        elif last in FAILED:
            self.expected["failed"] += 1
        self.expected["archives"] += 1

    def _task(self, pk, kind, rule, event, customer, vehicle, events, in_window, index, attempts_out) -> tuple:
        rng, today = self.rng, self.today
        event_day = date.fromordinal(event)
        due = event_day + timedelta(days=rule.due)
        expires = event_day + timedelta(days=rule.expires)
        created = datetime(due.year, due.month, due.day, 2, 0)
        phone = mobile(customer)
        calls: list[tuple[str, datetime, int, datetime | None]] = []  # outcome, started, agent, call back at
        agent = taken = next_attempt = closed = N
        agent_id = 0

        def call(outcome: str, at: datetime, who: int, back: datetime | None = None) -> None:
            calls.append((outcome, at, who, back))

        first_call = created + timedelta(hours=7, minutes=rng.randrange(600))
        if in_window and index % 5 != 4:  # still running
            roll = rng.random()
            # Held work that yesterday's run did not hand back (due since its cutoff), or a call-back.
            held = roll < 0.12 and (due >= working_days_before(today - timedelta(days=1), 1) or roll < 0.04)
            if held and roll < 0.04:  # the customer asked this agent to call back later
                agent_id = rng.randrange(self.n_agents)
                back = self.now + timedelta(hours=1 + rng.randrange(47))
                at = min(first_call, self.now - timedelta(hours=1))
                call("call_back_later", at, agent_id, back)
                status, next_attempt, taken = "in_progress", ts(back), ts(at)
            elif held:  # taken, not yet called
                agent_id = rng.randrange(self.n_agents)
                status, taken = "in_progress", ts(self.now - timedelta(hours=rng.randrange(1, 20)))
            elif roll < 0.40:  # no answer or busy: back in the pool until the next try
                tries = 1 + (roll < 0.2)
                last = self.now - (timedelta(hours=rng.randrange(1, 30)) if roll < 0.3 else timedelta(minutes=20))
                for n in range(tries):
                    call(rng.choice(RETRY), last - timedelta(hours=5 * (tries - 1 - n)), rng.randrange(self.n_agents))
                delay = rule.delays.get(calls[-1][0], 4)
                status, next_attempt = "open", ts(last + timedelta(hours=delay))
            else:
                status = "open"
        else:
            roll = rng.random()
            who = rng.randrange(self.n_agents)
            if in_window:
                roll *= 0.82  # a task whose callback still runs is done or unreachable, not expired
            if roll < 0.72:
                if rng.random() < 0.3:
                    call(rng.choice(RETRY), first_call, rng.randrange(self.n_agents))
                    first_call += timedelta(hours=5)
                if rng.random() < 0.05:
                    call("call_back_later", first_call, who, first_call + timedelta(hours=20))
                    first_call += timedelta(hours=20)
                outcome = rng.choices([o for o, _ in DONE_OUTCOMES], [w for _, w in DONE_OUTCOMES])[0]
                call(outcome, first_call, who)
                status, agent_id = "done", who
            elif roll < 0.82:
                spacing = timedelta(hours=3 if in_window else 26)
                for n in range(3):
                    call(rng.choice(RETRY), first_call + spacing * n, rng.randrange(self.n_agents))
                status, agent_id = "unreachable", calls[-1][2]
            elif roll < 0.97:
                for n in range(rng.randrange(3) if roll < 0.9 else 0):
                    call(rng.choice(RETRY), first_call + timedelta(hours=26 * n), rng.randrange(self.n_agents))
                status = "expired"
                closed = ts(datetime(expires.year, expires.month, expires.day, 2, 0))
            else:
                status = "cancelled"
                closed = ts(created + timedelta(days=1))
            late = calls[-1][1] - (self.now - timedelta(minutes=10)) if calls else timedelta(0)
            if late > timedelta(0):  # a callback of the last days closed already: its calls were made by now
                calls[:] = [(outcome, at - late, by, back and back - late) for outcome, at, by, back in calls]
            if status in ("done", "unreachable"):
                closed = ts(calls[-1][1] + timedelta(minutes=4))
                taken = ts(calls[0][1])
        if status in ("done", "unreachable", "in_progress"):
            agent = self.agent_ids[agent_id]
        for outcome, at, who, back in calls:
            self.n_attempts += 1
            attempts_out.write(
                f"{self.n_attempts}\t{pk}\t{self.agent_ids[who]}\t{ts(at)}\t{ts(at + timedelta(minutes=3))}\t"
                f"{phone}\t{outcome}\t{ts(back) if back else N}\t\t{N}\n"
            )
        self.status_counts[status] += 1
        return (
            pk,
            kind,
            customer + 1,
            vehicle,
            *events,
            N,
            rule.id,
            event_day.isoformat(),
            due.isoformat(),
            expires.isoformat(),
            agent,
            taken,
            status,
            len(calls),
            next_attempt,
            calls[-1][0] if calls else "",
            ts(created),
            closed,
        )


# --- the database ------------------------------------------------------------------------------


def admin_connection(url: str):
    import psycopg2

    parts = urlsplit(url)
    connection = psycopg2.connect(
        dbname="postgres",
        user=parts.username or "postgres",
        password=parts.password or None,
        host=parts.hostname or "127.0.0.1",
        port=parts.port or 5432,
    )
    connection.autocommit = True
    return connection


def drop_database(url: str, name: str) -> None:
    admin = admin_connection(url)
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.close()


def load_rules() -> dict[str, Rule]:
    from callbacks.models import CallbackRule

    return {
        rule.kind: Rule(rule.pk, rule.due_after_days, rule.expires_after_days, dict(rule.retry_delay_hours))
        for rule in CallbackRule.objects.filter(kind__in=("sales", "service"))
    }


def people(agents: int) -> tuple[list[int], list[int], list[int], object]:
    """Consultants, advisors, the agents (users in the callback-agent group) and a manager."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from dealership_cs.models import Staff
    from dealership_cs.permissions import Role

    consultants = [
        Staff.objects.create(
            name=f"顾问{n:02d}", department="sales", position="sales_consultant", employee_number=f"S{n:03d}"
        )
        for n in range(1, 21)
    ]
    advisors = [
        Staff.objects.create(
            name=f"服务顾问{n:02d}", department="service", position="service_advisor", employee_number=f"F{n:03d}"
        )
        for n in range(1, 11)
    ]
    User = get_user_model()
    group = Group.objects.get(name=Role.CALLBACK_AGENT.value)
    users = User.objects.bulk_create(
        [
            User(username=f"agent{n:02d}", first_name=SURNAMES[n % len(SURNAMES)], last_name=GIVEN[n % len(GIVEN)])
            for n in range(1, agents + 1)
        ]
    )
    group.user_set.add(*users)
    manager = User.objects.create(username="bench.manager")
    manager.groups.add(Group.objects.get(name=Role.MANAGER.value))
    return [s.pk for s in consultants], [s.pk for s in advisors], [u.pk for u in users], manager


def load(plan: Plan) -> None:
    from django.db import DatabaseError, connection

    from callbacks.models import CallAttempt, CallbackTask
    from customers.models import Customer, SalesArchive, ServiceVisit, Vehicle

    consultants, advisors, plan.agent_ids, _manager = people(plan.n_agents)
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit = off")
    with tempfile.TemporaryFile("w+", encoding="utf-8") as attempts:
        steps = (
            (Customer, CUSTOMER_COLUMNS, plan.customer_rows),
            (Vehicle, VEHICLE_COLUMNS, plan.vehicle_rows),
            (SalesArchive, ARCHIVE_COLUMNS, lambda: plan.archive_rows(consultants)),
            (ServiceVisit, VISIT_COLUMNS, lambda: plan.visit_rows(advisors)),
            (CallbackTask, TASK_COLUMNS, lambda: plan.task_rows(attempts)),
        )
        for model, columns, rows in steps:
            started = time.perf_counter()
            count = copy_rows(model, columns, rows())
            print(f"  {model._meta.db_table:<26} {count:>9,} rows  {time.perf_counter() - started:6.1f} s")
        started = time.perf_counter()
        attempts.seek(0)
        count = copy_rows(CallAttempt, ATTEMPT_COLUMNS, (line.rstrip("\n").split("\t") for line in attempts))
        print(f"  {CallAttempt._meta.db_table:<26} {count:>9,} rows  {time.perf_counter() - started:6.1f} s")
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE)")
        with contextlib.suppress(DatabaseError):
            cursor.execute("CHECKPOINT")
        cursor.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
        size = cursor.fetchone()[0]
        cursor.execute("CREATE TABLE bench_meta (key text PRIMARY KEY, value text)")
        meta = {
            "today": plan.today.isoformat(),
            "verified": plan.expected["verified"],
            "failed": plan.expected["failed"],
            "month_archives": plan.expected["archives"],
        }
        cursor.executemany("INSERT INTO bench_meta VALUES (%s, %s)", [(k, str(v)) for k, v in meta.items()])
    print(f"  VACUUM (ANALYZE) {time.perf_counter() - started:.1f} s; database size {size}")


# --- measuring ---------------------------------------------------------------------------------


@dataclass
class Timing:
    label: str
    url: str
    status: int
    times: list[float]
    queries: int
    rows: str = ""

    @property
    def median(self) -> float:
        return statistics.median(self.times)

    @property
    def p95(self) -> float:
        ordered = sorted(self.times)
        return ordered[min(len(ordered) - 1, math.ceil(0.95 * len(ordered)) - 1)]


def explain(sql: str, indent: str = "      ") -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
        for (line,) in cursor.fetchall():
            print(indent + line)


def slowest(captured, count: int = 2) -> list[dict]:
    return sorted(captured.captured_queries, key=lambda q: -float(q["time"]))[:count]


def describe(response) -> str:
    """How many rows a page or an API answer holds."""
    marker = b'data-testid="task"'
    if response.get("Content-Type", "").startswith("application/json"):
        data = response.json()
        return f"count {data.get('count'):,}, {len(data.get('results', []))} on the page"
    if response.status_code == 200 and marker in response.content:
        return f"{response.content.count(marker)} rows on the page"
    return ""


def measure_get(client, label: str, url: str, repeat: int, show_explain: bool) -> Timing:
    """GET ``url`` ``repeat`` times after two warm-ups; count the queries of one more request."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(2):
        client.get(url)
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    rows = describe(response)
    timing = Timing(label, url, response.status_code, times, len(captured), rows)
    print(
        f"  {label:<44} median {timing.median:7.1f} ms  p95 {timing.p95:7.1f} ms  {timing.queries:>2} queries  "
        f"status {timing.status}  {rows}"
    )
    for query in slowest(captured):
        print(f"      {float(query['time']) * 1000:7.1f} ms  {' '.join(query['sql'].split())[:110]}")
        if show_explain and query["sql"].lstrip().upper().startswith("SELECT"):
            explain(query["sql"])
    return timing


def page_cases(agent, agent_pk: int) -> list[tuple[str, str]]:
    return [
        ("reference: home page (/?home=1)", "/?home=1"),
        ("desk /callbacks/", "/callbacks/"),
        ("API first page", "/api/callback-tasks/"),
        ("API ?status=open&agent=<me>", f"/api/callback-tasks/?status=open&agent={agent_pk}"),
        ("API ?status=in_progress&agent=<me>", f"/api/callback-tasks/?status=in_progress&agent={agent_pk}"),
        ("API ?status=open (the pool)", "/api/callback-tasks/?status=open"),
    ]


def measure_pages(
    agent, manager, repeat: int, show_explain: bool
) -> tuple[list[Timing], dict[str, int], Timing, tuple[int, int]]:
    from django.db import connection, transaction
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from callbacks.models import CallbackTask
    from callbacks.selectors import agent_queue, agent_queue_counts

    client = Client(SERVER_NAME="localhost")
    client.force_login(agent)
    counts = agent_queue_counts(user=agent)
    queue = agent_queue(user=agent).count()
    print(
        f"\n{agent.username}'s desk: queue {queue:,} "
        f"(mine {counts.mine:,}, pool {counts.pool:,}, later {counts.later:,})"
    )
    timings = [measure_get(client, label, url, repeat, show_explain) for label, url in page_cases(agent, agent.pk)]

    boss = Client(SERVER_NAME="localhost")
    boss.force_login(manager)
    print("\na manager (sees every task; for information)")
    manager_timing = measure_get(boss, "API first page, manager", "/api/callback-tasks/", repeat, show_explain)

    # The same requests with a short queue: the other open tasks closed in a transaction, rolled back.
    print(
        f"\nthe same requests with a short queue: {agent.username}'s own calls and {SMALL_POOL} of the pool's "
        "(the other open tasks closed in a transaction, rolled back)"
    )
    small: dict[str, int] = {}
    with transaction.atomic():
        own = CallbackTask.objects.filter(agent=agent, status__in=CallbackTask.WORKABLE).values_list("pk", flat=True)
        pool = agent_queue(user=agent).filter(agent__isnull=True).values_list("pk", flat=True)[:SMALL_POOL]
        others = CallbackTask.objects.filter(status__in=CallbackTask.WORKABLE).exclude(pk__in=[*own, *pool])
        closed = others.update(status="done")
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE callbacks_callbacktask")
        short = agent_queue(user=agent).count()
        print(f"  closed {closed:,} open tasks; queue now {short}")
        for label, url in page_cases(agent, agent.pk):
            client.get(url)
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                response = client.get(url)
                elapsed = (time.perf_counter() - started) * 1000
            small[label] = len(captured)
            print(
                f"  {label:<44} {elapsed:7.1f} ms  {len(captured):>2} queries  status {response.status_code}  "
                f"{describe(response)}"
            )
        transaction.set_rollback(True)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE callbacks_callbacktask")
    return timings, small, manager_timing, (queue, short)


@dataclass
class Generation:
    first: list[float]
    again: list[float]
    result: object
    result_again: object
    floor: list[float]
    expected: int  # the day's new events whose customer may be called
    event_tasks: int  # the sales and service tasks the first run created (it also makes lifecycle reminders)


def generation_sql(plan_today: date, rules: dict[str, Rule]) -> tuple[str, list]:
    """The bare statement: the day's 2,000 tasks from their archives and visits, nothing checked."""
    sales, service = rules["sales"], rules["service"]
    delivered = plan_today - timedelta(days=sales.due)
    left = plan_today - timedelta(days=service.due)
    sql = """
        INSERT INTO callbacks_callbacktask (kind, customer_id, vehicle_id, archive_id, visit_id, rule_id,
               event_date, due_date, expires_on, status, attempt_count, last_outcome, created_at)
        SELECT 'sales', a.customer_id, a.vehicle_id, a.id, NULL, %s, a.delivery_date, a.delivery_date + %s,
               a.delivery_date + %s, 'open', 0, '', now()
          FROM customers_salesarchive a WHERE a.delivery_date = %s
        UNION ALL
        SELECT 'service', v.customer_id, v.vehicle_id, NULL, v.id, %s, %s::date, %s::date + %s, %s::date + %s,
               'open', 0, '', now()
          FROM customers_servicevisit v
         WHERE v.closed_at >= (%s::date)::timestamp AT TIME ZONE 'Asia/Shanghai'
           AND v.closed_at < (%s::date + 1)::timestamp AT TIME ZONE 'Asia/Shanghai'"""
    params = [
        sales.id,
        sales.due,
        sales.expires,
        delivered,
        service.id,
        left,
        left,
        service.due,
        left,
        service.expires,
        left,
        left,
    ]
    return sql, params


def measure_generation(today: date, rules: dict[str, Rule], repeat: int, show_explain: bool) -> Generation:
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from callbacks.models import CallbackTask
    from callbacks.services import callbacks_generate

    def event_tasks() -> int:
        return CallbackTask.objects.filter(kind__in=["sales", "service"]).count()

    def vacuum() -> None:
        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE) callbacks_callbacktask")

    first, again, floor = [], [], []
    result = result_again = None
    print(f"\ngeneration: callbacks_generate(on={today}), each run rolled back")
    for n in range(repeat):
        vacuum()
        with transaction.atomic():
            before = event_tasks()
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                result = callbacks_generate(on=today)
                first.append(time.perf_counter() - started)
            created_events = event_tasks() - before
            started = time.perf_counter()
            result_again = callbacks_generate(on=today)
            again.append(time.perf_counter() - started)
            transaction.set_rollback(True)
        print(
            f"  run {n + 1}: {first[-1]:6.2f} s  {result.line()};  "
            f"again at once: {again[-1]:6.2f} s  {result_again.line()}"
        )
        if n == 0:
            for query in slowest(captured, 6):
                print(f"      {float(query['time']):6.3f} s  {' '.join(query['sql'].split())[:110]}")
            rest = first[-1] - sum(float(q["time"]) for q in slowest(captured, 6))
            print(f"      {rest:6.3f} s  everything else ({len(captured) - 6} statements, Python)")
            if show_explain:
                for query in slowest(captured, 3):
                    if query["sql"].lstrip().upper().startswith(("SELECT", "UPDATE")):
                        print("    " + " ".join(query["sql"].split())[:110])
                        with transaction.atomic():
                            explain(query["sql"])
                            transaction.set_rollback(True)
    sql, params = generation_sql(today, rules)
    for _ in range(repeat):
        vacuum()
        with transaction.atomic(), connection.cursor() as cursor:
            started = time.perf_counter()
            cursor.execute(sql, params)
            floor.append(time.perf_counter() - started)
            rows = cursor.rowcount
            transaction.set_rollback(True)
    vacuum()
    print(f"  floor: bare INSERT … SELECT of the day's tasks: median {statistics.median(floor):.3f} s ({rows:,} rows)")
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT COUNT(*) FILTER (WHERE NOT c.do_not_call) FROM ({sql.split('INSERT INTO')[1].split(')', 1)[1]}) "
            "AS day (kind, customer_id) JOIN customers_customer c ON c.id = day.customer_id",
            params,
        )
        expected = cursor.fetchone()[0]
    return Generation(first, again, result, result_again, floor, expected, created_events)


def measure_verification(plan_month: date, repeat: int, show_explain: bool) -> tuple[list[float], list[float], dict]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from callbacks.selectors import sales_callback_verification

    end = next_month(plan_month)
    times = []
    result: dict = {}
    print(f"\ncallback authenticity: sales_callback_verification(start={plan_month}, end={end})")
    sales_callback_verification(start=plan_month, end=end)
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            result = sales_callback_verification(start=plan_month, end=end)
            times.append(time.perf_counter() - started)
    verified = sum(v.verified for v in result.values())
    failed = sum(v.failed for v in result.values())
    print(
        f"  median {statistics.median(times) * 1000:.1f} ms, max {max(times) * 1000:.1f} ms; {len(captured)} query; "
        f"{len(result)} month × consultant rows, verified {verified:,}, failed {failed:,}"
    )
    if show_explain:
        for query in slowest(captured, 1):
            explain(query["sql"])
    sql = """
        SELECT COUNT(*) FROM callbacks_callattempt c
          JOIN callbacks_callbacktask t ON t.id = c.task_id
          JOIN customers_salesarchive a ON a.id = t.archive_id
         WHERE a.delivery_date >= %s AND a.delivery_date < %s"""
    floor = []
    with connection.cursor() as cursor:
        for _ in range(repeat):
            started = time.perf_counter()
            cursor.execute(sql, [plan_month, end])
            calls = cursor.fetchone()[0]
            floor.append(time.perf_counter() - started)
    print(
        f"  floor: bare COUNT over the month's calls: median {statistics.median(floor) * 1000:.1f} ms ({calls:,} calls)"
    )
    return times, floor, {"verified": verified, "failed": failed}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tasks", type=int, default=1_000_000, help="callback tasks in all (5%% of them open)")
    parser.add_argument("--agents", type=int, default=50)
    parser.add_argument("--database", default="cs_callbacks_bench", help="the bench database (dropped and created)")
    parser.add_argument("--keep", action="store_true", help="leave the database in place afterwards")
    parser.add_argument("--reuse", action="store_true", help="measure a database kept earlier today (no load)")
    parser.add_argument("--repeat", type=int, default=20, help="requests per page and verification runs")
    parser.add_argument("--generation-runs", type=int, default=3)
    parser.add_argument("--explain", action="store_true", help="EXPLAIN ANALYZE the slowest queries")
    args = parser.parse_args()

    url = django_on_bench_database(args.database, reuse=args.reuse)
    from django.contrib.auth import get_user_model
    from django.db import connection, connections
    from django.utils import timezone

    try:
        now = timezone.now()
        today = timezone.localdate(now)
        rules = load_rules()
        if args.reuse:
            with connection.cursor() as cursor:
                cursor.execute("SELECT key, value FROM bench_meta")
                meta = dict(cursor.fetchall())
                cursor.execute("ANALYZE")
            if meta["today"] != today.isoformat():
                sys.exit(f"--reuse: the database was laid out for {meta['today']}, not today ({today}): load it again")
            month = month_start(today, 3)
            expected = {k: int(meta[k]) for k in ("verified", "failed", "month_archives")}
        else:
            plan = Plan(args.tasks, args.agents, today, timezone.localtime(now).replace(tzinfo=None), rules)
            print(
                f"  {plan.n_customers:,} customers, {plan.n_archives:,} archives (and vehicles), "
                f"{plan.n_visits:,} visits, {args.agents} agents; today {today}"
            )
            load(plan)
            month = plan.month
            expected = {"verified": plan.expected["verified"], "failed": plan.expected["failed"]}
            expected["month_archives"] = plan.expected["archives"]
            print(
                "  tasks by status: "
                + ", ".join(f"{status} {count:,}" for status, count in sorted(plan.status_counts.items()))
                + f"; calls {plan.n_attempts:,}"
            )
        User = get_user_model()
        agent = User.objects.get(username="agent01")
        manager = User.objects.get(username="bench.manager")
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT COUNT(*), COUNT(*) FILTER (WHERE status IN ('open', 'in_progress')) FROM callbacks_callbacktask"
            )
            total, open_ = cursor.fetchone()
            cursor.execute("SELECT COUNT(*) FROM callbacks_callattempt")
            calls = cursor.fetchone()[0]
        print(f"  {total:,} tasks, {open_:,} open or in progress; {calls:,} calls")

        timings, small, manager_timing, (queue, short) = measure_pages(agent, manager, args.repeat, args.explain)
        generation = measure_generation(today, rules, args.generation_runs, args.explain)
        verification, verification_floor, found = measure_verification(month, args.repeat, args.explain)
    finally:
        connections.close_all()
        if not args.keep:
            drop_database(url, args.database)
            print(f"\n(database {args.database} dropped; --keep leaves it in place)")

    # --- the summary -------------------------------------------------------------------------
    print(
        f"\nsummary: {total:,} tasks ({open_:,} open), {args.agents} agents, PostgreSQL; load average "
        f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}"
    )
    print(f"  {'':<46} {'median':>9} {'p95':>9}  queries (queue of {queue:,} / of {short})")
    for timing in timings:
        print(
            f"  {timing.label:<46} {timing.median:6.1f} ms {timing.p95:6.1f} ms  {timing.queries:>3} / "
            f"{small.get(timing.label, 0)}"
        )
    print(
        f"  {manager_timing.label + ' (information)':<46} {manager_timing.median:6.1f} ms "
        f"{manager_timing.p95:6.1f} ms  {manager_timing.queries:>3}"
    )
    gen, gen_floor = statistics.median(generation.first), statistics.median(generation.floor)
    print(f"  {'generation, the day (' + generation.result.line() + ')':<46}")
    print(f"  {'  callbacks_generate':<46} {gen:7.2f} s  (runs: {', '.join(f'{t:.2f}' for t in generation.first)})")
    print(
        f"  {'  again at once (' + generation.result_again.line() + ')':<46} "
        f"{statistics.median(generation.again):7.2f} s"
    )
    print(f"  {'  floor: bare INSERT … SELECT of the same rows':<46} {gen_floor:7.3f} s")
    ver, ver_floor = statistics.median(verification), statistics.median(verification_floor)
    print(f"  {'callback authenticity, one month':<46} {ver * 1000:6.1f} ms")
    print(f"  {'  floor: bare COUNT over the month’s calls':<46} {ver_floor * 1000:6.1f} ms")

    reference = timings[0]
    targets = []
    for timing in timings[1:]:
        same = timing.queries == small.get(timing.label)
        targets.append(
            (
                timing.status == 200 and timing.median < PAGE_TARGET_MS,
                f"{timing.label}: median {timing.median:.1f} ms < {PAGE_TARGET_MS:.0f} ms "
                f"(reference page {reference.median:.1f} ms; p95 {timing.p95:.1f} ms)",
            )
        )
        targets.append(
            (
                same,
                f"{timing.label}: {timing.queries} queries with a queue of {queue:,} calls, "
                f"{small.get(timing.label)} with a queue of {short}",
            )
        )
    targets.append(
        (
            gen < GENERATION_TARGET_S,
            f"generation for a day of {NEW_ARCHIVES + NEW_VISITS:,} new events: "
            f"{gen:.2f} s < {GENERATION_TARGET_S:.0f} s "
            f"({gen / gen_floor:.0f}× the bare INSERT … SELECT, {gen_floor:.3f} s)",
        )
    )
    targets.append(
        (
            generation.event_tasks == generation.expected,
            f"generation creates a task for each of the day's events but the do-not-call customers': "
            f"created {generation.event_tasks:,} (besides {generation.result.created - generation.event_tasks:,} "
            f"lifecycle reminders), expected {generation.expected:,}",
        )
    )
    targets.append(
        (
            generation.result_again.created == 0,
            f"generation again for the same day creates nothing (created={generation.result_again.created})",
        )
    )
    targets.append(
        (
            ver < VERIFICATION_TARGET_S,
            f"callback item for a month of {expected['month_archives']:,} archives: {ver * 1000:.1f} ms < "
            f"{VERIFICATION_TARGET_S * 1000:.0f} ms (bare COUNT {ver_floor * 1000:.1f} ms)",
        )
    )
    targets.append(
        (
            found == {"verified": expected["verified"], "failed": expected["failed"]},
            f"callback item counts what was loaded: verified {found['verified']:,} (loaded {expected['verified']:,}), "
            f"failed {found['failed']:,} (loaded {expected['failed']:,})",
        )
    )
    print()
    for ok, text in targets:
        print(f"{'PASS' if ok else 'FAIL'}: {text}")
    passed = all(ok for ok, _ in targets)
    print("PASS" if passed else f"FAIL: {sum(not ok for ok, _ in targets)} of {len(targets)} targets missed")
    sys.exit(0 if passed else 1)


if __name__ == "__main__":
    main()
