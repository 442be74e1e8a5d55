"""Customer search at full size: 500,000 customers and 600,000 vehicles in PostgreSQL.

The target (issue): search by phone, last digits of a VIN, plate or name answers in under 100 ms
server time, and list pages keep a constant number of queries.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test .venv/bin/python bench/customer_search.py
    ... bench/customer_search.py --customers 50000 --vehicles 60000 --archives 10000   # quick run

The script creates its own database (``cs_bench``, dropped first; DATABASE_URL only says where the
server is), migrates it, loads the rows with COPY, runs ``customers.selectors.customer_search``
for each kind of query against existing values, runs the same searches as naive scans
(``LIKE '%…'``, ``UPPER()``) for comparison, and measures the customer list page. Times are wall
time through the ORM on the same machine, an upper bound on the server's time.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import random
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from fake_data import MOBILE_PREFIXES, SURNAMES, VIN_WEIGHTS  # bench/ is on sys.path when run as a script

ROOT = Path(__file__).resolve().parent.parent
TARGET_MS = 100.0
CHUNK = 50_000

GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂英华建国志文海燕红玉梅晓东辉鹏飞宇浩然子轩雪琳庆丰德胜学"
CAR_MODELS = (
    ("朗逸", "AE218", 139800),
    ("帕萨特领驭", "AB43D", 199800),
    ("途观", "UB45T", 239800),
    ("桑塔纳志俊", "AA113", 99800),
    ("波罗", "PA415", 109800),
    ("途安", "TA233", 179800),
    ("明锐", "NB413", 149800),
    ("晶锐", "NJ316", 99900),
    ("昊锐", "NE438", 219800),
)
COLOURS = ("黑色", "白色", "银色", "灰色", "深灰色", "香槟色", "红色", "蓝色")
YEAR_CODES = {2005: "5", 2006: "6", 2007: "7", 2008: "8", 2009: "9", 2010: "A", 2011: "B", 2012: "C"}
PLATE_SYMBOLS = "0123456789ABCDEFGHJKLMNPRSTUVWXYZ"  # 33: no I, O or Q
PLATE_SPACE = 33 * 33 * 1000
# ISO 3779 values and weights, as customers.validators has them; inlined to check 600,000 VINs fast.
VIN_VALUES = {
    **{str(d): d for d in range(10)},
    **dict(zip("ABCDEFGH", range(1, 9), strict=True)),
    **dict(zip("JKLMN", range(1, 6), strict=True)),
    "P": 7,
    "R": 9,
    **dict(zip("STUVWXYZ", range(2, 10), strict=True)),
}


# --- the database ----------------------------------------------------------------------------


def bench_database(url: str, name: str) -> str:
    """Drop and create the bench database on the server of ``url``; return its URL."""
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
        cursor.execute(f'CREATE DATABASE "{name}"')
    admin.close()
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))


def django_on_bench_database(name: str, *, reuse: bool) -> str:
    """Point Django at the bench database ``name`` beside DATABASE_URL's server (dropped and created
    unless ``reuse``), set Django up, print the machine's load and migrate; return the server's URL."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit(
            "DATABASE_URL must point at PostgreSQL, e.g. postgres://postgres@127.0.0.1:5432/test "
            "(the bench creates its own database next to it)."
        )
    if reuse:
        parts = urlsplit(url)
        os.environ["DATABASE_URL"] = urlunsplit((parts.scheme, parts.netloc, f"/{name}", "", ""))
    else:
        os.environ["DATABASE_URL"] = bench_database(url, name)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dealership_cs.settings")
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    import django

    django.setup()
    from django.core.management import call_command

    print(f"machine: {os.cpu_count()} CPUs, load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    print(f"database {name}: migrate {time.perf_counter() - started:.1f} s")
    return url


# --- generated values --------------------------------------------------------------------------


def mobile(i: int) -> str:
    # A bijection on the 8-digit suffix: every i below 10^8 gets its own number, and the last
    # four digits spread evenly, as real "尾号" do.
    return f"{MOBILE_PREFIXES[i % len(MOBILE_PREFIXES)]}{(i * 7919 + 1_234_567) % 10**8:08d}"


def vin(j: int, model: int, year: int) -> str:
    body = f"LSV{CAR_MODELS[model][1]}0{YEAR_CODES[year]}2{(j * 7919 + 4321) % 10**6:06d}"
    total = sum(VIN_VALUES[char] * weight for char, weight in zip(body, VIN_WEIGHTS, strict=True))
    check = "X" if total % 11 == 10 else str(total % 11)
    return body[:8] + check + body[9:]


def plate(j: int) -> str:
    n = (j * 7919 + 17) % PLATE_SPACE  # 7919 is prime to 33²·1000: a permutation
    first, rest = divmod(n, 33 * 1000)
    second, digits = divmod(rest, 1000)
    return f"鲁N{PLATE_SYMBOLS[first]}{PLATE_SYMBOLS[second]}{digits:03d}"


def moment(rng: random.Random, first: date, last: date) -> datetime:
    start = datetime(first.year, first.month, first.day, tzinfo=UTC)
    return start + timedelta(seconds=rng.randrange((last - first).days * 86400))


class Dataset:
    """The generated rows, and enough of them kept in memory to pick existing search values."""

    def __init__(self, customers: int, vehicles: int, archives: int, seed: int = 2011) -> None:
        if vehicles > 1_000_000 or vehicles > PLATE_SPACE:
            sys.exit("--vehicles: at most 1,000,000 (the VIN serials are unique below that)")
        self.n_customers, self.n_vehicles, self.n_archives = customers, vehicles, min(archives, vehicles)
        self.rng = random.Random(seed)
        self.names: list[str] = []
        self.holders: list[int] = []
        self.vins: list[str] = []
        self.plates: list[str] = []
        self.delivered: list[date] = []
        self.invoices: list[str] = []

    def customer_rows(self) -> Iterator[tuple]:
        rng, now = self.rng, datetime.now(UTC).isoformat()
        for i in range(self.n_customers):
            name = rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.choice((1, 2, 2, 2))))
            self.names.append(name)
            landline = f"0534-{rng.randrange(2, 9)}{rng.randrange(10**6):06d}" if rng.random() < 0.1 else ""
            created = moment(rng, date(2005, 1, 1), date(2011, 12, 31)).isoformat()
            yield (
                i + 1,
                name,
                name,
                mobile(i),
                landline,
                rng.choice("MMMFU"),
                "\\N",
                "德州市德城区",
                "individual" if rng.random() < 0.95 else "company",
                "sales",
                "f",
                "",
                "\\N",
                "",
                "\\N",
                created,
                now,
            )

    def vehicle_rows(self) -> Iterator[tuple]:
        rng, now = self.rng, datetime.now(UTC).isoformat()
        first_round = int(self.n_customers * 0.9)
        for j in range(self.n_vehicles):
            # Most customers have one car; the rest are second cars of random customers.
            holder = j + 1 if j < first_round else rng.randrange(self.n_customers) + 1
            self.holders.append(holder)
            delivered = date(2005, 1, 1) + timedelta(days=rng.randrange(7 * 365))
            self.delivered.append(delivered)
            model = rng.randrange(len(CAR_MODELS))
            number = vin(j, model, min(delivered.year + (delivered.month >= 11), 2012))
            self.vins.append(number)
            plate_number = plate(j) if rng.random() < 0.95 else ""
            self.plates.append(plate_number)
            roll = rng.random()
            if roll < 0.6:
                user_name, user_phone = self.names[holder - 1], mobile(holder - 1)
            elif roll < 0.75:
                user_name, user_phone = rng.choice(SURNAMES) + rng.choice(GIVEN), mobile(self.n_customers + j)
            else:
                user_name = user_phone = ""
            yield (
                j + 1,
                number,
                plate_number,
                CAR_MODELS[model][0],
                rng.choice(COLOURS),
                delivered.isoformat(),
                holder,
                user_name,
                user_phone,
                "\\N",
                f"{delivered.isoformat()} 10:00:00+08",
                now,
            )

    def archive_rows(self, consultants: list[int]) -> Iterator[tuple]:
        rng, now = self.rng, datetime.now(UTC).isoformat()
        for k in range(self.n_archives):
            holder, delivered = self.holders[k], self.delivered[k]
            invoice = f"{(k * 7919 + 873_415) % 10**8:08d}"
            self.invoices.append(invoice)
            invoiced = delivered - timedelta(days=rng.randrange(4))
            amount = CAR_MODELS[k % len(CAR_MODELS)][2] - rng.choice((0, 1000, 3000, 5000))
            name = self.names[holder - 1]
            yield (
                k + 1,
                k + 1,
                holder,
                rng.choice(consultants),
                (delivered - timedelta(days=7)).isoformat(),
                delivered.isoformat(),
                invoice,
                invoiced.isoformat(),
                f"{amount}.00",
                name,
                name,
                mobile(holder - 1),
                f"{delivered.isoformat()} 17:30:00+08",
                "\\N",
                "\\N",
                now,
            )


def copy_rows(model, columns: list[str], rows: Iterator[tuple]) -> int:
    """COPY the rows into the model's table in chunks; columns not listed take their defaults."""
    from django.db import connection

    table = model._meta.db_table
    known = set(columns)
    extra_fields = [f for f in model._meta.concrete_fields if f.column not in known]
    extra_columns, extra_values = [], []
    for field in extra_fields:  # fields added after this script was written: their default
        default = field.get_default()
        if default is None and field.null:
            text = "\\N"
        elif isinstance(default, bool):
            text = "t" if default else "f"
        elif isinstance(default, dict | list):
            import json

            text = json.dumps(default)
        else:
            text = str(default if default is not None else "")
        extra_columns.append(field.column)
        extra_values.append(text)
    suffix = "".join(f"\t{value}" for value in extra_values)
    sql = f"COPY {table} ({', '.join([*columns, *extra_columns])}) FROM STDIN"
    total = 0
    with connection.cursor() as cursor:
        buffer = io.StringIO()
        count = 0
        for row in rows:
            buffer.write("\t".join(map(str, row)) + suffix + "\n")
            count += 1
            if count == CHUNK:
                buffer.seek(0)
                cursor.copy_expert(sql, buffer)
                total, count, buffer = total + count, 0, io.StringIO()
        if count:
            buffer.seek(0)
            cursor.copy_expert(sql, buffer)
            total += count
        cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
    return total


def load(data: Dataset) -> None:
    from django.db import DatabaseError, connection

    from customers.models import Customer, SalesArchive, Vehicle
    from dealership_cs.models import Staff

    consultants = [
        Staff.objects.create(name=name, department="sales", position="sales_consultant", employee_number=f"S{n:03d}").pk
        for n, name in enumerate(("刘洋", "陈静", "杨帆", "赵磊", "黄丽"), start=1)
    ]
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit = off")
    steps = (
        (
            Customer,
            [
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
            ],
            data.customer_rows,
        ),
        (
            Vehicle,
            [
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
            ],
            data.vehicle_rows,
        ),
        (
            SalesArchive,
            [
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
            ],
            lambda: data.archive_rows(consultants),
        ),
    )
    for model, columns, rows in steps:
        started = time.perf_counter()
        count = copy_rows(model, columns, rows())
        print(f"  {model._meta.db_table:<24} {count:>9,} rows  {time.perf_counter() - started:6.1f} s")
    started = time.perf_counter()
    with connection.cursor() as cursor:
        # As autovacuum would leave the tables in production: statistics, hint bits and the
        # visibility map set, so the timings below do not pay for the freshly loaded pages.
        cursor.execute("VACUUM (ANALYZE)")
        with contextlib.suppress(DatabaseError):  # needs superuser or pg_checkpoint
            # Write the load's dirty pages out now rather than while the searches are timed.
            cursor.execute("CHECKPOINT")
        cursor.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
        size = cursor.fetchone()[0]
    print(f"  VACUUM (ANALYZE) {time.perf_counter() - started:.1f} s; database size {size}")


# --- measuring ---------------------------------------------------------------------------------


def timed(function: Callable[[], int]) -> tuple[float, int]:
    started = time.perf_counter()
    found = function()
    return (time.perf_counter() - started) * 1000, found


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def sample_values(data: Dataset, count: int) -> dict[str, list[str]]:
    rng = random.Random(7)

    def distinct(make: Callable[[], str]) -> list[str]:
        values: list[str] = []
        for _attempt in range(count * 100):
            value = make()
            if value and value not in values:
                values.append(value)
                if len(values) == count:
                    break
        return values

    def customer() -> int:
        return rng.randrange(data.n_customers)

    def vehicle() -> int:
        return rng.randrange(data.n_vehicles)

    return {
        "phone (11 digits)": distinct(lambda: mobile(customer())),
        "phone, last 4": distinct(lambda: mobile(customer())[-4:]),
        "VIN (17)": distinct(lambda: data.vins[vehicle()]),
        "VIN, last 6": distinct(lambda: data.vins[vehicle()][-6:]),
        "VIN, last 8": distinct(lambda: data.vins[vehicle()][-8:]),
        "plate": distinct(lambda: data.plates[vehicle()]),
        "name (full)": distinct(lambda: data.names[customer()]),
        "name, first 2 chars": distinct(lambda: data.names[customer()][:2]),
        "name, surname only": distinct(lambda: data.names[customer()][:1]),
        "invoice number": distinct(lambda: data.invoices[rng.randrange(data.n_archives)]),
    }


def naive_searches() -> dict[str, Callable[[str], int]]:
    """The same searches as a first version would write them: no index can serve these."""
    from django.db.models import Q

    from customers.models import Customer, SalesArchive, Vehicle

    def customers(condition: Q) -> int:
        ids = list(Customer.objects.filter(condition).values_list("id", flat=True)[:51])
        return len(list(Customer.objects.filter(id__in=ids).order_by("-created_at", "-id")[:50]))

    def by_vehicles(condition: Q) -> int:
        return customers(Q(id__in=Vehicle.objects.filter(condition).values("holder_id")))

    return {
        "phone (11 digits)": lambda v: customers(Q(mobile__contains=v) | Q(phone2__contains=v)),
        "phone, last 4": lambda v: customers(Q(mobile__endswith=v)),
        "VIN (17)": lambda v: by_vehicles(Q(vin__iexact=v)),
        "VIN, last 6": lambda v: by_vehicles(Q(vin__endswith=v)),
        "VIN, last 8": lambda v: by_vehicles(Q(vin__endswith=v)),
        "plate": lambda v: by_vehicles(Q(plate__icontains=v)),
        "name (full)": lambda v: customers(Q(name__icontains=v)),
        "name, first 2 chars": lambda v: customers(Q(name__icontains=v)),
        "name, surname only": lambda v: customers(Q(name__icontains=v)),
        "invoice number": lambda v: customers(
            Q(id__in=SalesArchive.objects.filter(invoice_number__contains=v).values("customer_id"))
        ),
    }


def print_table(title: str, rows: list[tuple], again: dict[str, float] | None = None) -> None:
    """One line per kind; ``again`` is the slowest value searched once more, to tell a plan from a pause."""
    print(f"\n{title}")
    header = f"  {'query kind':<22} {'n':>3} {'median ms':>10} {'p95 ms':>8} {'max ms':>8} {'results med/max':>16}"
    print(header + (f"  {'slowest value, again':<30}" if again else ""))
    for kind, times, found, slowest in rows:
        line = (
            f"  {kind:<22} {len(times):>3} {statistics.median(times):>10.1f} {percentile(times, 0.95):>8.1f} "
            f"{max(times):>8.1f} {statistics.median(found):>9.0f} / {max(found):<4}"
        )
        if again:
            line += f"  {slowest:<20} {again[kind]:>6.1f} ms"
        print(line)


def explain(query: str) -> None:
    """EXPLAIN ANALYZE every statement one search runs."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from customers.selectors import customer_search

    with CaptureQueriesContext(connection) as captured:
        customer_search(query)
    with connection.cursor() as cursor:
        for statement in captured.captured_queries:
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {statement['sql']}")
            print("    " + statement["sql"][:300])
            for (line,) in cursor.fetchall():
                print("      " + line)


def measure_searches(data: Dataset, samples: int, show_plans: bool) -> bool:
    from customers.selectors import customer_search

    values = sample_values(data, samples)
    naive = naive_searches()
    indexed_rows, naive_rows = [], []
    for kind, queries in values.items():
        for query in queries[:3]:  # warm the index pages the first queries would otherwise pay for
            customer_search(query)
        results = [timed(lambda q=query: len(customer_search(q).customers)) for query in queries]
        indexed_rows.append(row(kind, queries, results))
    for kind, queries in values.items():
        few = queries[: max(5, samples // 5)]  # naive scans are slow; a few values tell the story
        results = [timed(lambda q=query, k=kind: naive[k](q)) for query in few]
        naive_rows.append(row(kind, few, results))
    again = {kind: timed(lambda q=slowest: len(customer_search(q).customers))[0] for kind, *_, slowest in indexed_rows}
    print_table("customer_search (customers.selectors), indexed lookups", indexed_rows, again)
    print_table("the same searches as naive scans (LIKE '%…', UPPER(), contains), for comparison", naive_rows)
    for kind, times, _found, slowest in indexed_rows:
        if show_plans or percentile(times, 0.95) > TARGET_MS:
            print(f"\n  EXPLAIN ANALYZE, {kind}, slowest value ({slowest}):")
            explain(slowest)
    return all(percentile(times, 0.95) <= TARGET_MS for _kind, times, *_ in indexed_rows)


def row(kind: str, queries: list[str], results: list[tuple[float, int]]) -> tuple:
    times = [ms for ms, _ in results]
    return kind, times, [n for _, n in results], queries[times.index(max(times))]


def measure_list_page(data: Dataset) -> bool:
    """The customer list: CustomerFilter over the whole table, pages of 50 (as FilteredListView)."""
    from django.core.paginator import Paginator
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from customers.filters import CustomerFilter
    from customers.models import Customer

    def page(params: dict, number: int) -> tuple[float, int]:
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            filterset = CustomerFilter(params or None, queryset=Customer.objects.all())
            rows = list(Paginator(filterset.qs, 50).page(number).object_list)
            elapsed = (time.perf_counter() - started) * 1000
        assert rows, params
        return elapsed, len(captured)

    last_page = max(1, data.n_customers // 50 - 1)
    cases = [
        ("all, page 1 (-created_at)", {}, 1),
        ("all, page 2", {}, 2),
        (f"all, page {last_page:,}", {}, last_page),
        ("sorted by name, page 1", {"ordering": "name"}, 1),
        ("source=sales, page 1", {"source": "sales"}, 1),
        ("q=last 4 of a phone", {"q": mobile(123)[-4:]}, 1),
        ("q=a name", {"q": data.names[4567]}, 1),
    ]
    print("\ncustomer list page (CustomerFilter + Paginator, 50 a page)")
    print(f"  {'case':<28} {'median ms':>10} {'queries':>8}")
    query_counts = {}
    for label, params, number in cases:
        page(params, number)  # warm
        runs = [page(params, number) for _ in range(5)]
        query_counts[label] = {queries for _, queries in runs}
        print(f"  {label:<28} {statistics.median(ms for ms, _ in runs):>10.1f} {max(q for _, q in runs):>8}")
    plain = [query_counts[label] for label, params, _ in cases if not params.get("q")]
    constant = all(counts == plain[0] and len(counts) == 1 for counts in plain)
    print(f"  query count constant across pages and filters without q: {'yes' if constant else 'NO'}")
    return constant


def measure_list_view(data: Dataset) -> None:
    """The whole customer list page through the test client: view, template and all."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    user = get_user_model().objects.create_user(username="bench.staff", password="x")
    user.groups.add(Group.objects.get(name="cs_staff"))
    client = Client(SERVER_NAME="localhost")
    client.force_login(user)
    url = reverse("customers:customer_list")
    print("\ncustomer list page through the view (test client, template rendered)")
    last_page = max(1, data.n_customers // 50 - 1)
    cases = ({}, {"page": 2}, {"page": last_page}, {"q": mobile(42)[-4:]}, {"q": data.plates[42] or data.vins[42]})
    for params in cases:
        client.get(url, params)
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(url, params)
            elapsed = (time.perf_counter() - started) * 1000
        print(f"  GET {url} {params!s:<20} status {response.status_code}  {elapsed:7.1f} ms  {len(captured)} queries")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--customers", type=int, default=500_000)
    parser.add_argument("--vehicles", type=int, default=600_000)
    parser.add_argument("--archives", type=int, default=100_000)
    parser.add_argument("--samples", type=int, default=50, help="values searched per kind")
    parser.add_argument("--database", default="cs_bench", help="the bench database (dropped and created)")
    parser.add_argument("--explain", action="store_true", help="print EXPLAIN ANALYZE for every kind")
    args = parser.parse_args()

    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit(
            "DATABASE_URL must point at PostgreSQL, e.g. postgres://postgres@127.0.0.1:5432/test "
            "(the bench creates its own database next to it)."
        )
    os.environ["DATABASE_URL"] = bench_database(url, args.database)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dealership_cs.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    print(
        f"database {args.database}: {args.customers:,} customers, {args.vehicles:,} vehicles, "
        f"{args.archives:,} sales archives"
    )
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    print(f"  migrate {time.perf_counter() - started:.1f} s")
    data = Dataset(args.customers, args.vehicles, args.archives)
    load(data)

    searches_ok = measure_searches(data, args.samples, args.explain)
    list_ok = measure_list_page(data)
    try:
        measure_list_view(data)
    except Exception as exc:  # the page is not what this bench is about; report and go on
        print(f"  (list view not measured: {exc!r})")
    print(
        f"\n{'PASS' if searches_ok and list_ok else 'FAIL'}: p95 of every indexed search kind "
        f"{'≤' if searches_ok else 'NOT all ≤'} {TARGET_MS:.0f} ms; list page queries "
        f"{'constant' if list_ok else 'NOT constant'}"
    )
    sys.exit(0 if searches_ok and list_ok else 1)


if __name__ == "__main__":
    main()
