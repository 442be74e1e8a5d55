"""OMD invoice exports as the manufacturer's system (and the people who re-save them) write them.

Small files for tests go through `dealership_cs.tests.spreadsheet_factory` (openpyxl / xlwt /
csv): `omd_xlsx`, `omd_xls` and `omd_csv` lay out invoices under a title, an export-time row,
a blank row and a merged banner, end them with a 合计 totals row and a footer, and return the
bytes plus the sheet row number of each invoice, so tests can name rows as Excel shows them.

`invoice(n, **changes)` is a valid invoice as a clean export holds it (phone and amount as
numbers, dates as dates); `MESSY` lists the other ways real exports write the same values.

`write_big_xlsx` writes a realistic export of any size straight as OOXML (openpyxl needs
minutes for 200,000 rows): Chinese names, phones, VINs with valid check digits, amounts,
dates, a share of red-letter invoices voiding earlier ones and of messy cells.
"""

from __future__ import annotations

import random
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, timedelta
from pathlib import Path
from xml.sax.saxutils import escape

from customers.validators import vin_with_check_digit
from dealership_cs.tests import spreadsheet_factory as factory

# The export's own headers (the first alias of each column).
HEADERS: dict[str, str] = {
    "invoice_number": "发票号码",
    "invoice_date": "开票日期",
    "customer_name": "客户名称",
    "phone": "联系电话",
    "vin": "车架号",
    "model": "车型",
    "amount": "发票金额",
    "consultant": "销售顾问",
    "dealer_code": "经销商代码",
    "entered_at": "上报日期",
}
REQUIRED_HEADERS = {key: HEADERS[key] for key in ("invoice_number", "invoice_date", "customer_name", "vin", "amount")}
WITH_ORIGINAL = {**HEADERS, "original_invoice_number": "原发票号码"}

TITLE = "上汽大众 OMD 零售发票明细"
EXPORTED_AT = "导出时间：2025-01-06 08:30:00"


def vin(n: int) -> str:
    return vin_with_check_digit(f"LSVAU2180N2{n:06d}")


def phone(n: int) -> str:
    return f"138{n:08d}"


def number(n: int) -> str:
    """Invoice number n as stored: 8 digits, zero-padded."""
    return f"{n:08d}"


def invoice(n: int, **changes: object) -> dict[str, object]:
    """A valid invoice as a clean export holds it; `changes` override cells by column key."""
    return {
        "invoice_number": number(n),
        "invoice_date": date(2025, 1, 2),
        "customer_name": f"客户{n}",
        "phone": float(phone(n)),
        "vin": vin(n),
        "model": "帕萨特 330TSI",
        "amount": 189800.0,
        "consultant": "王强",
        "dealer_code": "7370001",
        "entered_at": datetime(2025, 1, 3, 9, 30),
        **changes,
    }


def red_letter(n: int, voids: int, **changes: object) -> dict[str, object]:
    """A red-letter invoice n voiding invoice `voids` (same VIN, opposite amount)."""
    return invoice(n, vin=vin(voids), customer_name=f"客户{voids}", amount=-189800.0, **changes)


def full_width(text: str) -> str:
    """The text as a Chinese input method in full-width mode types it."""
    return "".join(chr(ord(char) + 0xFEE0) if "!" <= char <= "~" else char for char in text)


# Each column's messy ways of writing the values of `invoice(7)`: (cell, stored value).
MESSY: dict[str, list[tuple[object, object]]] = {
    "invoice_number": [
        (7.0, "00000007"),
        ("7", "00000007"),
        (" 0000 0007 ", "00000007"),
        (full_width("00000007"), "00000007"),
        ("7.0", "00000007"),
    ],
    "phone": [
        (13800000007.0, "13800000007"),
        ("1.3800000007E10", "13800000007"),
        ("138-0000-0007", "13800000007"),
        ("+86 138 0000 0007", "13800000007"),
        (full_width("13800000007"), "13800000007"),
    ],
    "vin": [(vin(7).lower(), vin(7)), (" ".join([vin(7)[:8], vin(7)[8:]]), vin(7)), (full_width(vin(7)), vin(7))],
    "amount": [
        ("¥189,800.00", "189800.00"),
        ("￥189,800", "189800.00"),
        ("189,800.00元", "189800.00"),
        (full_width("189800"), "189800.00"),
        (189800, "189800.00"),
        ("18.98万", "189800.00"),
    ],
    "invoice_date": [
        (45659.0, date(2025, 1, 2)),
        ("2025/1/2", date(2025, 1, 2)),
        ("2025年1月2日", date(2025, 1, 2)),
        ("20250102", date(2025, 1, 2)),
        ("2025-01-02 10:31:00", date(2025, 1, 2)),
        (datetime(2025, 1, 2, 10, 31), date(2025, 1, 2)),
        (full_width("2025-01-02"), date(2025, 1, 2)),
    ],
    "customer_name": [("  客户7 ", "客户7"), ("客户　7", "客户 7"), ("Ｔｏｍ　Ｌｅｅ", "Tom Lee")],
    "entered_at": [
        (datetime(2025, 1, 3, 9, 30), date(2025, 1, 3)),
        ("2025-01-03 09:30", date(2025, 1, 3)),
        (45660.395833, date(2025, 1, 3)),
    ],
}


def table(invoices: Sequence[Mapping[str, object]], headers: Mapping[str, str] = HEADERS) -> list[list[object]]:
    return [list(headers.values())] + [[row.get(key) for key in headers] for row in invoices]


def export_layout(
    invoices: Sequence[Mapping[str, object] | None],
    headers: Mapping[str, str] = HEADERS,
    *,
    totals: bool = True,
    blank_rows_before_header: int = 1,
) -> tuple[list[list[object]], list[str], list[int]]:
    """(rows, merges, sheet row of each invoice): the layout of a real export.

    A None in `invoices` is a blank row in the data (its row number is 0 in the result).
    """
    data = [[] if row is None else [row.get(key) for key in headers] for row in invoices]
    rows, merges, header_row = factory.messy_export(
        list(headers.values()),
        data,
        title=TITLE,
        exported_at=EXPORTED_AT,
        blank_rows_before_header=blank_rows_before_header,
        totals=("合计", None, None, None, None, None, 0.0) if totals else None,
        after_totals=(("制表人：系统管理员",),) if totals else (),
    )
    numbers = [0 if row is None else header_row + index for index, row in enumerate(invoices, 1)]
    return rows, merges, numbers


def omd_xlsx(
    invoices: Sequence[Mapping[str, object] | None], headers: Mapping[str, str] = HEADERS, **layout
) -> tuple[bytes, list[int]]:
    rows, merges, numbers = export_layout(invoices, headers, **layout)
    return factory.make_xlsx({"零售发票": rows}, merges={"零售发票": merges}), numbers


def omd_xls(
    invoices: Sequence[Mapping[str, object] | None], headers: Mapping[str, str] = HEADERS, **layout
) -> tuple[bytes, list[int]]:
    rows, _merges, numbers = export_layout(invoices, headers, **layout)
    width = max(len(headers), 1)
    return factory.make_xls({"零售发票": rows}, merges={"零售发票": [(0, 0, 0, width - 1)]}), numbers


def omd_csv(
    invoices: Sequence[Mapping[str, object] | None],
    headers: Mapping[str, str] = HEADERS,
    *,
    encoding: str = "gb18030",
    **layout,
) -> tuple[bytes, list[int]]:
    """CSV as Chinese Excel saves it (GB18030 by default); dates and numbers become their text."""
    rows, _merges, numbers = export_layout(invoices, headers, **layout)

    def text(value: object) -> object:
        if isinstance(value, datetime):
            return value.strftime("%Y-%m-%d %H:%M:%S")
        if isinstance(value, date):
            return value.isoformat()
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        return value

    return factory.make_csv([[text(cell) for cell in row] for row in rows], encoding=encoding), numbers


# --- Big realistic exports (benchmark) ------------------------------------------------------

_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚"
_GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国志红云飞鹏辉玲婷雪梅鑫宇浩然子轩欣怡晨曦佳琪思远"
_MODELS = (
    ("帕萨特 330TSI 精英版", 189800.0),
    ("朗逸 1.5L 自动舒适版", 119900.0),
    ("途观L 330TSI 两驱", 229800.0),
    ("凌渡 280TSI 舒适版", 149900.0),
    ("途昂 380TSI 四驱", 339900.0),
    ("桑塔纳 1.5L 手动", 79900.0),
    ("速派 280TSI 豪华版", 169900.0),
    ("途岳 280TSI 两驱", 179900.0),
)
_CONSULTANTS = ("王强", "李娜", "张伟", "刘洋", "陈静", "杨磊", "赵敏", "孙涛", "周杰", "吴芳", "徐鹏", "马超")
_EPOCH = date(1899, 12, 30)


def big_export_rows(
    count: int, *, seed: int = 2025, start: int = 1, red_share: float = 0.005, messy_share: float = 0.02
) -> Iterable[list[object]]:
    """`count` data rows (HEADERS' columns) of a year of invoices, deterministic for a seed.

    About `red_share` of the rows are red-letter invoices voiding an invoice a few rows above,
    and `messy_share` carry a messy but valid cell (text phone, ¥ amount, text date, lower-case VIN).
    """
    rng = random.Random(seed)
    first_day = date(2024, 1, 2)
    recent: list[tuple[str, float, str, str]] = []
    for index in range(count):
        n = start + index
        day = first_day + timedelta(days=index * 365 // max(count, 1))
        if recent and rng.random() < red_share:
            car_vin, voided_amount, name, model = recent.pop(rng.randrange(len(recent)))
            amount = -voided_amount
        else:
            name = rng.choice(_SURNAMES) + "".join(rng.choice(_GIVEN) for _ in range(rng.choice((1, 2, 2))))
            model, amount = rng.choice(_MODELS)
            amount -= rng.choice((0, 0, 1000, 2000, 5000))
            car_vin = vin_with_check_digit(f"LSV{rng.choice('ABCDEFGH')}{rng.randrange(10**5):05d}0N{n:06d}")
            recent.append((car_vin, amount, name, model))
            if len(recent) > 50:
                recent.pop(0)
        row: list[object] = [
            float(10_000_000 + n) if n % 3 else f"{10_000_000 + n:08d}",
            day,
            name,
            float(f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}"),
            car_vin,
            model,
            amount,
            rng.choice(_CONSULTANTS),
            "7370001",
            datetime(day.year, day.month, day.day, 9 + n % 9, n % 60),
        ]
        if rng.random() < messy_share:
            kind = rng.randrange(4)
            if kind == 0:
                row[3] = f"{int(row[3]):d}"[:3] + "-" + f"{int(row[3]):d}"[3:7] + "-" + f"{int(row[3]):d}"[7:]
            elif kind == 1:
                row[6] = f"¥{amount:,.2f}"
            elif kind == 2:
                row[1] = f"{day.year}/{day.month}/{day.day}"
            else:
                row[4] = car_vin.lower()
        yield row


def write_big_xlsx(path: Path, count: int, **options) -> Path:
    """A realistic OMD export of `count` rows (title, header, data, 合计), written as OOXML directly."""
    header = list(HEADERS.values())
    rows: Iterable[Sequence[object]] = [[TITLE], [EXPORTED_AT], [], header]
    rows = [*rows, *big_export_rows(count, **options), ["合计"]]
    write_xlsx(path, rows, sheet_name="零售发票")
    return path


def write_xlsx(path: Path, rows: Iterable[Sequence[object]], *, sheet_name: str = "Sheet1") -> Path:
    """A minimal .xlsx with shared strings; dates and datetimes are styled serials (as Excel saves them)."""
    strings: dict[str, int] = {}
    columns = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    lines: list[str] = []
    for r, row in enumerate(rows, 1):
        cells = []
        for c, value in enumerate(row):
            ref = f"{columns[c]}{r}"
            if value is None or value == "":
                continue
            if isinstance(value, str):
                index = strings.setdefault(value, len(strings))
                cells.append(f'<c r="{ref}" t="s"><v>{index}</v></c>')
            elif isinstance(value, datetime):
                serial = (value - datetime(1899, 12, 30)).total_seconds() / 86400
                cells.append(f'<c r="{ref}" s="2"><v>{serial!r}</v></c>')
            elif isinstance(value, date):
                cells.append(f'<c r="{ref}" s="1"><v>{(value - _EPOCH).days}</v></c>')
            else:
                cells.append(f'<c r="{ref}"><v>{value!r}</v></c>')
        lines.append(f'<row r="{r}">{"".join(cells)}</row>')
    main = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    shared = "".join(f'<si><t xml:space="preserve">{escape(text)}</t></si>' for text in strings)
    parts = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            '<Override PartName="/xl/styles.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
            '<Override PartName="/xl/sharedStrings.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
            "</Types>"
        ),
        "_rels/.rels": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
        ),
        "xl/workbook.xml": (
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook {main} xmlns:r="{rel}">'
            f'<sheets><sheet name="{escape(sheet_name)}" sheetId="1" r:id="rId1"/></sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{rel}/worksheet" Target="worksheets/sheet1.xml"/>'
            f'<Relationship Id="rId2" Type="{rel}/styles" Target="styles.xml"/>'
            f'<Relationship Id="rId3" Type="{rel}/sharedStrings" Target="sharedStrings.xml"/>'
            "</Relationships>"
        ),
        "xl/styles.xml": (
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><styleSheet {main}>'
            '<numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy-mm-dd hh:mm:ss"/></numFmts>'
            '<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
            '<fills count="1"><fill><patternFill patternType="none"/></fill></fills>'
            '<borders count="1"><border/></borders>'
            '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
            '<cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
            '<xf numFmtId="14" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
            '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>'
            "</styleSheet>"
        ),
        "xl/sharedStrings.xml": (
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            f'<sst {main} count="{len(strings)}" uniqueCount="{len(strings)}">{shared}</sst>'
        ),
        "xl/worksheets/sheet1.xml": (
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet {main}>'
            f"<sheetData>{''.join(lines)}</sheetData></worksheet>"
        ),
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    return path
