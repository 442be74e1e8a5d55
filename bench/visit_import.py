"""The repair-order import at 20,000 rows: a first import, a re-import, and a re-import with changes.

The target (issue 11, item 1): a 20,000-row DMS export imports in seconds, with a number of
queries per chunk that does not grow with the rows.

    .venv/bin/python bench/visit_import.py                       # SQLite, in bench/out/
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test .venv/bin/python bench/visit_import.py
    .venv/bin/python bench/visit_import.py --rows 50000

The export is generated like a real one: title rows, 8,000 cars of which some come back several
times, phones as numbers, times as dates, 40 advisors, a totals row. On SQLite the database is a
fresh file under bench/out/; on PostgreSQL the script drops and creates its own database,
``cs_visit_bench``, on the server DATABASE_URL points at (that database itself is not touched).
Each pass prints its time, its counts and its number of queries.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from fake_data import MOBILE_PREFIXES, SURNAMES, VIN_WEIGHTS  # bench/ is on sys.path when run as a script

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
BENCH_DATABASE = "cs_visit_bench"
_VIN_VALUES = {
    **{str(d): d for d in range(10)},
    **dict(zip("ABCDEFGH", range(1, 9), strict=True)),
    **dict(zip("JKLMN", range(1, 6), strict=True)),
    "P": 7,
    "R": 9,
    **dict(zip("STUVWXYZ", range(2, 10), strict=True)),
}
KINDS = ("保养", "首保", "一般维修", "事故车维修", "索赔", "洗车美容")


def vin(n: int) -> str:
    body = f"LSVCD2180B2{n:06d}"
    total = sum(_VIN_VALUES[c] * w for c, w in zip(body, VIN_WEIGHTS, strict=True))
    check = "X" if total % 11 == 10 else str(total % 11)
    return body[:8] + check + body[9:]


def export(rows: int, *, changed: bool = False) -> bytes:
    """The DMS export as an .xlsx (write-only: generating it stays out of the timed part)."""
    import openpyxl

    rng = random.Random(11)
    cars = max(rows * 2 // 5, 1)
    advisors = [f"{SURNAMES[i % len(SURNAMES)]}顾问{i}" for i in range(40)]
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("工单")
    sheet.append(["德州某某汽车销售服务有限公司 维修工单明细（DMS导出）"])
    sheet.append(["导出时间：2012-01-05 08:31:12"])
    sheet.append([])
    sheet.append(
        ["工单号", "车架号", "车牌号", "客户名称", "联系电话", "服务顾问", "维修类别"]
        + ["进厂时间", "结算时间", "行驶里程", "结算金额"]
    )
    start = datetime(2011, 1, 3, 8, 0)
    for n in range(rows):
        car = rng.randrange(cars)
        opened = start + timedelta(minutes=25 * n)
        amount = round(rng.uniform(120, 9000), 2) + (1 if changed and n % 10 == 0 else 0)
        sheet.append(
            [
                f"RO{n:08d}",
                vin(car),
                f"鲁N{car:05d}",
                f"{SURNAMES[car % len(SURNAMES)]}客户{car}",
                float(f"{MOBILE_PREFIXES[car % len(MOBILE_PREFIXES)]}{car:08d}"),
                advisors[car % len(advisors)],
                KINDS[n % len(KINDS)],
                opened,
                opened + timedelta(hours=rng.randrange(1, 30)),
                float(1000 + car * 3 + n // 100),
                amount,
            ]
        )
    sheet.append(["合计", rows])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def configure_database() -> None:
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        import psycopg2

        parts = urlsplit(url)
        conn = psycopg2.connect(url)
        conn.autocommit = True
        with conn.cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {BENCH_DATABASE}")
            cursor.execute(f"CREATE DATABASE {BENCH_DATABASE}")
        conn.close()
        os.environ["DATABASE_URL"] = urlunsplit(parts._replace(path=f"/{BENCH_DATABASE}"))
    else:
        OUT.mkdir(parents=True, exist_ok=True)
        path = OUT / "visit_bench.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{path}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=20_000)
    args = parser.parse_args()

    configure_database()
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dealership_cs.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from customers.visits import visit_import

    call_command("migrate", verbosity=0)
    first, again = export(args.rows), export(args.rows, changed=True)
    print(f"{connection.vendor}, {args.rows:,} rows ({len(first) / 1e6:.1f} MB .xlsx)")
    for label, data in (("first import", first), ("re-import, unchanged", first), ("re-import, 10% changed", again)):
        with CaptureQueriesContext(connection) as queries:
            began = time.perf_counter()
            result = visit_import(source=io.BytesIO(data), file_name="工单.xlsx")
            elapsed = time.perf_counter() - began
        print(
            f"{label:24} {elapsed:6.2f} s  created={result.created} updated={result.updated} "
            f"unchanged={result.unchanged} rejected={result.rejected}  "
            f"customers={result.customers_created} cars={result.vehicles_created} "
            f"advisors={result.advisors_created}  queries={len(queries.captured_queries)}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
