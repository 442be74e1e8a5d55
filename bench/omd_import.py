"""OMD invoice import at full size: 200,000 rows against the floor and django-import-export.

The targets (issue 4, "Performance"), all measured in one run:

* the whole pipeline (read, validate, stage, upsert, commit) on PostgreSQL in at most 1.5× the
  floor: python-calamine reading the file plus PostgreSQL COPY of the same rows into an
  unlogged table;
* at least 5× faster than django-import-export 4.x in bulk mode importing the same file into
  the same table (installed in the bench's own virtualenv only);
* peak memory of the importing process ≤ 400 MiB at 200,000 rows, ≤ 600 MiB at 500,000;
* re-importing the same file (all unchanged) at least as fast as the first import;
* the same rows as a GB18030 CSV at least as fast as the .xlsx;
* on SQLite (the portable path) correct, and timed on a smaller file.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test .venv/bin/python bench/omd_import.py
    ... bench/omd_import.py --rows 500000          # the 600 MiB target
    ... bench/omd_import.py --rows 20000 --skip-iex --skip-sqlite   # a quick look

The script generates the export (cached under bench/out/), creates and migrates its own
template database (``cs_omd_bench_template``; DATABASE_URL only says where the server is) and
copies it to ``cs_omd_bench`` for every import that starts from empty tables. Every import runs
in a child process of its own (this script with ``--child``), which reports its time, the
import's counts and its peak RSS. Missed targets are reported, never raised. bench/README.md
says what each figure means.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import hashlib
import importlib.metadata
import io
import json
import os
import random
import shutil
import subprocess
import sys
import time
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from fake_data import MOBILE_PREFIXES, SURNAMES, VIN_WEIGHTS  # bench/ is on sys.path when run as a script

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
IEX_VENV = OUT / "venv-iex"  # bench/out/ is git-ignored: the venv never reaches the repository
BENCH_REQUIREMENTS = ROOT / "bench" / "requirements.txt"

FLOOR_RATIO_TARGET = 1.5
IEX_SPEEDUP_TARGET = 5.0
RSS_TARGETS_MIB = ((200_000, 400), (500_000, 600))  # (rows up to, MiB)
GENERATOR_VERSION = 2  # part of the cache key: bump when the generated content changes

# --- the export's content ------------------------------------------------------------------------

HEADERS = (
    "发票号码",
    "开票日期",
    "客户名称",
    "联系电话",
    "车架号",
    "车型",
    "价税合计",
    "销售顾问",
    "经销商代码",
    "上报日期",
)
TITLE = "德州某某汽车销售服务有限公司 零售发票明细（OMD系统导出）"
EXPORTED_AT = "导出时间：2012-01-05 08:31:12    导出人：omd_admin"
SIGNED = "制表人：系统管理员"
DEALER_CODE = "SD37012"
FIRST_DAY = date(2011, 1, 4)
ROWS_PER_DAY = 600  # invoice dates grow with the row, so a slice of the file is its first rows
BLANK_EVERY, BLANK_AT = 20_000, 5_000  # a blank row before data row i when i % 20,000 == 5,000

GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华建国志文海燕红玉梅晓东辉鹏飞宇浩然子轩雪琳庆丰德胜学"
COMPANIES = ("德州市鲁北物流有限公司", "德州天衢建设工程有限公司", "山东德棉集团有限公司", "德州市德城区人民医院")
CONSULTANTS = ("刘洋", "陈静", "杨帆", "赵磊", "黄丽", "孙鹏", "周敏", "吴昊")
# (name as OMD lists it, VIN model code (VDS), list price)
CAR_MODELS = (
    ("朗逸 1.6L 手动品雅版", "AE218", 119800),
    ("朗逸 1.6L 自动品轩版", "AE219", 139800),
    ("帕萨特 2.0L 自动尊荣版", "AB43D", 199800),
    ("途观 1.8TSI 自动两驱舒适版", "UB45T", 239800),
    ("桑塔纳志俊 1.8L 手动实尚版", "AA113", 99800),
    ("POLO 劲情 1.4L 自动风尚版", "PA415", 109800),
    ("途安 1.4TSI 自动智臻版", "TA233", 179800),
    ("明锐 1.6L 手动逸俊版", "NB413", 129800),
    ("晶锐 1.4L 手动晶致版", "NJ316", 89900),
    ("昊锐 1.8TSI 自动优雅版", "NE438", 219800),
)
# ISO 3779 values and weights, as customers.validators has them; inlined to check 500,000 VINs fast.
VIN_VALUES = {
    **{str(d): d for d in range(10)},
    **dict(zip("ABCDEFGH", range(1, 9), strict=True)),
    **dict(zip("JKLMN", range(1, 6), strict=True)),
    "P": 7,
    "R": 9,
    **dict(zip("STUVWXYZ", range(2, 10), strict=True)),
}
YEAR_CODES = {2010: "A", 2011: "B", 2012: "C", 2013: "D"}

# Which data rows are special (by their index i from 0): a red-letter invoice voiding an earlier
# invoice of the same VIN, an exact repeat of the row above, a row with one invalid value.
RED_EVERY, RED_AT, RED_BACK = 997, 500, 211
REPEAT_EVERY, REPEAT_AT = 9_973, 1_234
INVALID_EVERY, INVALID_AT = 4_999, 77
DEFECTS = ("VIN check digit", "impossible date", "short phone", "amount as words")


def vin_for(i: int, model_code: str, year: int) -> str:
    body = f"LSV{model_code}0{YEAR_CODES[year]}2{(i * 7919 + 4321) % 10**6:06d}"  # unique below 10^6 rows
    total = sum(VIN_VALUES[char] * weight for char, weight in zip(body, VIN_WEIGHTS, strict=True))
    check = "X" if total % 11 == 10 else str(total % 11)
    return body[:8] + check + body[9:]


def invoice_number_for(i: int) -> int:
    # Two invoice rolls: most numbers have a leading zero (exported as a number, they lose it).
    return 23_456_789 + i * 17 if i % 3 == 0 else 1_234_567 + i * 17


def base_kind(i: int) -> str:
    if i % RED_EVERY == RED_AT:
        return "red"
    if i % INVALID_EVERY == INVALID_AT:
        return "invalid"
    return "normal"


def kind_of(i: int) -> str:
    if i % REPEAT_EVERY == REPEAT_AT and base_kind(i - 1) == "normal":
        return "repeat"
    return base_kind(i)


def red_target(i: int) -> int:
    j = i - RED_BACK
    while kind_of(j) != "normal":
        j -= 1
    return j


@dataclass
class Invoice:
    """One invoice's logical values, before the export dresses them up."""

    number: int
    day: date
    name: str
    mobile: str
    vin: str
    model: str
    amount: float
    consultant: str
    entered: date | None


@dataclass
class Manifest:
    """What the generated file holds, and so what a correct import reports."""

    rows: int  # data rows: between the header and the totals row, blank rows not counted
    seed: int
    header_row: int
    rejected: int = 0
    repeats: int = 0
    red_letter: int = 0
    blank_rows: int = 0
    defects: dict[str, int] = field(default_factory=dict)
    xlsx_bytes: int = 0
    csv_bytes: int = 0
    generated_seconds: float = 0.0

    @property
    def created(self) -> int:
        return self.rows - self.rejected - self.repeats


def invoices(rows: int, seed: int) -> Iterator[tuple[int, str, Invoice, str]]:
    """(i, kind, invoice, defect) for every data row, in order."""
    rng = random.Random(seed)
    recent: dict[int, Invoice] = {}  # normal invoices of the last RED_BACK*2 rows, for the red-letter ones
    for i in range(rows):
        kind = kind_of(i)
        day = FIRST_DAY + timedelta(days=i // ROWS_PER_DAY)
        if kind == "red":
            target = recent[red_target(i)]
            invoice = Invoice(
                invoice_number_for(i),
                day,
                target.name,
                target.mobile,
                target.vin,
                target.model,
                -target.amount,
                target.consultant,
                day + timedelta(days=1),
            )
        elif kind == "repeat":
            invoice = recent[i - 1]
        else:
            model, code, price = CAR_MODELS[rng.randrange(len(CAR_MODELS))]
            if rng.random() < 0.01:
                name = rng.choice(COMPANIES)
            else:
                name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))
            mobile = f"{rng.choice(MOBILE_PREFIXES)}{rng.randrange(10**8):08d}"
            amount = float(price - rng.randrange(0, 120) * 100)
            if rng.random() < 0.05:
                amount += rng.randrange(1, 100) / 100
            entered = None if rng.random() < 0.1 else day + timedelta(days=rng.randrange(0, 4))
            vin = vin_for(i, code, min(day.year, 2013))
            invoice = Invoice(
                invoice_number_for(i), day, name, mobile, vin, model, amount, rng.choice(CONSULTANTS), entered
            )
        defect = DEFECTS[(i // INVALID_EVERY) % len(DEFECTS)] if kind == "invalid" else ""
        if kind in ("normal", "invalid"):
            recent[i] = invoice
            recent.pop(i - 3 * RED_BACK, None)
        yield i, kind, invoice, defect


def cells(invoice: Invoice, kind: str, defect: str, rng: random.Random) -> list[object]:
    """The row as the export shows it: str, float (a number cell), date (a date cell) or None."""
    roll = rng.random()
    number: object = float(invoice.number) if roll < 0.1 else f"{invoice.number:08d}"
    roll = rng.random()
    if roll < 0.88:
        day: object = invoice.day
    elif roll < 0.93:
        day = invoice.day.isoformat()
    elif roll < 0.97:
        day = f"{invoice.day.year}/{invoice.day.month}/{invoice.day.day}"
    else:
        day = f"{invoice.day.year}年{invoice.day.month}月{invoice.day.day}日"
    roll = rng.random()
    name = invoice.name if roll < 0.98 else f" {invoice.name}  "
    roll = rng.random()
    mobile = invoice.mobile
    if roll < 0.78:
        phone: object = mobile
    elif roll < 0.90:
        phone = float(mobile)  # a phone column formatted as a number: 1.3812345678E10
    elif roll < 0.94:
        phone = f"{mobile[:3]}-{mobile[3:7]}-{mobile[7:]}"
    elif roll < 0.96:
        phone = f"0534-{2 + int(mobile[-7]) % 7}{mobile[-6:]}"  # a landline: local numbers start with 2-8
    elif roll < 0.98:
        phone = f"+86 {mobile}"
    else:
        phone = None
    vin = invoice.vin if rng.random() < 0.97 else f"{invoice.vin[:8].lower()} {invoice.vin[8:].lower()}"
    roll = rng.random()
    amount: object
    if roll < 0.85:
        amount = invoice.amount
    elif roll < 0.95:
        sign = "-" if invoice.amount < 0 else ""
        amount = f"{sign}¥{abs(invoice.amount):,.2f}"
    else:
        amount = f"{invoice.amount:.2f}"
    roll = rng.random()
    entered: object = invoice.entered
    if invoice.entered is not None and roll < 0.1:
        entered = f"{invoice.entered.isoformat()} {rng.randrange(8, 18):02d}:{rng.randrange(60):02d}:00"
    if defect == "VIN check digit":
        check = invoice.vin[8]
        vin = invoice.vin[:8] + ("0" if check != "0" else "1") + invoice.vin[9:]
    elif defect == "impossible date":
        day = f"{invoice.day.year}-02-30"
    elif defect == "short phone":
        phone = invoice.mobile[:7]
    elif defect == "amount as words":
        amount = "待定"
    return [number, day, name, phone, vin, invoice.model, amount, invoice.consultant, DEALER_CODE, entered]


# --- writing the files -----------------------------------------------------------------------------

EXCEL_EPOCH = date(1899, 12, 30)
DATE_STYLE, AMOUNT_STYLE = 1, 2
AMOUNT_COLUMN = HEADERS.index("价税合计")
COLUMN_LETTERS = "ABCDEFGHIJ"

CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">\
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>\
<Default Extension="xml" ContentType="application/xml"/>\
<Override PartName="/xl/workbook.xml" \
ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>\
<Override PartName="/xl/worksheets/sheet1.xml" \
ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>\
<Override PartName="/xl/styles.xml" \
ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>\
<Override PartName="/xl/sharedStrings.xml" \
ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>\
</Types>"""
ROOT_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">\
<Relationship Id="rId1" \
Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>\
</Relationships>"""
WORKBOOK = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" \
xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">\
<sheets><sheet name="零售发票" sheetId="1" r:id="rId1"/></sheets></workbook>"""
WORKBOOK_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">\
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" \
Target="worksheets/sheet1.xml"/>\
<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" \
Target="styles.xml"/>\
<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" \
Target="sharedStrings.xml"/>\
</Relationships>"""
# Style 1: built-in date format 14 (what Excel shows as 2011/8/24); style 2: #,##0.00 for amounts.
STYLES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">\
<numFmts count="1"><numFmt numFmtId="164" formatCode="#,##0.00"/></numFmts>\
<fonts count="1"><font><sz val="11"/><name val="宋体"/><charset val="134"/></font></fonts>\
<fills count="2"><fill><patternFill patternType="none"/></fill>\
<fill><patternFill patternType="gray125"/></fill></fills>\
<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>\
<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>\
<cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>\
<xf numFmtId="14" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>\
<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>\
<cellStyles count="1"><cellStyle name="常规" xfId="0" builtinId="0"/></cellStyles>\
</styleSheet>"""
SHEET_HEAD = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" \
xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">\
<dimension ref="A1:J{last}"/><sheetViews><sheetView workbookViewId="0"/></sheetViews>\
<sheetFormatPr defaultRowHeight="13.5"/><sheetData>"""
SHEET_TAIL = (
    '</sheetData><mergeCells count="2"><mergeCell ref="A1:J1"/><mergeCell ref="A2:J2"/></mergeCells></worksheet>'
)


def _xml_text(text: str) -> str:
    if "&" in text or "<" in text or ">" in text:
        text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text


class XlsxWriter:
    """A streaming .xlsx writer (shared strings, number and date cells): seconds for 500,000 rows."""

    def __init__(self, path: Path, last_row: int) -> None:
        self.zip = zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=6)
        for name, text in (
            ("[Content_Types].xml", CONTENT_TYPES),
            ("_rels/.rels", ROOT_RELS),
            ("xl/workbook.xml", WORKBOOK),
            ("xl/_rels/workbook.xml.rels", WORKBOOK_RELS),
            ("xl/styles.xml", STYLES),
        ):
            self.zip.writestr(name, text)
        self.sheet = io.TextIOWrapper(
            self.zip.open("xl/worksheets/sheet1.xml", "w", force_zip64=True), encoding="utf-8", write_through=False
        )
        self.sheet.write(SHEET_HEAD.format(last=last_row))
        self.strings: dict[str, int] = {}
        self.buffer: list[str] = []

    def row(self, number: int, values: list[object]) -> None:
        parts = [f'<row r="{number}">']
        strings = self.strings
        for column, value in enumerate(values):
            if value is None:
                continue
            ref = f"{COLUMN_LETTERS[column]}{number}"
            kind = value.__class__
            if kind is str:
                index = strings.get(value)
                if index is None:
                    index = strings[value] = len(strings)
                parts.append(f'<c r="{ref}" t="s"><v>{index}</v></c>')
            elif kind is float:
                text = str(int(value)) if value.is_integer() else repr(value)
                style = f' s="{AMOUNT_STYLE}"' if column == AMOUNT_COLUMN else ""
                parts.append(f'<c r="{ref}"{style}><v>{text}</v></c>')
            elif kind is date:
                parts.append(f'<c r="{ref}" s="{DATE_STYLE}"><v>{(value - EXCEL_EPOCH).days}</v></c>')
            else:
                raise TypeError(value)
        parts.append("</row>")
        self.buffer.append("".join(parts))
        if len(self.buffer) >= 5_000:
            self.sheet.write("".join(self.buffer))
            self.buffer = []

    def close(self) -> None:
        self.sheet.write("".join(self.buffer) + SHEET_TAIL)
        self.sheet.close()
        with self.zip.open("xl/sharedStrings.xml", "w", force_zip64=True) as raw:
            out = io.TextIOWrapper(raw, encoding="utf-8")
            count = len(self.strings)
            out.write(
                '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                f'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
                f'count="{count}" uniqueCount="{count}">'
            )
            chunk = []
            for text in self.strings:  # dicts keep insertion order: index order
                space = ' xml:space="preserve"' if text != text.strip() else ""
                chunk.append(f"<si><t{space}>{_xml_text(text)}</t></si>")
                if len(chunk) >= 10_000:
                    out.write("".join(chunk))
                    chunk = []
            out.write("".join(chunk) + "</sst>")
            out.flush()
            out.detach()
        self.zip.close()


def csv_text(value: object, column: int) -> str:
    """A cell as Chinese Excel saves it in a CSV: what the cell shows."""
    if value is None:
        return ""
    if value.__class__ is date:
        return f"{value.year}/{value.month}/{value.day}"
    if value.__class__ is float:
        if column == AMOUNT_COLUMN:
            return f"{value:,.2f}"
        return str(int(value)) if value.is_integer() else repr(value)
    return value


def generate(rows: int, seed: int, xlsx: Path, csv_path: Path) -> Manifest:
    started = time.perf_counter()
    header_row = 3
    blanks = sum(1 for i in range(rows) if i % BLANK_EVERY == BLANK_AT)
    last_row = header_row + rows + blanks + 2  # totals row and the signature below it
    manifest = Manifest(rows=rows, seed=seed, header_row=header_row, blank_rows=blanks)
    rng = random.Random(seed + 1)
    tmp_xlsx, tmp_csv = xlsx.with_suffix(".xlsx.tmp"), csv_path.with_suffix(".csv.tmp")
    writer = XlsxWriter(tmp_xlsx, last_row)
    with open(tmp_csv, "w", encoding="gb18030", newline="") as handle:
        out = csv.writer(handle, lineterminator="\r\n")
        empty = [""] * len(HEADERS)
        writer.row(1, [TITLE])
        out.writerow([TITLE, *empty[1:]])
        writer.row(2, [EXPORTED_AT])
        out.writerow([EXPORTED_AT, *empty[1:]])
        writer.row(3, list(HEADERS))
        out.writerow(HEADERS)
        number = header_row
        total = 0.0
        values: list[object] = []
        for i, kind, invoice, defect in invoices(rows, seed):
            if i % BLANK_EVERY == BLANK_AT:
                number += 1  # a row Excel shows empty: absent from the sheet XML
                out.writerow(empty)
            # A repeat is the row above listed again, cell for cell (as exports duplicate rows).
            values = list(values) if kind == "repeat" else cells(invoice, kind, defect, rng)
            number += 1
            writer.row(number, values)
            out.writerow([csv_text(value, column) for column, value in enumerate(values)])
            manifest.rejected += kind == "invalid"
            manifest.repeats += kind == "repeat"
            manifest.red_letter += kind == "red"
            if defect:
                manifest.defects[defect] = manifest.defects.get(defect, 0) + 1
            if kind != "invalid":
                total += invoice.amount
        totals = ["合计", None, None, None, None, None, round(total, 2), None, None, None]
        writer.row(number + 1, totals)
        out.writerow([csv_text(value, column) for column, value in enumerate(totals)])
        writer.row(number + 2, [SIGNED])
        out.writerow([SIGNED, *empty[1:]])
    writer.close()
    tmp_xlsx.replace(xlsx)
    tmp_csv.replace(csv_path)
    manifest.xlsx_bytes, manifest.csv_bytes = xlsx.stat().st_size, csv_path.stat().st_size
    manifest.generated_seconds = time.perf_counter() - started
    return manifest


def export_files(rows: int, seed: int) -> tuple[Path, Path, Manifest, bool]:
    """The .xlsx, the GB18030 .csv and the manifest for (rows, seed), generated unless cached."""
    OUT.mkdir(parents=True, exist_ok=True)
    stem = OUT / f"omd_export_v{GENERATOR_VERSION}_{rows}_s{seed}"
    xlsx, csv_path, meta = stem.with_suffix(".xlsx"), stem.with_suffix(".csv"), stem.with_suffix(".json")
    if xlsx.exists() and csv_path.exists() and meta.exists():
        data = json.loads(meta.read_text())
        if data.get("xlsx_bytes") == xlsx.stat().st_size and data.get("csv_bytes") == csv_path.stat().st_size:
            return xlsx, csv_path, Manifest(**data), True
    manifest = generate(rows, seed, xlsx, csv_path)
    meta.write_text(json.dumps(asdict(manifest), ensure_ascii=False, indent=1))
    return xlsx, csv_path, manifest, False


# --- the databases -------------------------------------------------------------------------------


def server_connection(url: str, dbname: str):
    import psycopg2

    parts = urlsplit(url)
    connection = psycopg2.connect(
        dbname=dbname,
        user=parts.username or "postgres",
        password=parts.password or None,
        host=parts.hostname or "127.0.0.1",
        port=parts.port or 5432,
    )
    connection.autocommit = True
    return connection


def bench_database(url: str, name: str, *, template: str | None = None) -> str:
    """Drop and create a database on the server of ``url`` (a copy of ``template`` if given); return its URL."""
    admin = server_connection(url, "postgres")
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
    admin.close()
    return bench_database_url(url, name)


def bench_database_url(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))


class BenchDatabase:
    """The bench database and the parent's own connection to it: fresh copies, checkpoints and checks.

    ``fresh()`` replaces it with a copy of the migrated template: empty tables and no planner
    statistics, as on the day the system goes live. (A TRUNCATE would keep the statistics an
    earlier ANALYZE gathered, and the timings would depend on the order of the runs.)
    """

    def __init__(self, server_url: str, name: str) -> None:
        self.server_url, self.name, self.template = server_url, name, f"{name}_template"
        self.url = bench_database(server_url, self.template)
        self.connection = None

    def fresh(self) -> None:
        self.close()
        bench_database(self.server_url, self.name, template=self.template)
        self.connection = server_connection(self.server_url, self.name)
        self.checkpoint()

    def execute(self, sql: str, params: object = None) -> list[tuple]:
        with self.connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall() if cursor.description else []

    def stop_other_sessions(self) -> None:
        """End the server sessions a killed child left running (they go on with their statement otherwise)."""
        self.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            [self.name],
        )

    def checkpoint(self) -> None:
        # The previous run's dirty pages written now rather than during the next timed run.
        with contextlib.suppress(Exception):  # needs superuser or pg_checkpoint
            self.execute("CHECKPOINT")

    def settle(self) -> None:
        """Statistics, hint bits and visibility map as autovacuum leaves them between two daily imports."""
        self.execute("VACUUM (ANALYZE)")
        self.checkpoint()

    def invoice_state(self) -> dict[str, int]:
        ((total, voided, red, batches),) = self.execute(
            "SELECT count(*), count(*) FILTER (WHERE voided), count(*) FILTER (WHERE amount < 0), "
            "count(DISTINCT batch_id) FROM customers_omdinvoice"
        )
        ((history,),) = self.execute("SELECT count(*) FROM customers_historicalomdinvoice")
        return {"invoices": total, "voided": voided, "red_letter": red, "batches": batches, "history": history}

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None


# --- the floor ------------------------------------------------------------------------------------


def floor_rows(path: Path) -> tuple[list[list[object]], float]:
    """python-calamine reading every cell of the first sheet; the data rows (header to totals, blanks out)."""
    import python_calamine

    started = time.perf_counter()
    workbook = python_calamine.CalamineWorkbook.from_path(str(path))
    table = workbook.get_sheet_by_index(0).to_python(skip_empty_area=False)
    seconds = time.perf_counter() - started
    header = next(n for n, row in enumerate(table) if row and row[0] == HEADERS[0])
    data = []
    for row in table[header + 1 :]:
        if row[0] == "合计":
            break
        if any(cell not in ("", None) for cell in row):
            data.append(row)
    return data, seconds


def copy_floor(db: BenchDatabase, rows: list[list[object]]) -> float:
    """COPY the rows, every cell as text, into an unlogged table: formatting, COPY and commit."""
    columns = ", ".join(f"c{n} text" for n in range(len(HEADERS)))
    db.execute("DROP TABLE IF EXISTS bench_omd_floor")
    db.execute(f"CREATE UNLOGGED TABLE bench_omd_floor ({columns})")
    db.settle()
    escapes = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})

    def text(cell: object) -> str:
        if cell.__class__ is str:
            return cell.translate(escapes)
        if cell is None:
            return "\\N"
        if hasattr(cell, "isoformat"):
            return cell.isoformat()
        return str(cell)

    started = time.perf_counter()
    buffer = io.StringIO("".join("\t".join(map(text, row)) + "\n" for row in rows))
    db.connection.autocommit = False
    with db.connection.cursor() as cursor:
        cursor.copy_expert("COPY bench_omd_floor FROM STDIN", buffer)
    db.connection.commit()
    db.connection.autocommit = True
    seconds = time.perf_counter() - started
    ((count,),) = db.execute("SELECT count(*) FROM bench_omd_floor")
    assert count == len(rows), (count, len(rows))
    return seconds


# --- child processes --------------------------------------------------------------------------------

RESULT_MARK = "BENCH-RESULT "


def peak_rss_mib() -> float:
    """This process's peak resident set size.

    VmHWM rather than getrusage's ru_maxrss: Linux carries ru_maxrss over an exec, so a child
    started by a parent holding the floor's 200,000 rows would report the parent's peak.
    """
    with contextlib.suppress(OSError):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024  # kB
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux; bytes on macOS


def setup_django() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dealership_cs.settings")
    import django

    django.setup()


def emit(result: dict) -> None:
    print(RESULT_MARK + json.dumps(result, ensure_ascii=False, default=str), flush=True)


def import_counts(omd_import) -> dict[str, object]:
    fields = ("status", "rows_read", "created", "updated", "unchanged", "rejected", "voided", "message")
    return {name: getattr(omd_import, name) for name in fields}


def run_ours(path: Path, profile_top: int = 0) -> dict:
    """omd_import_run on the file, in this process: seconds, counts and peak RSS.

    With ``profile_top`` the run is profiled (cProfile) and every SQL statement sent through
    Django is timed; both are printed (COPY goes past Django's cursor wrapper and is not listed).
    cProfile sees only the thread it runs in, so the profiled run reads and writes the staged
    rows in that one thread, one after the other, instead of in two overlapping threads.
    """
    from django.db import connection

    from customers.omd.service import omd_import_run

    before = peak_rss_mib()
    statements: dict[str, list] = {}

    def timer(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            entry = statements.setdefault(" ".join(sql.split())[:160], [0, 0.0])
            entry[0] += 1
            entry[1] += time.perf_counter() - started

    with contextlib.ExitStack() as stack:
        profiler = None
        if profile_top:
            import cProfile
            from unittest import mock

            stack.enter_context(connection.execute_wrapper(timer))
            stack.enter_context(mock.patch("customers.omd.stage._ahead", lambda chunks: chunks))
            profiler = cProfile.Profile()
            profiler.enable()
        started = time.perf_counter()
        try:
            omd_import = omd_import_run(source=str(path), file_name=path.name)
        except Exception as exc:  # a refusal or a bug: reported, the bench goes on
            return {"error": f"{type(exc).__name__}: {exc}"[:500], "seconds": time.perf_counter() - started}
        seconds = time.perf_counter() - started
    if profiler is not None:
        print_profile(profiler, profile_top, statements, seconds)
    return {"seconds": seconds, "rss_before_mib": before, **import_counts(omd_import)}


def print_profile(profiler, top: int, statements: dict[str, list], seconds: float) -> None:
    import pstats

    profiler.disable()
    print(f"--- the import took {seconds:.2f} s; SQL statements through Django by total time ---")
    ranked = sorted(statements.items(), key=lambda item: -item[1][1])
    for sql, (count, total) in ranked[: min(top, 15)]:
        print(f"{total:8.2f} s {count:6d}×  {sql}")
    for order in ("tottime", "cumulative"):
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).strip_dirs().sort_stats(order).print_stats(top)
        print(f"--- cProfile, top {top} by {order} ---")
        lines = out.getvalue().splitlines()
        start = next((n for n, line in enumerate(lines) if "ncalls" in line), 0)
        print("\n".join(line for line in lines[start:] if line.strip()))


def child_main(args: argparse.Namespace) -> None:
    """The child's side: one measured job, its result as the last line of stdout."""
    import logging

    setup_django()
    logging.getLogger("customers").setLevel(logging.INFO)
    path = Path(args.file) if args.file else None
    result: dict = {}
    if args.child == "ours":
        result = run_ours(path, args.profile_top)
    elif args.child == "sqlite":
        from django.core.management import call_command

        started = time.perf_counter()
        call_command("migrate", verbosity=0)
        result["migrate_seconds"] = time.perf_counter() - started
        result["first"] = run_ours(path)
        result["first"]["state"] = sqlite_state()
        result["again"] = run_ours(path)
        result["again"]["state"] = sqlite_state()
    elif args.child == "iex":
        result = run_iex(path, args.iex_batch_size)
    elif args.child == "migrate":
        from django.core.management import call_command

        started = time.perf_counter()
        call_command("migrate", verbosity=0)
        result["seconds"] = time.perf_counter() - started
    result["peak_rss_mib"] = peak_rss_mib()
    emit(result)


def sqlite_state() -> dict[str, int]:
    from customers.models import OmdInvoice

    invoices = OmdInvoice.objects.all()
    return {
        "invoices": invoices.count(),
        "voided": invoices.filter(voided=True).count(),
        "red_letter": invoices.filter(amount__lt=0).count(),
        "history": OmdInvoice.history.count(),
    }


@dataclass
class Run:
    """One child process: what it reported, its wall time, and what it printed."""

    label: str
    result: dict
    wall_seconds: float
    output: list[str]

    @property
    def ok(self) -> bool:
        return "error" not in self.result

    def get(self, key: str, default: object = None) -> object:
        return self.result.get(key, default)


def run_child(
    label: str,
    mode: str,
    env: dict[str, str],
    *,
    python: str | None = None,
    file: Path | None = None,
    extra: tuple[str, ...] = (),
    echo: Callable[[str], bool] | None = None,
    timeout: float | None = None,
) -> Run:
    command = [python or sys.executable, str(Path(__file__).resolve()), "--child", mode, *extra]
    if file is not None:
        command += ["--file", str(file)]
    started = time.perf_counter()
    try:
        completed = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired as exc:  # killed; what it printed until then still tells where it was
        partial = [
            part.decode(errors="replace") if isinstance(part, bytes) else part for part in (exc.stdout, exc.stderr)
        ]
        output = "".join(part for part in partial if part).splitlines()
        for line in output:
            if echo is not None and echo(line):
                print(f"    | {line}")
        return Run(label, {"error": f"timed out after {timeout:.0f} s"}, time.perf_counter() - started, output)
    wall = time.perf_counter() - started
    lines = (completed.stdout + completed.stderr).splitlines()
    results = [line for line in completed.stdout.splitlines() if line.startswith(RESULT_MARK)]
    if results:
        result = json.loads(results[-1][len(RESULT_MARK) :])
    else:
        tail = "\n".join(lines[-25:])
        result = {"error": f"the child exited with status {completed.returncode} and no result:\n{tail}"}
    output = [line for line in lines if not line.startswith(RESULT_MARK)]
    for line in output:
        if echo is not None and echo(line):
            print(f"    | {line}")
    return Run(label, result, wall, output)


def pipeline_log(line: str) -> bool:
    """The pipeline's own timing lines (logged by customers.omd.service)."""
    return "OMD import" in line and (" validated" in line or " applied" in line)


def child_env(database_url: str, **extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "DATABASE_URL": database_url,
            "DJANGO_SETTINGS_MODULE": "dealership_cs.settings",
            # As in production: no DEBUG query log; the uploads go to the bench's own media folder.
            "DEBUG": "false",
            "SECRET_KEY": "bench-only-secret-key-not-for-any-deployment-0123456789",
            "DATA_DIR": str(OUT / "data"),
            "PYTHONPATH": str(ROOT),
            # 500,000 rows as CSV are over the 50 MB default upload limit.
            "SPREADSHEET_MAX_MB": "200",
            "LOG_LEVEL": "INFO",
        }
    )
    env.pop("REDIS_URL", None)
    env.update(extra)
    return env


# --- django-import-export (in its own virtualenv) ----------------------------------------------------


def run_iex(path: Path, batch: int) -> dict:
    """django-import-export 4.x, bulk mode, importing the file into customers_omdinvoice.

    The resource is written as its documentation advises for speed ("Bulk imports",
    "Performance tuning"): use_bulk with a batch_size, CachedInstanceLoader (one query for all
    existing invoices instead of one per row), skip_diff, skip_unchanged. Values go through the
    project's own validators (customers.validators) in widgets, as a fair port would do.
    The file is read as import-export's XLSX format reads it (openpyxl, read-only), except that
    the rows above the header and from the totals row down are left out: import-export expects
    the header in the first row.
    """
    import openpyxl
    import tablib
    from django.core.exceptions import ValidationError
    from import_export import fields, resources, widgets
    from import_export.instance_loaders import CachedInstanceLoader

    from customers import validators
    from customers.models import OmdInvoice

    class ValidatorWidget(widgets.Widget):
        """A widget whose clean() is one of the project's normalisers."""

        def __init__(self, function: Callable[[object], object]) -> None:
            super().__init__()
            self.function = function

        def clean(self, value, row=None, **kwargs):
            try:
                return self.function(value)
            except ValidationError as exc:  # import-export reports ValueError as a field error
                raise ValueError(" ".join(exc.messages)) from None

    def column(attribute: str, header: str, function: Callable[[object], object]) -> fields.Field:
        return fields.Field(attribute=attribute, column_name=header, widget=ValidatorWidget(function))

    def required(function: Callable[[object], object]) -> Callable[[object], object]:
        def check(value: object) -> object:
            cleaned = function(value)
            if cleaned in (None, ""):
                raise ValueError("required")
            return cleaned

        return check

    def text(value: object) -> str:
        return validators.clean_name("" if value is None else str(value))

    class OmdInvoiceResource(resources.ModelResource):
        invoice_number = column("invoice_number", "发票号码", required(validators.normalize_invoice_number))
        invoice_date = column("invoice_date", "开票日期", required(validators.parse_date))
        customer_name = column("customer_name", "客户名称", required(validators.normalize_name))
        phone = column("phone", "联系电话", validators.normalize_phone)
        vin = column("vin", "车架号", required(validators.normalize_vin))
        model_name = column("model_name", "车型", text)
        amount = column("amount", "价税合计", required(validators.parse_amount))
        consultant_name = column("consultant_name", "销售顾问", validators.normalize_name)
        dealer_code = column("dealer_code", "经销商代码", text)
        entered_at = column("entered_at", "上报日期", validators.parse_date)

        class Meta:
            model = OmdInvoice
            fields = (
                "invoice_number",
                "invoice_date",
                "customer_name",
                "phone",
                "vin",
                "model_name",
                "amount",
                "consultant_name",
                "dealer_code",
                "entered_at",
            )
            import_id_fields = ("invoice_number",)
            use_bulk = True
            batch_size = batch
            skip_unchanged = True
            report_skipped = False
            skip_diff = True
            instance_loader_class = CachedInstanceLoader

        def __init__(self) -> None:
            super().__init__()
            self.seen: set[str] = set()

        def before_save_instance(self, instance, row, **kwargs):
            instance.customer_name_key = validators.name_key(instance.customer_name)

        def skip_row(self, instance, original, row, import_validation_errors=None):
            # The same invoice twice in one file would be two rows in one bulk_create batch and
            # fail it (unique invoice_number): the second one is skipped, as ours counts it once.
            if instance.invoice_number in self.seen:
                return True
            self.seen.add(instance.invoice_number)
            return super().skip_row(instance, original, row, import_validation_errors)

    before = peak_rss_mib()
    started = time.perf_counter()
    book = openpyxl.load_workbook(io.BytesIO(path.read_bytes()), read_only=True, data_only=True)
    rows = book.active.rows
    dataset = tablib.Dataset()
    for row in rows:
        values = [cell.value for cell in row]
        if values and values[0] == HEADERS[0]:
            dataset.headers = values
            break
    for row in rows:
        values = [cell.value for cell in row]
        if all(value is None for value in values):
            continue  # IMPORT_EXPORT_IMPORT_IGNORE_BLANK_LINES
        if values[0] == "合计":
            break
        dataset.append(values)
    read_seconds = time.perf_counter() - started
    result = OmdInvoiceResource().import_data(dataset, dry_run=False, raise_errors=False, use_transactions=True)
    seconds = time.perf_counter() - started
    totals = dict(result.totals)
    return {
        "version": importlib.metadata.version("django-import-export"),
        "seconds": seconds,
        "read_seconds": read_seconds,
        "rows": len(dataset),
        "rss_before_mib": before,
        "totals": totals,
        "invalid_rows": len(result.invalid_rows),
        "row_errors": len(result.row_errors()),
        "base_errors": [str(error.error)[:200] for error in result.base_errors[:3]],
        "stored": OmdInvoice.objects.count(),
    }


def iex_python() -> str:
    """The bench virtualenv's python, created (project requirements + bench/requirements.txt) on first use."""
    python = IEX_VENV / "bin" / "python"
    requirements = [ROOT / "requirements.txt", BENCH_REQUIREMENTS]
    stamp = IEX_VENV / ".bench-requirements"
    digest = hashlib.sha256(b"".join(path.read_bytes() for path in requirements)).hexdigest()
    if python.exists() and stamp.exists() and stamp.read_text() == digest:
        return str(python)
    print(f"  creating {IEX_VENV.relative_to(ROOT)} (django-import-export lives only there) ...", flush=True)
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(IEX_VENV)], check=True)
    command = [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    for path in requirements:
        command += ["-r", str(path)]
    subprocess.run(command, check=True)
    stamp.write_text(digest)
    return str(python)


# --- checking and reporting ---------------------------------------------------------------------------


def expected_counts(manifest: Manifest, *, again: bool) -> dict[str, int]:
    if again:  # the same file once more: nothing new, nothing changed, nothing newly voided
        return {
            "rows_read": manifest.rows,
            "created": 0,
            "updated": 0,
            "unchanged": manifest.created,
            "rejected": manifest.rejected,
            "voided": 0,
        }
    return {
        "rows_read": manifest.rows,
        "created": manifest.created,
        "updated": 0,
        "unchanged": 0,
        "rejected": manifest.rejected,
        "voided": manifest.red_letter,
    }


def count_problems(result: dict, manifest: Manifest, *, again: bool, state: dict[str, int] | None) -> list[str]:
    if "error" in result:
        return [result["error"].splitlines()[0]]
    problems = []
    if result.get("status") != "done":
        problems.append(f"status {result.get('status')!r} ({result.get('message', '')[:200]})")
    for key, value in expected_counts(manifest, again=again).items():
        if result.get(key) != value:
            problems.append(f"{key}={result.get(key)} (expected {value})")
    if state is not None:
        red = manifest.red_letter
        expected_state = {"invoices": manifest.created, "voided": red, "red_letter": red}
        for key, value in expected_state.items():
            if state.get(key) != value:
                problems.append(f"table {key}={state.get(key)} (expected {value})")
    return problems


def counts_text(result: dict) -> str:
    if "error" in result:
        return "ERROR"
    keys = ("created", "updated", "unchanged", "rejected", "voided")
    return " ".join(f"{key}={result.get(key, '?')}" for key in keys)


def rss_target(rows: int) -> float:
    (small, low), (large, high) = RSS_TARGETS_MIB
    if rows <= small:
        return low
    if rows <= large:  # between the two points: linear
        return low + (high - low) * (rows - small) / (large - small)
    return high


def mib(value: object) -> str:
    return f"{value:,.0f}" if isinstance(value, int | float) else "-"


def secs(value: object) -> str:
    return f"{value:,.2f}" if isinstance(value, int | float) else "-"


@dataclass
class Verdict:
    name: str
    passed: bool | None  # None: not measured
    detail: str

    def line(self) -> str:
        word = {True: "PASS", False: "FAIL", None: "SKIP"}[self.passed]
        return f"  {word}  {self.name}: {self.detail}"


def best(runs: list[Run]) -> Run:
    good = [run for run in runs if run.ok]
    return min(good, key=lambda run: run.result["seconds"]) if good else runs[-1]


def timed_runs(
    label: str, count: int, before: Callable[[], None], run: Callable[[], Run], failed: Callable[[], None]
) -> list[Run]:
    runs = []
    for attempt in range(count):
        before()
        result = run()
        runs.append(result)
        tag = f" (run {attempt + 1} of {count})" if count > 1 else ""
        if result.ok:
            print(
                f"  {label}{tag}: {secs(result.get('seconds'))} s, peak RSS {mib(result.get('peak_rss_mib'))} MiB, "
                f"{counts_text(result.result)}"
            )
        else:
            print(f"  {label}{tag}: ERROR {result.result['error']}")
            failed()
    return runs


# --- the whole bench --------------------------------------------------------------------------------------


@dataclass
class Figures:
    """Everything one bench run measured, for the summary and the verdicts."""

    rows: int
    slice_rows: int
    manifest: Manifest
    small_manifest: Manifest
    floor: float = 0.0
    read_seconds: float = 0.0
    copy_seconds: float = 0.0
    first: Run | None = None
    again: Run | None = None
    from_csv: Run | None = None
    states: dict[str, dict[str, int]] = field(default_factory=dict)
    iex: Run | None = None
    iex_seconds: float | None = None
    iex_note: str = ""  # "measured", or how the figure was extrapolated
    sqlite: Run | None = None


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=200_000, help="data rows in the generated export")
    parser.add_argument("--seed", type=int, default=20111)
    parser.add_argument(
        "--database", default="cs_omd_bench", help="the bench database (dropped and created, with NAME_template)"
    )
    parser.add_argument(
        "--slice", type=int, default=20_000, help="rows of the smaller file (SQLite; django-import-export first)"
    )
    parser.add_argument(
        "--iex-budget",
        type=float,
        default=240.0,
        help="run django-import-export on the whole file only if the slice projects under this "
        "many seconds; otherwise extrapolate linearly from the slice",
    )
    parser.add_argument("--iex-batch-size", type=int, default=1000)
    parser.add_argument(
        "--repeat", type=int, default=1, help="time the floor and each of our imports this many times, keep the best"
    )
    parser.add_argument(
        "--timeout", type=float, default=1200.0, help="seconds after which one of our imports is stopped and reported"
    )
    parser.add_argument("--skip-iex", action="store_true")
    parser.add_argument("--skip-sqlite", action="store_true")
    parser.add_argument(
        "--profile",
        type=int,
        default=0,
        metavar="N",
        help="after the measurements, profile one first import with cProfile and print the top N",
    )
    parser.add_argument("--strict", action="store_true", help="exit with status 1 when a target is missed")
    # The child side (this script re-run by itself):
    parser.add_argument("--child", choices=("ours", "sqlite", "iex", "migrate"), help=argparse.SUPPRESS)
    parser.add_argument("--file", help=argparse.SUPPRESS)
    parser.add_argument("--profile-top", type=int, default=0, help=argparse.SUPPRESS)
    return parser.parse_args()


def prepare_exports(args: argparse.Namespace, slice_rows: int) -> tuple[Path, Path, Manifest, Path, Manifest]:
    """The export and its first rows as a file of their own: generated or cached, and described."""
    print(f"\nOMD export, {args.rows:,} data rows (seed {args.seed})")
    xlsx, csv_path, manifest, cached = export_files(args.rows, args.seed)
    print(
        f"  {xlsx.relative_to(ROOT)}: {manifest.xlsx_bytes / 2**20:.1f} MiB; "
        f"{csv_path.name} (GB18030): {manifest.csv_bytes / 2**20:.1f} MiB; "
        + ("cached" if cached else f"generated in {manifest.generated_seconds:.1f} s")
    )
    print(
        f"  title + export-time rows, header in row {manifest.header_row}, {manifest.blank_rows} blank rows, "
        f"totals row 合计 and a signature row at the bottom"
    )
    print(
        f"  {manifest.red_letter} red-letter rows (each voids an earlier invoice of its VIN), "
        f"{manifest.repeats} exact repeats, {manifest.rejected} rows with an invalid value "
        f"({', '.join(f'{k}: {v}' for k, v in manifest.defects.items())})"
    )
    print(
        f"  a correct first import: created={manifest.created} updated=0 unchanged=0 "
        f"rejected={manifest.rejected} voided={manifest.red_letter}"
    )
    if slice_rows >= args.rows or (args.skip_iex and args.skip_sqlite):
        return xlsx, csv_path, manifest, xlsx, manifest
    small_xlsx, _small_csv, small_manifest, cached = export_files(slice_rows, args.seed)
    print(
        f"  the first {slice_rows:,} rows as their own file: {small_manifest.xlsx_bytes / 2**20:.1f} MiB "
        + ("(cached)" if cached else f"(generated in {small_manifest.generated_seconds:.1f} s)")
    )
    return xlsx, csv_path, manifest, small_xlsx, small_manifest


def measure_floor(db: BenchDatabase, xlsx: Path, figures: Figures, repeat: int) -> None:
    print("\nfloor: python-calamine reading every cell + COPY of the same rows (as text) into an unlogged table")
    floors = []
    for attempt in range(repeat):
        data, read_seconds = floor_rows(xlsx)
        copy_seconds = copy_floor(db, data)
        floors.append((read_seconds + copy_seconds, read_seconds, copy_seconds))
        tag = f" (run {attempt + 1} of {repeat})" if repeat > 1 else ""
        print(
            f"  calamine read {read_seconds:.2f} s ({len(data):,} data rows), COPY {copy_seconds:.2f} s, "
            f"floor {read_seconds + copy_seconds:.2f} s{tag}"
        )
        del data
    figures.floor, figures.read_seconds, figures.copy_seconds = min(floors)


def measure_ours(
    db: BenchDatabase, env: dict[str, str], xlsx: Path, csv_path: Path, figures: Figures, args: argparse.Namespace
) -> None:
    print(
        "\nours: customers.omd.service.omd_import_run (create → validate/stage → confirm → apply), "
        "each in a child process"
    )

    def importing(label: str, path: Path) -> Callable[[], Run]:
        return lambda: run_child(label, "ours", env, file=path, echo=pipeline_log, timeout=args.timeout)

    # The first imports of the .xlsx and of the CSV alternate, so that drift on a shared machine
    # (page cache, other work, WAL) weighs on both alike; each starts from a fresh database.
    first_runs: list[Run] = []
    csv_runs: list[Run] = []
    for attempt in range(args.repeat):
        tag = f" (run {attempt + 1} of {args.repeat})" if args.repeat > 1 else ""
        csv_runs += timed_runs(
            f"GB18030 .csv, empty tables{tag}", 1, db.fresh, importing("csv", csv_path), db.stop_other_sessions
        )
        figures.states["csv"] = db.invoice_state()
        first_runs += timed_runs(
            f"first import, .xlsx, empty tables{tag}", 1, db.fresh, importing("first", xlsx), db.stop_other_sessions
        )
    figures.first, figures.states["first"] = best(first_runs), db.invoice_state()
    figures.from_csv = best(csv_runs)
    if figures.first.ok:
        again_runs = timed_runs(
            "re-import, same .xlsx", args.repeat, db.settle, importing("again", xlsx), db.stop_other_sessions
        )
    else:
        print("  re-import: not run, the first import failed")
        again_runs = [Run("again", {"error": "not run: the first import failed"}, 0.0, [])]
    figures.again, figures.states["again"] = best(again_runs), db.invoice_state()
    print(f"  table after the first import: {figures.states['first']}")
    print(f"  after the re-import:          {figures.states['again']}")
    print(f"  after the CSV import:         {figures.states['csv']}")


def measure_iex(
    db: BenchDatabase, env: dict[str, str], xlsx: Path, small_xlsx: Path, figures: Figures, args: argparse.Namespace
) -> None:
    print(
        f"\ndjango-import-export 4.x, bulk mode (use_bulk, batch_size {args.iex_batch_size}, CachedInstanceLoader, "
        "skip_unchanged, skip_diff), own virtualenv"
    )
    try:
        python = iex_python()
    except (subprocess.CalledProcessError, OSError) as exc:
        print(f"  could not prepare {IEX_VENV}: {exc}")
        return
    batch = ("--iex-batch-size", str(args.iex_batch_size))
    rows, slice_rows = figures.rows, figures.slice_rows
    db.fresh()
    iex = run_child("iex-slice", "iex", env, python=python, file=small_xlsx, extra=batch, timeout=args.timeout)
    print_iex(iex, slice_rows)
    figures.iex = iex
    if not iex.ok:
        return
    if slice_rows >= rows:
        figures.iex_seconds, figures.iex_note = iex.result["seconds"], "measured"
        return
    projected = iex.result["seconds"] * rows / slice_rows
    if projected > args.iex_budget:
        figures.iex_seconds = projected
        figures.iex_note = (
            f"EXTRAPOLATED linearly from {slice_rows:,} rows ({iex.result['seconds']:.1f} s × {rows / slice_rows:g}); "
            f"the whole file would take over the --iex-budget of {args.iex_budget:.0f} s"
        )
        print(f"  {rows:,} rows: {figures.iex_note}")
        return
    db.fresh()
    iex = run_child("iex", "iex", env, python=python, file=xlsx, extra=batch, timeout=args.iex_budget * 3)
    print_iex(iex, rows)
    figures.iex = iex
    if iex.ok:
        figures.iex_seconds, figures.iex_note = iex.result["seconds"], "measured"


def measure_sqlite(small_xlsx: Path, figures: Figures, args: argparse.Namespace) -> None:
    print(f"\nSQLite (portable path), {figures.slice_rows:,} rows, a fresh database file, first import then re-import")
    sqlite_file = OUT / "omd_bench.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{sqlite_file}{suffix}").unlink(missing_ok=True)
    env = child_env(f"sqlite:///{sqlite_file}")
    run = run_child("sqlite", "sqlite", env, file=small_xlsx, echo=pipeline_log, timeout=args.timeout * 2)
    figures.sqlite = run
    if not run.ok:
        print(f"  ERROR {run.result['error']}")
        return
    for key, label in (("first", "first import"), ("again", "re-import")):
        part = run.result[key]
        print(f"  {label}: {secs(part.get('seconds'))} s, {counts_text(part)}; table {part.get('state')}")
    print(f"  peak RSS {mib(run.get('peak_rss_mib'))} MiB")


def print_summary(figures: Figures) -> None:
    print(
        f"\nsummary, {figures.rows:,} rows, PostgreSQL unless said otherwise (seconds are the import's own wall "
        "time in its process, Django start-up excluded)"
    )
    print(f"  {'':<44} {'seconds':>9} {'× floor':>8} {'peak RSS MiB':>13}  counts")
    print(f"  {'floor: calamine read':<44} {figures.read_seconds:>9.2f}")
    print(f"  {'floor: COPY into an unlogged table':<44} {figures.copy_seconds:>9.2f}")
    print(f"  {'floor: read + COPY':<44} {figures.floor:>9.2f} {1:>8.2f}")
    for label, run in (
        ("ours: first import (.xlsx)", figures.first),
        ("ours: re-import, all unchanged (.xlsx)", figures.again),
        ("ours: GB18030 CSV, empty tables", figures.from_csv),
    ):
        seconds = run.get("seconds") if run.ok else None
        ratio = f"{seconds / figures.floor:.2f}" if seconds else "-"
        rss = mib(run.get("peak_rss_mib"))
        print(f"  {label:<44} {secs(seconds):>9} {ratio:>8} {rss:>13}  {counts_text(run.result)}")
    if figures.iex is not None:
        iex, seconds, note = figures.iex, figures.iex_seconds, figures.iex_note
        label = f"django-import-export {iex.get('version', '4.x')}, bulk (.xlsx)"
        ratio = f"{seconds / figures.floor:.2f}" if seconds else "-"
        rss = mib(iex.get("peak_rss_mib")) if note == "measured" else f"({mib(iex.get('peak_rss_mib'))})"
        print(f"  {label:<44} {secs(seconds):>9} {ratio:>8} {rss:>13}  {iex_totals(iex)}")
        if note and note != "measured":
            print(f"  {'':<44} ^ {note}; RSS in brackets is the slice's")
    if figures.sqlite is not None and figures.sqlite.ok:
        for key, label in (("first", "first import"), ("again", "re-import")):
            part = figures.sqlite.result[key]
            print(
                f"  {f'SQLite, {figures.slice_rows:,} rows: {label}':<44} {secs(part.get('seconds')):>9} {'':>8} "
                f"{mib(figures.sqlite.get('peak_rss_mib')):>13}  {counts_text(part)}"
            )


def judge(figures: Figures, args: argparse.Namespace) -> list[Verdict]:
    """One verdict per target of the issue, plus the counts on both databases."""
    first, again, from_csv = figures.first, figures.again, figures.from_csv
    verdicts = []
    name = f"first import ≤ {FLOOR_RATIO_TARGET}× floor"
    if first.ok:
        ratio = first.result["seconds"] / figures.floor
        detail = f"{first.result['seconds']:.2f} s = {ratio:.2f}× the floor's {figures.floor:.2f} s"
        verdicts.append(Verdict(name, ratio <= FLOOR_RATIO_TARGET, detail))
    else:
        verdicts.append(Verdict(name, False, first.result["error"][:200]))
    name = f"≥ {IEX_SPEEDUP_TARGET:g}× faster than django-import-export"
    if figures.iex_seconds and first.ok:
        speedup = figures.iex_seconds / first.result["seconds"]
        extrapolated = "" if figures.iex_note == "measured" else ", extrapolated"
        detail = f"{speedup:.1f}× ({figures.iex_seconds:.1f} s vs {first.result['seconds']:.2f} s{extrapolated})"
        verdicts.append(Verdict(name, speedup >= IEX_SPEEDUP_TARGET, detail))
    else:
        verdicts.append(Verdict(name, None if args.skip_iex else False, "not measured"))
    peak = max((run.result["peak_rss_mib"] for run in (first, again, from_csv) if run.ok), default=None)
    target = rss_target(figures.rows)
    verdicts.append(
        Verdict(
            f"peak RSS ≤ {target:.0f} MiB at {figures.rows:,} rows",
            None if peak is None else peak <= target,
            f"{mib(peak)} MiB (largest of the three imports)",
        )
    )
    for name, run in (
        ("re-import at least as fast as the first import", again),
        ("CSV at least as fast as the .xlsx", from_csv),
    ):
        if first.ok and run.ok:
            detail = f"{run.result['seconds']:.2f} s vs {first.result['seconds']:.2f} s"
            verdicts.append(Verdict(name, run.result["seconds"] <= first.result["seconds"], detail))
        else:
            verdicts.append(Verdict(name, False, "an import failed"))
    manifest, states = figures.manifest, figures.states
    problems = {
        "first": count_problems(first.result, manifest, again=False, state=states["first"]),
        "re-import": count_problems(again.result, manifest, again=True, state=states["again"]),
        "CSV": count_problems(from_csv.result, manifest, again=False, state=states["csv"]),
    }
    wrong = "; ".join(f"{name}: {', '.join(found)}" for name, found in problems.items() if found)
    verdicts.append(Verdict("counts and table right on PostgreSQL", not wrong, wrong or "first, re-import and CSV"))
    sqlite = figures.sqlite
    if sqlite is not None:
        name = f"SQLite correct ({figures.slice_rows:,} rows)"
        if sqlite.ok:
            found = [
                problem
                for key, again_ in (("first", False), ("again", True))
                for problem in count_problems(
                    sqlite.result[key], figures.small_manifest, again=again_, state=sqlite.result[key]["state"]
                )
            ]
            verdicts.append(Verdict(name, not found, "; ".join(found) or "first import and re-import"))
        else:
            verdicts.append(Verdict(name, False, sqlite.result["error"][:200]))
    return verdicts


def main() -> None:
    args = parse_args()
    if args.child:
        child_main(args)
        return
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit(
            "DATABASE_URL must point at PostgreSQL, e.g. postgres://postgres@127.0.0.1:5432/test "
            "(the bench creates its own database next to it)."
        )
    print(f"machine: {os.cpu_count()} CPUs, load average {load_average()} (other work on the machine skews the times)")
    slice_rows = min(args.slice, args.rows)
    xlsx, csv_path, manifest, small_xlsx, small_manifest = prepare_exports(args, slice_rows)
    figures = Figures(rows=args.rows, slice_rows=slice_rows, manifest=manifest, small_manifest=small_manifest)

    # The database: a migrated template, copied afresh for every import that starts from empty tables.
    shutil.rmtree(OUT / "data", ignore_errors=True)  # uploads stored by earlier runs
    db = BenchDatabase(url, args.database)
    extra: dict[str, str] = {}
    largest_mib = max(manifest.xlsx_bytes, manifest.csv_bytes) / 2**20
    if largest_mib > 50:
        extra["SPREADSHEET_MAX_MB"] = str(int(largest_mib) + 10)
    print(
        f"\ndatabase {args.database} (a fresh copy of {db.template} for every import into empty tables) "
        f"on {urlsplit(url).hostname}"
        + (f"; SPREADSHEET_MAX_MB={extra['SPREADSHEET_MAX_MB']} (over the 50 MB default)" if extra else "")
    )
    migrate = run_child("migrate", "migrate", child_env(db.url, **extra))
    if not migrate.ok:
        sys.exit(f"migrate failed: {migrate.result['error']}")
    print(f"  migrate {migrate.get('seconds'):.1f} s")
    db.fresh()
    env = child_env(bench_database_url(url, args.database), **extra)

    measure_floor(db, xlsx, figures, args.repeat)
    measure_ours(db, env, xlsx, csv_path, figures, args)
    if not args.skip_iex:
        measure_iex(db, env, xlsx, small_xlsx, figures, args)
    if not args.skip_sqlite:
        measure_sqlite(small_xlsx, figures, args)
    if args.profile:
        print(f"\nprofile: one more first import (empty tables) under cProfile, top {args.profile}")
        db.fresh()
        run_child("profile", "ours", env, file=xlsx, extra=("--profile-top", str(args.profile)), echo=lambda line: True)
    db.close()

    print_summary(figures)
    verdicts = judge(figures, args)
    print(f"\n  load average at the end: {load_average()}")
    for verdict in verdicts:
        print(verdict.line())
    missed = [verdict for verdict in verdicts if verdict.passed is False]
    print(
        f"\n{'PASS' if not missed else 'FAIL'}: {len(verdicts) - len(missed)} of {len(verdicts)} targets met"
        + (f" (missed: {', '.join(verdict.name for verdict in missed)})" if missed else "")
    )
    sys.exit(1 if missed and args.strict else 0)


def load_average() -> str:
    try:
        return " ".join(f"{value:.2f}" for value in os.getloadavg())
    except OSError:
        return "unknown"


def iex_totals(run: Run) -> str:
    if not run.ok:
        return "ERROR"
    totals = run.result.get("totals", {})
    text = " ".join(f"{key}={value}" for key, value in totals.items())
    return f"{text} stored={run.result.get('stored')}"


def print_iex(run: Run, rows: int) -> None:
    if not run.ok:
        print(f"  {rows:,} rows: ERROR {run.result['error']}")
        return
    result = run.result
    print(
        f"  {rows:,} rows: {result['seconds']:.2f} s (openpyxl read {result['read_seconds']:.2f} s), "
        f"peak RSS {mib(result.get('peak_rss_mib'))} MiB; {iex_totals(run)}; "
        f"invalid rows {result.get('invalid_rows')}, row errors {result.get('row_errors')}"
        + (f"; errors: {result['base_errors']}" if result.get("base_errors") else "")
    )


if __name__ == "__main__":
    main()
