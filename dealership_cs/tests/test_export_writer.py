"""The one export writer: text stays text (no formula injection), numbers and dates keep their types."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from dealership_cs.spreadsheets.writer import (
    ExportWorkbook,
    Styled,
    attachment_header,
    export_filename,
    safe_text,
    xlsx_response,
)

HOSTILE = ['=HYPERLINK("http://x","y")', "+1+2", "-2+3", "@SUM(A1)", "\tx", "\rx", "=1+1"]


def _roundtrip(rows) -> list[tuple]:
    book = ExportWorkbook()
    sheet = book.sheet("测试")
    for row in rows:
        sheet.append(row)
    workbook = load_workbook(io.BytesIO(book.to_bytes()))
    return [tuple(c for c in row) for row in workbook.active.iter_rows()]


@pytest.mark.parametrize("text", HOSTILE)
def test_a_text_that_looks_like_a_formula_is_stored_as_prefixed_text(text):
    (row,) = _roundtrip([[text, Styled(text, bold=True)]])
    for cell in row:
        assert cell.data_type == "s"
        # (XML reads a stored carriage return back as a line feed.)
        assert cell.value.startswith("'") and cell.value[2:] == text[1:]


def test_no_formula_element_reaches_the_file():
    book = ExportWorkbook()
    book.sheet("x").append(HOSTILE)
    with zipfile.ZipFile(io.BytesIO(book.to_bytes())) as archive:
        sheet_xml = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet_xml and "<f " not in sheet_xml


def test_numbers_and_dates_keep_their_types_and_plain_text_is_untouched():
    aware = dt.datetime(2011, 8, 3, 1, 30, tzinfo=dt.UTC)
    (row,) = _roundtrip([[1, 2.5, Decimal("150000.01"), dt.date(2011, 8, 1), aware, "张三", -5, None, True]])
    values = [cell.value for cell in row]
    assert values[0] == 1 and values[1] == 2.5 and values[2] == pytest.approx(150000.01)
    assert row[2].data_type == "n"
    assert values[3].date() == dt.date(2011, 8, 1) and row[3].number_format == "yyyy-mm-dd"
    # Asia/Shanghai is UTC+8: the local wall time, without a zone.
    assert values[4] == dt.datetime(2011, 8, 3, 9, 30)
    assert values[5] == "张三" and values[6] == -5 and values[7] is None and values[8] is True


def test_safe_text_leaves_ordinary_text_alone():
    assert safe_text("李四 13812345678") == "李四 13812345678"
    assert safe_text("-") == "'-"


def test_sheet_titles_are_made_valid_and_unique():
    book = ExportWorkbook()
    book.sheet("a/b:c" * 10)
    book.sheet("a/b:c" * 10)
    names = load_workbook(io.BytesIO(book.to_bytes())).sheetnames
    assert len(names) == 2 and len(set(names)) == 2
    assert all(len(n) <= 31 and "/" not in n and ":" not in n for n in names)


def test_download_keeps_the_chinese_name_with_an_ascii_fallback():
    response = xlsx_response(ExportWorkbook().to_bytes(), "差异清单-2011-08")
    header = response["Content-Disposition"]
    assert "filename*=UTF-8''%E5%B7%AE%E5%BC%82%E6%B8%85%E5%8D%95-2011-08.xlsx" in header
    assert 'filename="export-2011-08.xlsx"' in header
    assert export_filename('a/b\\c:"d"') == "abcd.xlsx"
    assert attachment_header("x.xlsx").startswith('attachment; filename="x.xlsx"')
