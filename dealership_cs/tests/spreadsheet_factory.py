"""Builds spreadsheet fixtures in memory, so no binary fixture is ever committed.

Every builder returns the file's bytes; `save()` writes them under a test's tmp_path. Rows are
lists of cell values (None = empty cell, [] = empty row), written at their exact positions, so
a test knows which row number Excel would show for each.

Real exports: `make_xlsx` / `make_xls` (several sheets, merged cells, hidden sheets), with
`messy_export` producing the layout of the manufacturer's system (title, export time, blank
rows, header, data, totals). `make_csv` encodes as UTF-8, UTF-8 with BOM or GB18030.

Hostile files:
* `zip_bomb_xlsx`: a valid workbook plus a member of zeros compressed about 1000:1.
* `with_declared_size`: rewrites a member's recorded uncompressed size (forged ZIP headers).
* `many_members_xlsx`, `xlsx_with_doctype`, `zip_without_workbook`.
* `encrypted_ooxml`: what Excel writes for a password-protected .xlsx — a real OLE2/CFB
  container (built by `make_cfb`: header, FAT, directory, stream sectors) holding
  `EncryptionInfo` and `EncryptedPackage` streams. `ole_with_encryption_marker` is the crude
  variant (OLE signature, garbage, the UTF-16LE name) that only the marker scan can recognise.
* `xls_with_filepass`: an xlwt workbook whose first record after BOF is rewritten into an RC4
  FILEPASS record, i.e. an encrypted .xls as far as any reader can tell.
"""

from __future__ import annotations

import csv
import datetime
import io
import struct
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import openpyxl
import xlwt

Rows = Sequence[Sequence[object]]

OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def save(directory: Path, name: str, data: bytes) -> Path:
    path = directory / name
    path.write_bytes(data)
    return path


# --- Realistic workbooks ---------------------------------------------------------------------


def messy_export(
    header: Sequence[object],
    data: Rows,
    *,
    title: str = "某某汽车销售服务有限公司 发票明细",
    exported_at: str = "导出时间：2025-01-02 10:00:00",
    blank_rows_before_header: int = 1,
    totals: Sequence[object] | None = ("合计",),
    after_totals: Rows = (("制表人：张三",),),
) -> tuple[list[list[object]], list[str], int]:
    """Rows laid out like the manufacturer's export; returns (rows, merges, header row number).

    Row 1 is a title merged across the header's width, row 2 the export time, then blank rows,
    the header, the data (an empty row in `data` stays empty), a totals row and a footer.
    """
    width = max(len(header), 1)
    rows: list[list[object]] = [[title], [exported_at]]
    rows += [[] for _ in range(blank_rows_before_header)]
    rows.append(list(header))
    header_row = len(rows)
    rows += [list(row) for row in data]
    if totals is not None:
        rows.append(list(totals))
    rows += [list(row) for row in after_totals]
    merges = [f"A1:{openpyxl.utils.get_column_letter(width)}1"]
    return rows, merges, header_row


def make_xlsx(
    sheets: Mapping[str, Rows] | Rows,
    *,
    merges: Mapping[str, Iterable[str]] | None = None,
    hidden: Iterable[str] = (),
    start_row: int = 1,
    start_col: int = 1,
) -> bytes:
    """An .xlsx written by openpyxl; rows start at (start_row, start_col), default A1."""
    if not isinstance(sheets, Mapping):
        sheets = {"Sheet1": sheets}
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    hidden = set(hidden)
    for name, rows in sheets.items():
        sheet = workbook.create_sheet(name)
        for r, row in enumerate(rows, start_row):
            for c, value in enumerate(row, start_col):
                if value is not None:
                    sheet.cell(row=r, column=c, value=value)
        for cell_range in (merges or {}).get(name, ()):
            sheet.merge_cells(cell_range)
        if name in hidden:
            sheet.sheet_state = "hidden"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def make_xls(
    sheets: Mapping[str, Rows] | Rows,
    *,
    merges: Mapping[str, Iterable[tuple[int, int, int, int]]] | None = None,
) -> bytes:
    """An Excel 97-2003 .xls written by xlwt. Merges are (first_row, last_row, first_col, last_col), 0-based."""
    if not isinstance(sheets, Mapping):
        sheets = {"Sheet1": sheets}
    workbook = xlwt.Workbook(encoding="utf-8")
    date_style = xlwt.easyxf(num_format_str="yyyy-mm-dd")
    datetime_style = xlwt.easyxf(num_format_str="yyyy-mm-dd hh:mm:ss")
    for name, rows in sheets.items():
        sheet = workbook.add_sheet(name)
        merged_anchors = {}
        for first_row, last_row, first_col, last_col in (merges or {}).get(name, ()):
            merged_anchors[(first_row, first_col)] = (last_row, last_col)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value is None:
                    continue
                style = xlwt.Style.default_style
                if isinstance(value, datetime.datetime):
                    style = datetime_style
                elif isinstance(value, datetime.date):
                    style = date_style
                if (r, c) in merged_anchors:
                    last_row, last_col = merged_anchors[(r, c)]
                    sheet.write_merge(r, last_row, c, last_col, value, style)
                else:
                    sheet.write(r, c, value, style)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def make_csv(rows: Rows, *, encoding: str = "utf-8", delimiter: str = ",", newline: str = "\r\n") -> bytes:
    """CSV text as Excel writes it: "utf-8", "utf-8-sig" (Excel's "CSV UTF-8") or "gb18030"."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator=newline)
    for row in rows:
        writer.writerow(["" if value is None else value for value in row])
    return buffer.getvalue().encode(encoding)


# --- ZIP-level forgeries ---------------------------------------------------------------------


def simple_xlsx() -> bytes:
    return make_xlsx([["发票号码", "金额"], ["F001", 100.0]])


def _rewrite_zip(data: bytes, replace: Mapping[str, bytes] = (), add: Mapping[str, bytes] = ()) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info.filename, dict(replace).get(info.filename, source.read(info.filename)))
        for name, content in dict(add).items():
            target.writestr(name, content)
    return buffer.getvalue()


def zip_bomb_xlsx(zeros: int = 8 * 1024 * 1024) -> bytes:
    """A valid workbook with an extra member of `zeros` zero bytes (deflates about 1000:1)."""
    return _rewrite_zip(simple_xlsx(), add={"xl/media/image1.bin": bytes(zeros)})


def with_declared_size(data: bytes, member: str, size: int) -> bytes:
    """Forge the uncompressed size recorded for `member` (local header and central directory)."""
    forged = bytearray(data)
    encoded = member.encode()
    for signature, name_at, size_at in ((b"PK\x03\x04", 30, 22), (b"PK\x01\x02", 46, 24)):
        start = 0
        while (start := forged.find(signature, start)) >= 0:
            if forged[start + name_at : start + name_at + len(encoded)] == encoded:
                struct.pack_into("<I", forged, start + size_at, size)
            start += 4
    return bytes(forged)


def big_sheet_xlsx(rows: int = 3000) -> bytes:
    """A workbook whose sheet XML is well over 64 KiB (for forged-size tests)."""
    return make_xlsx([["发票号码", "金额"]] + [[f"F{n:06d}", float(n)] for n in range(rows)])


def many_members_xlsx(extra: int) -> bytes:
    return _rewrite_zip(simple_xlsx(), add={f"xl/media/pad{n}.bin": b"" for n in range(extra)})


def zip_without_workbook() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<document/>")
    return buffer.getvalue()


def xlsx_with_doctype(
    part: str = "xl/workbook.xml",
    *,
    declaration: str = '<!DOCTYPE lol [<!ENTITY lol "lol">]>',
    utf16: bool = False,
    prolog_padding: int = 0,
) -> bytes:
    """A workbook whose `part` carries a DTD after the XML declaration (or a long comment prolog)."""
    original = zipfile.ZipFile(io.BytesIO(simple_xlsx())).read(part).decode("utf-8")
    if original.startswith("<?xml"):
        original = original[original.index("?>") + 2 :]
    padding = f"<!--{'x' * prolog_padding}-->" if prolog_padding else ""
    encoding = "UTF-16" if utf16 else "UTF-8"
    text = f'<?xml version="1.0" encoding="{encoding}"?>' + padding + declaration + original
    content = text.encode("utf-16") if utf16 else text.encode()
    return _rewrite_zip(simple_xlsx(), replace={part: content})


# --- OLE2 / CFB --------------------------------------------------------------------------------

_SECTOR = 512
_FREE, _END, _FAT_MARK, _NO_STREAM = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF


def make_cfb(streams: Mapping[str, bytes]) -> bytes:
    """A minimal but valid version-3 CFB file (olefile reads it) holding `streams` at top level.

    Streams are padded to 4096 bytes so they live in regular sectors (no mini stream needed).
    Sector 0 is the FAT, then the directory sectors, then each stream's sectors in order.
    """
    names = sorted(streams, key=lambda name: (len(name), name.upper()))  # CFB's directory order
    contents = [streams[name].ljust(4096, b"\0") for name in names]
    entry_count = len(names) + 1
    dir_sectors = -(-entry_count * 128 // _SECTOR)
    fat = [_FAT_MARK] + [n + 2 if n + 1 < dir_sectors else _END for n in range(dir_sectors)]
    starts = []
    for content in contents:
        count = -(-len(content) // _SECTOR)
        first = len(fat)
        starts.append(first)
        fat += [first + n + 1 for n in range(count - 1)] + [_END]
    if len(fat) > _SECTOR // 4:
        raise ValueError("make_cfb supports up to 128 sectors")
    fat += [_FREE] * (_SECTOR // 4 - len(fat))

    def entry(name: str, kind: int, child: int, right: int, start: int, size: int) -> bytes:
        encoded = (name + "\0").encode("utf-16-le")
        return (
            encoded.ljust(64, b"\0")
            + struct.pack("<HBB", len(encoded), kind, 1)  # name length, type, colour (black)
            + struct.pack("<III", _NO_STREAM, right, child)  # left, right, child
            + bytes(16 + 4 + 8 + 8)  # CLSID, state bits, creation and modification times
            + struct.pack("<IQ", start, size)
        )

    directory = entry("Root Entry", 5, 1 if names else _NO_STREAM, _NO_STREAM, _END, 0)
    for index, (name, content) in enumerate(zip(names, contents, strict=True), start=1):
        right = index + 1 if index < len(names) else _NO_STREAM
        directory += entry(name, 2, _NO_STREAM, right, starts[index - 1], len(content))
    # Unused directory slots must read as type 0 with no siblings.
    unused = (b"\0" * 66 + b"\0\0" + struct.pack("<III", _NO_STREAM, _NO_STREAM, _NO_STREAM)).ljust(128, b"\0")
    directory = directory[: entry_count * 128] + unused * (dir_sectors * 4 - entry_count)

    header = bytearray(512)
    header[0:8] = OLE_SIGNATURE
    struct.pack_into("<HHHHH", header, 24, 0x3E, 3, 0xFFFE, 9, 6)  # minor, major, byte order, shifts
    struct.pack_into("<IIIIIIIII", header, 40, 0, 1, 1, 0, 4096, _END, 0, _END, 0)
    struct.pack_into("<109I", header, 76, 0, *([_FREE] * 108))
    return bytes(header) + struct.pack(f"<{len(fat)}I", *fat) + directory + b"".join(contents)


def encrypted_ooxml() -> bytes:
    """What Excel saves for a password-protected .xlsx: CFB with EncryptionInfo/EncryptedPackage."""
    return make_cfb(
        {
            "EncryptionInfo": b"\x04\x00\x04\x00\x40\x00\x00\x00",  # agile encryption version 4.4
            "EncryptedPackage": struct.pack("<Q", 1234) + b"\x8f" * 64,
        }
    )


def ole_without_workbook() -> bytes:
    """An OLE2 document with no Workbook stream (e.g. a Word .doc renamed to .xls)."""
    return make_cfb({"WordDocument": b"\xec\xa5" + bytes(100)})


def ole_with_encryption_marker() -> bytes:
    """OLE signature, a header no reader can walk, and the UTF-16LE stream name somewhere."""
    return OLE_SIGNATURE + b"\xff" * 600 + "EncryptionInfo".encode("utf-16-le") + b"\0" * 200


def xls_with_filepass() -> bytes:
    """An xlwt workbook whose first record after BOF becomes FILEPASS (RC4): an encrypted .xls."""
    data = bytearray(make_xls([["发票号码"], ["F001"]]))
    bof = data.find(b"\x09\x08\x10\x00\x00\x06\x05\x00")  # BOF, BIFF8, workbook globals
    if bof < 0:
        raise AssertionError("xlwt output has no BIFF8 globals BOF")
    record = bof + 4 + 16
    (length,) = struct.unpack_from("<H", data, record + 2)
    if length < 2:
        raise AssertionError("record after BOF too short to become FILEPASS")
    struct.pack_into("<HHH", data, record, 0x002F, length, 1)  # FILEPASS, same length, wEncryptionType=RC4
    return bytes(data)


def html_table() -> bytes:
    """What some systems save as "export.xls": an HTML page with a table."""
    return "<html><body><table><tr><td>发票号码</td></tr><tr><td>F001</td></tr></table></body></html>".encode()
