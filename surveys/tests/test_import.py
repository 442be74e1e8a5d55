"""The import of the manufacturer's result sheets: tables, counts, row errors, refusals, template, command, demo.

Files are generated in memory (dealership_cs.tests.spreadsheet_factory); unless a test puts
title rows above it, the header is row 1, so the first data row is row 2 as Excel shows it.
"""

from __future__ import annotations

import hashlib
import io
import re
from decimal import Decimal as D
from io import StringIO

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone, translation

from dealership_cs.spreadsheets import SpreadsheetRefused
from dealership_cs.tests import spreadsheet_factory as factory
from surveys import demo
from surveys.imports import ScoreImportResult, ScoreRowError, score_import, score_template_workbook
from surveys.models import ANNUAL, ItemScore, OfficialScore, Program, ScoreImport, Source, Target
from surveys.services import target_save

pytestmark = pytest.mark.django_db

SCORES = ["项目", "期间", "得分", "区域平均", "全国平均", "排名", "参评经销商数", "样本量"]
ITEMS = ["项目", "期间", "项目代码", "得分", "区域平均", "样本量"]
TARGETS = ["项目", "年度", "目标得分", "目标排名"]
SSI_Q1 = ["SSI", "2010-Q1", 843, 878, None, 35, 39, None]
SSI_Q2 = ["SSI", "2010-Q2", 830, 890.7, None, 37, 39, None]
SUMMARY = "created={} updated={} unchanged={} rejected={}"


@pytest.fixture(autouse=True)
def english_messages():
    """Assertions read the English msgids whatever LANGUAGE_CODE the project uses."""
    with translation.override("en"):
        yield


def run(data: bytes, name: str = "results.xlsx", **options) -> ScoreImportResult:
    return score_import(source=io.BytesIO(data), file_name=name, **options)


def counts(result: ScoreImportResult) -> tuple[int, int, int, int]:
    return result.created, result.updated, result.unchanged, result.rejected


def ssi(year: int = 2010, period: int = 1) -> OfficialScore:
    return OfficialScore.objects.get(program__code="SSI", year=year, period=period)


def three_tables() -> bytes:
    return factory.make_xlsx(
        {
            "成绩": [SCORES, SSI_Q1, SSI_Q2, ["CSS", "2010-02", 81, 81, None, 20, 54, 35], ["CSS", "2010", 82.2, 82.0]],
            "单项得分": [ITEMS, ["CSS", "2010", "8C2", 82.1, 81, None], ["CSS", "2010", "11.11", 81.4, 83.3, None]],
            "目标": [TARGETS, ["SSI", 2011, 960, 10], ["MS_SALES", "2011", 90, None]],
        }
    )


# --- reading the tables ---------------------------------------------------------------------------


def test_a_workbook_with_scores_items_and_targets_imports_every_table(staff_user):
    data = three_tables()
    result = run(data, by=staff_user)

    assert counts(result) == (8, 0, 0, 0) and result.errors == []
    q1 = ssi()
    assert (q1.score, q1.regional_avg, q1.rank, q1.dealers, q1.national_avg) == (D("843"), D("878"), 35, 39, None)
    assert (q1.source, q1.batch, q1.updated_by) == (Source.IMPORTED, result.batch, staff_user)
    css = OfficialScore.objects.get(program__code="CSS", year=2010, period=2)
    assert (css.score, css.sample_n) == (D("81"), 35)
    assert OfficialScore.objects.get(program__code="CSS", year=2010, period=ANNUAL).score == D("82.2")
    item = ItemScore.objects.get(item__code="11.11", year=2010, period=ANNUAL)
    assert (item.score, item.regional_avg, item.item.year, item.batch) == (D("81.4"), D("83.3"), 2010, result.batch)
    target = Target.objects.get(program__code="SSI", year=2011)
    assert (target.score, target.rank, target.phasing) == (D("960"), 10, Target.Phasing.EQUAL)
    assert Target.objects.get(program__code="MS_SALES", year=2011).rank is None

    batch = ScoreImport.objects.get()
    assert batch == result.batch
    assert (batch.file_name, batch.size, batch.sha256) == ("results.xlsx", len(data), hashlib.sha256(data).hexdigest())
    assert batch.uploaded_by == staff_user
    assert batch.counts == {"created": 8, "updated": 0, "unchanged": 0, "rejected": 0} == result.counts
    assert batch.errors == []


@pytest.mark.parametrize(
    ("scores", "items"),
    [
        (
            ["program", "period", "score", "regional_avg", "national_avg", "rank", "dealers", "sample_n"],
            ["program", "period", "item_code", "score", "regional_avg", "sample_n"],
        ),
        (
            [
                "Program",
                "Period",
                "Dealer Score",
                "Regional Average",
                "National Average",
                "Rank",
                "Dealers",
                "Sample Size",
            ],
            ["PROGRAM", "period", "Item Code", "score", "regional average", "sample_n"],
        ),
        (
            ["项目", "周期", "经销商得分", "区域平均", "全国平均", "排名", "经销商数", "样本数"],
            ["*项目", "期 间", "指标代码", "得分：", "区域平均", "样本数"],
        ),
    ],
    ids=["english", "english-spaced-and-cased", "chinese-aliases"],
)
def test_headers_are_recognised_by_any_alias_in_any_order(scores, items):
    reordered = list(reversed(scores))
    data = factory.make_xlsx(
        {
            "Sheet1": [reordered, list(reversed(["SSI", "2010-Q1", 843, 878, 880.5, 35, 39, 120]))],
            "Sheet2": [items, ["CSS", "2010", "9A1", 83.9, 84.1, 300]],
        }
    )
    result = run(data)

    assert counts(result) == (2, 0, 0, 0), result.errors
    q1 = ssi()
    assert (q1.score, q1.national_avg, q1.rank, q1.dealers, q1.sample_n) == (D("843"), D("880.5"), 35, 39, 120)
    assert ItemScore.objects.get(item__code="9A1").sample_n == 300


def test_title_rows_above_the_header_and_a_totals_row_below_are_skipped():
    rows, merges, header_row = factory.messy_export(SCORES, [SSI_Q1, [], SSI_Q2], title="2010年SSI成绩")
    result = run(factory.make_xlsx({"成绩": rows}, merges={"成绩": merges}))

    assert header_row == 4
    assert counts(result) == (2, 0, 0, 0), result.errors
    assert ssi(period=2).regional_avg == D("890.7")


def test_a_csv_in_gb18030_holds_one_table():
    data = factory.make_csv([["2010年成绩"], ITEMS, ["CSS", "2010", "12B.1", "79.3", "76.1", ""]], encoding="gb18030")
    result = run(data, name="单项.csv")

    assert counts(result) == (1, 0, 0, 0), result.errors
    assert ItemScore.objects.get().item.code == "12B.1"


def test_sheets_that_hold_no_table_are_ignored():
    notes = [["说明：本表由厂家下发"], ["项目", "备注"]]
    result = run(factory.make_xlsx({"说明": notes, "成绩": [SCORES, SSI_Q1]}))

    assert counts(result) == (1, 0, 0, 0)


def test_periods_typed_as_excel_dates_and_item_codes_read_as_numbers_are_understood():
    import datetime

    data = factory.make_xlsx(
        {
            "s": [SCORES, ["CSS", datetime.date(2010, 3, 1), 74.8, 82.4, None, 38, 54]],
            "i": [ITEMS, ["CSS", 2010.0, 11.1, 86.3, 86]],
        }
    )
    result = run(data)

    assert counts(result) == (2, 0, 0, 0), result.errors
    assert OfficialScore.objects.get(program__code="CSS").period == 3
    assert ItemScore.objects.get().item.code == "11.1"


# --- counts, upserts and history --------------------------------------------------------------------


def test_reimporting_the_same_file_changes_nothing():
    data = three_tables()
    run(data)
    history = OfficialScore.history.count()

    result = run(data)

    assert counts(result) == (0, 0, 8, 0)
    assert OfficialScore.history.count() == history
    assert ScoreImport.objects.count() == 2


def test_a_changed_value_updates_the_row_and_keeps_its_history(manager_user):
    first = run(factory.make_xlsx([SCORES, SSI_Q1, SSI_Q2]))
    changed = ["SSI", "2010-Q1", 845, 878, None, 34, 39, None]

    result = run(factory.make_xlsx([SCORES, changed, SSI_Q2]), by=manager_user)

    assert counts(result) == (0, 1, 1, 0)
    q1 = ssi()
    assert (q1.score, q1.rank, q1.batch, q1.updated_by) == (D("845"), 34, result.batch, manager_user)
    assert ssi(period=2).batch == first.batch
    before, after = q1.history.order_by("history_id")
    assert (before.score, before.rank, after.score, after.rank) == (D("843"), 35, D("845"), 34)
    assert after.history_user == manager_user


def test_the_same_row_twice_counts_once_and_a_different_one_is_rejected():
    data = factory.make_xlsx(
        [
            SCORES,
            SSI_Q1,
            ["SSI", "2010-q1", "843.00", "878", None, "35", "39", None],  # the same values, written differently
            ["SSI", "2010年第1季度", 850, 878, None, 35, 39, None],
        ]
    )
    result = run(data)

    assert counts(result) == (1, 0, 0, 1)
    assert result.errors == [
        ScoreRowError("Sheet1", 4, "期间", "2010年第1季度", "this row repeats row 2 with different values")
    ]
    assert ssi().score == D("843")


def test_the_same_item_twice_with_different_values_is_rejected_on_the_later_row():
    data = factory.make_xlsx([ITEMS, ["CSS", "2010", "8C2", 82.1, 81], ["CSS", "2010", "8c2", 82.5, 81]])
    result = run(data)

    assert counts(result) == (1, 0, 0, 1)
    assert [(e.row, e.column, e.value) for e in result.errors] == [(3, "项目代码", "8c2")]


def test_importing_a_target_keeps_its_phasing_and_note(manager_user):
    ssi_program = Program.objects.get(code="SSI")
    percents = {1: 96, 2: 98, 3: 102, 4: 104}
    target_save(
        program=ssi_program,
        year=2011,
        score=950,
        rank=12,
        phasing=Target.Phasing.CUSTOM,
        percents=percents,
        note="年初计划",
        by=manager_user,
    )

    result = run(factory.make_xlsx([TARGETS, ["SSI", 2011, 960, 10]]))

    assert counts(result) == (0, 1, 0, 0), result.errors
    target = Target.objects.get(program=ssi_program, year=2011)
    assert (target.score, target.rank, target.phasing, target.note) == (D("960"), 10, "custom", "年初计划")
    assert {p.period: p.percent for p in target.phases.all()} == {k: D(v) for k, v in percents.items()}


# --- row errors -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "bad", "column", "value", "reason"),
    [
        (SCORES, ["SSI", "2010-Q3", 1001, 887.7], "得分", "1001", "outside this program's scale (0 to 1000)"),
        (SCORES, ["CSS", "2010-03", 74.8, 100.5], "区域平均", "100.5", "outside this program's scale (0 to 100)"),
        (SCORES, ["SSI", "2010-Q3", 867, 887.7, None, 40, 39], "排名", "40", "above the number of dealers ranked"),
        (SCORES, ["SSI", "2010-02", 867], "期间", "2010-02", "not in this program's calendar"),
        (SCORES, ["SSI", "2010-Q5", 867], "期间", "2010-Q5", "is not a period"),
        (SCORES, ["SSI", None, 867], "期间", "", "required"),
        (SCORES, ["XYZ", "2010-Q3", 867], "项目", "XYZ", "unknown program: the programs are SSI, CSS, MS_SALES"),
        (SCORES, ["SSI", "2010-Q3", "八百六十七"], "得分", "八百六十七", "is not a number"),
        (SCORES, ["SSI", "2010-Q3", None, 887.7], "得分", "", "The dealer score is required."),
        (SCORES, ["SSI", "2010-Q3", 867, None, None, 26.5], "排名", "26.5", "is not a whole number"),
        (ITEMS, ["CSS", "2010", "9Z9", 80], "项目代码", "9Z9", "“9Z9” is not in the CSS catalogue for 2010"),
        (ITEMS, ["CSS", "2010", None, 80], "项目代码", "", "required"),
        (ITEMS, ["CSS", "2010", "8C2", "n/a"], "得分", "n/a", "is not a number"),
        (TARGETS, ["SSI", "明年", 960], "年度", "明年", "not a year"),
        (TARGETS, ["CSS", 2011, 101], "目标得分", "101", "outside this program's scale"),
        (TARGETS, ["CSS", 2011, None, None], "目标得分", "", "Give a target score, a target rank or both."),
    ],
)
def test_a_bad_value_rejects_its_row_with_sheet_row_column_value_and_reason(header, bad, column, value, reason):
    good = {id(SCORES): SSI_Q1, id(ITEMS): ["CSS", "2010", "8C2", 82.1, 81], id(TARGETS): ["MS_SALES", 2011, 90]}
    good = good[id(header)]
    data = factory.make_xlsx({"上报": [["标题"], header, good, bad]})

    result = run(data)

    assert counts(result) == (1, 0, 0, 1)
    [error] = result.errors
    assert (error.sheet, error.row, error.column, error.value) == ("上报", 4, column, value)
    assert reason in error.reason
    stored = OfficialScore.objects.count() + ItemScore.objects.count() + Target.objects.count()
    assert stored == 1  # only the good row
    assert ScoreImport.objects.get().errors == [error.as_dict()]


def test_every_bad_cell_of_a_row_is_reported_and_the_row_counts_once():
    data = factory.make_xlsx([SCORES, ["SSI", "2010-02", 1200, "高", None, 0]])
    result = run(data)

    assert counts(result) == (0, 0, 0, 1)
    assert {(e.column, e.value) for e in result.errors} == {
        ("期间", "2010-02"),
        ("得分", "1200"),
        ("区域平均", "高"),
        ("排名", "0"),
    }
    assert not OfficialScore.objects.exists()


def test_an_item_code_of_another_year_s_catalogue_is_refused_at_the_row():
    """2012 has no catalogue of its own: the 2011 items apply, so a code missing there is unknown in 2012."""
    data = factory.make_xlsx([ITEMS, ["CSS", "2012-01", "11.12", 90], ["CSS", "2012-01", "S1", 90]])
    result = run(data)

    assert counts(result) == (1, 0, 0, 1)
    assert "not in the CSS catalogue for 2012" in result.errors[0].reason
    assert "11.12" in result.errors[0].reason  # the codes it does have are listed


# --- refused files ----------------------------------------------------------------------------------------


def test_a_file_without_a_recognisable_header_is_refused_listing_every_table_s_columns():
    data = factory.make_xlsx([["客户", "电话"], ["张三", "13800000000"]])
    with pytest.raises(SpreadsheetRefused) as refused:
        run(data, name="随便.xlsx")

    message = refused.value.message
    assert "“随便.xlsx” has no sheet with a recognisable header row" in message
    for expected in (
        "scores: 项目 (program",
        "item scores: 项目",
        "项目代码 (item_code",
        "targets: 项目",
        "年度 (year",
    ):
        assert expected in message
    assert not ScoreImport.objects.exists()


def test_a_header_lacking_a_required_column_is_refused_naming_it():
    data = factory.make_xlsx({"成绩": [["项目", "得分", "排名"], ["SSI", 843, 35]]})
    with pytest.raises(SpreadsheetRefused) as refused:
        run(data)

    assert "row 1 of sheet “成绩”" in refused.value.message
    assert "lacks required columns: 期间 (period" in refused.value.message


@pytest.mark.parametrize(
    ("data", "name", "expected"),
    [
        (b"", "empty.xlsx", "is empty (0 bytes)"),
        (factory.make_xlsx({"Sheet1": []}), "blank.xlsx", "contains no data"),
        (b"\xef\xbb\xbf\r\n", "blank.csv", "contains no data"),
        (b"not a workbook", "scores.xlsx", "scores.xlsx"),
    ],
)
def test_an_empty_or_unreadable_file_is_refused_and_stores_nothing(data, name, expected):
    with pytest.raises(SpreadsheetRefused, match=re.escape(expected)):
        run(data, name=name)
    assert not ScoreImport.objects.exists() and not OfficialScore.objects.exists()


def test_two_sheets_holding_the_same_table_are_refused():
    data = factory.make_xlsx({"2010": [SCORES, SSI_Q1], "2010 (旧)": [SCORES, SSI_Q2]})
    with pytest.raises(SpreadsheetRefused) as refused:
        run(data)

    assert "sheets “2010” and “2010 (旧)” both hold the scores table" in refused.value.message
    assert not OfficialScore.objects.exists()


def test_a_hidden_sheet_is_read_only_for_a_table_no_visible_sheet_holds():
    data = factory.make_xlsx(
        {
            "成绩": [SCORES, SSI_Q1],
            "旧成绩": [SCORES, ["SSI", "2010-Q1", 1]],
            "单项": [ITEMS, ["CSS", "2010", "8C2", 82]],
        },
        hidden=["旧成绩", "单项"],
    )
    result = run(data)

    assert counts(result) == (2, 0, 0, 0), result.errors
    assert ssi().score == D("843") and ItemScore.objects.get().score == D("82")


def test_a_dry_run_reports_the_counts_and_stores_nothing():
    run(factory.make_xlsx([SCORES, SSI_Q1]))
    data = factory.make_xlsx([SCORES, ["SSI", "2010-Q1", 845], SSI_Q2, ["SSI", "2010-02", 1]])

    result = run(data, dry_run=True)

    assert counts(result) == (1, 1, 0, 1)
    assert result.batch is None and len(result.errors) == 1
    assert ScoreImport.objects.count() == 1
    assert list(OfficialScore.objects.values_list("period", "score")) == [(1, D("843"))]


# --- the template ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "sheets", "headers"),
    [
        ("en", ["Scores", "Item scores", "Targets", "Instructions"], ["program", "period", "score", "regional_avg"]),
        ("zh-hans", None, ["项目", "期间", "得分", "区域平均"]),
    ],
)
def test_the_template_reads_back_cleanly(language, sheets, headers):
    with translation.override(language):
        data = score_template_workbook()
    book = openpyxl.load_workbook(io.BytesIO(data))
    if sheets:
        assert book.sheetnames == sheets
    scores = book.worksheets[0]
    assert [cell.value for cell in scores[1]][:4] == headers
    assert (scores["B2"].value, scores["B2"].number_format, scores.column_dimensions["B"].number_format) == (
        "2010-Q1",
        "@",
        "@",
    )
    assert book.worksheets[1].column_dimensions["C"].number_format == "@"
    instructions = "\n".join(str(row[0].value) for row in book.worksheets[3].iter_rows() if row[0].value)
    year = timezone.localdate().year
    for program in Program.objects.all():
        assert program.code in instructions
    assert f"{year}-Q1 … {year}-Q4" in instructions and f"{year}-01 … {year}-12" in instructions

    result = run(data, name="template.xlsx")

    assert counts(result) == (3, 0, 0, 0) and result.errors == []
    assert ssi().score == D("843")
    assert ItemScore.objects.get().item.code == "8C2"
    assert Target.objects.get().score == D("960")


# --- the rejected rows handed back, the downloads' names -----------------------------------------------------

HOSTILE = '=HYPERLINK("http://x","y")'


def test_the_rejected_rows_come_back_a_sheet_per_table_as_read_and_formulas_stay_text():
    data = factory.make_xlsx(
        {
            "成绩": [SCORES, SSI_Q1, ["SSI", "2010-Q2", 2000, 890.7]],
            "单项得分": [ITEMS, ["CSS", "2010", "8C2", 82.1, 81]],
            "目标": [TARGETS, ["SSI", "明年", 960]],
        }
    )
    result = run(data)

    book = openpyxl.load_workbook(io.BytesIO(result.error_workbook()))
    assert book.sheetnames == ["成绩", "目标"]  # the item sheet had nothing rejected
    header, row = book["成绩"].iter_rows(values_only=True)
    assert header == (*SCORES, "Sheet row", "Column", "Value", "Reason")
    assert row[:4] == ("SSI", "2010-Q2", 2000, 890.7)  # numbers stay numbers
    assert row[-4:-1] == (3, "得分", "2000")
    assert [r[-4:-1] for r in book["目标"].iter_rows(min_row=2, values_only=True)] == [(2, "年度", "明年")]


def test_a_rejected_cell_that_reads_like_a_formula_comes_back_as_text():
    result = run(factory.make_csv([SCORES, SSI_Q1, [HOSTILE, "2010-Q2", 830]]), name="成绩.csv")

    assert result.rejected == 1
    book = openpyxl.load_workbook(io.BytesIO(result.error_workbook()))
    assert book.sheetnames == ["scores"]  # a CSV has no sheet: the table's name
    cells = list(book.active.iter_rows(min_row=2))[0]
    assert (cells[0].data_type, cells[0].value) == ("s", "'" + HOSTILE)
    assert cells[-3].value == "项目" and cells[-2].value == "'" + HOSTILE
    assert all(cell.data_type != "f" for row in book.active.iter_rows() for cell in row)


def test_the_import_page_links_the_rejected_rows_for_the_uploader_alone(
    client, manager_user, admin_user, settings, tmp_path
):
    from urllib.parse import quote

    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.DATA_DIR = tmp_path
    client.force_login(manager_user)
    data = factory.make_csv([SCORES, SSI_Q1, [HOSTILE, "2010-Q2", 830]])
    response = client.post("/scores/import/", {"file": SimpleUploadedFile("一季度.csv", data), "dry_run": "on"})
    token = response.context["errors_token"]
    link = f"/scores/import/rejected/{token}.xlsx"
    assert f'href="{link}" data-testid="errors-download"' in response.content.decode()

    download = client.get(link)
    assert download.status_code == 200
    assert quote("成绩导入错误行-一季度.xlsx") in download["Content-Disposition"]
    assert openpyxl.load_workbook(io.BytesIO(download.content)).active["A2"].value == "'" + HOSTILE

    client.force_login(admin_user)
    response = client.get(link)
    assert response.status_code == 302 and response["Location"] == "/scores/import/"
    # An upload without rejected rows offers no download.
    good = factory.make_csv([SCORES, SSI_Q1])
    response = client.post("/scores/import/", {"file": SimpleUploadedFile("好.csv", good), "dry_run": "on"})
    assert response.context["errors_token"] is None and "errors-download" not in response.content.decode()


def test_the_import_page_refuses_a_csv_line_longer_than_64_kib_naming_the_row(client, manager_user):
    from django.conf import settings
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(manager_user)
    data = factory.make_csv([SCORES, SSI_Q1]) + b"SSI,2010-Q2,830," + b"9" * (70 * 1024) + b"\r\n"
    response = client.post("/scores/import/", {"file": SimpleUploadedFile("长.csv", data)})

    assert response.status_code == 400
    assert "“长.csv”: row 3 is longer than 64 KB" in response.context["refused"]
    assert not ScoreImport.objects.exists() and not OfficialScore.objects.exists()


def test_the_template_downloads_under_its_chinese_name_and_holds_no_formula(client, manager_user, staff_user):
    from urllib.parse import quote

    client.force_login(manager_user)
    response = client.get("/scores/import/template.xlsx")
    assert response.status_code == 200
    assert quote("成绩导入模板.xlsx") in response["Content-Disposition"]
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    cells = [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row if cell.value is not None]
    assert cells and all(cell.data_type != "f" for cell in cells)
    assert book.worksheets[0].data_validations.dataValidation[0].formula1.startswith('"SSI,')

    client.force_login(staff_user)
    assert client.get("/scores/import/template.xlsx").status_code == 403
    assert client.get("/scores/import/rejected/" + "A" * 24 + ".xlsx").status_code == 403


# --- the command --------------------------------------------------------------------------------------------


def test_the_command_prints_row_errors_and_ends_with_the_counts(tmp_path, admin_user):
    path = factory.save(tmp_path, "results.xlsx", factory.make_xlsx({"成绩": [SCORES, SSI_Q1, ["SSI", "2010-02", 1]]}))
    out = StringIO()

    call_command("import_scores", str(path), "--user", admin_user.username, stdout=out)

    lines = out.getvalue().splitlines()
    assert lines[0].startswith("sheet 成绩, row 3, column 期间: “2010-02”: “2010-02” is not in this program's calendar")
    assert lines[-1] == SUMMARY.format(1, 0, 0, 1)
    assert ScoreImport.objects.get().uploaded_by == admin_user

    out = StringIO()
    call_command("import_scores", str(path), stdout=out)
    assert out.getvalue().splitlines()[-1] == SUMMARY.format(0, 0, 1, 1)


def test_the_command_dry_run_stores_nothing_and_a_csv_error_has_no_sheet(tmp_path):
    path = factory.save(tmp_path, "r.csv", factory.make_csv([SCORES, SSI_Q1, ["SSI", "2010-Q2", 2000]]))
    out = StringIO()

    call_command("import_scores", str(path), "--dry-run", stdout=out)

    lines = out.getvalue().splitlines()
    assert lines[0].startswith("row 3, column 得分: “2000”:")
    assert lines[-2:] == ["Dry run: nothing was stored.", SUMMARY.format(1, 0, 0, 1)]
    assert not OfficialScore.objects.exists() and not ScoreImport.objects.exists()


def test_the_command_refuses_an_unreadable_file_with_status_1(tmp_path):
    path = factory.save(tmp_path, "r.xlsx", factory.make_xlsx([["a", "b"], [1, 2]]))
    with pytest.raises(CommandError, match="has no sheet with a recognisable header row") as refused:
        call_command("import_scores", str(path), stdout=StringIO())
    assert refused.value.returncode == 1
    with pytest.raises(CommandError, match="does not exist"):
        call_command("import_scores", str(tmp_path / "missing.xlsx"))
    with pytest.raises(CommandError, match="no user “ghost”"):
        call_command("import_scores", str(path), "--user", "ghost")


# --- the demo ------------------------------------------------------------------------------------------------


def test_the_demo_loads_through_the_import_reproducing_domain_tables_and_loads_again_unchanged():
    first = demo.load()
    assert "rejected=0" in first
    rows = {
        r.period: (r.score, r.regional_avg, r.rank, r.dealers)
        for r in OfficialScore.objects.filter(program__code="SSI", year=2010)
    }
    assert rows == {
        1: (D("843"), D("878"), 35, 39),
        2: (D("830"), D("890.7"), 37, 39),
        3: (D("867"), D("887.7"), 26, 39),
        4: (D("958"), D("903"), 12, 39),
    }
    mot_year = OfficialScore.objects.get(program__code="CSS", year=2010, period=ANNUAL)
    assert (mot_year.score, mot_year.regional_avg, mot_year.rank, mot_year.dealers) == (D("82.2"), D("82.0"), 22, 54)
    assert OfficialScore.objects.filter(program__code="CSS", year=2010).exclude(period=ANNUAL).count() == 11
    assert ItemScore.objects.filter(year=2010, period=ANNUAL).count() == 8
    targets = {t.program.code: (t.score, t.rank) for t in Target.objects.filter(year=2011)}
    assert targets == {
        "SSI": (D("960"), 10),
        "CSS": (D("96"), 15),
        "MS_SALES": (D("90"), None),
        "MS_SERVICE": (D("85"), None),
    }
    assert OfficialScore.objects.filter(year=2011, program__code="CSS", sample_n__isnull=False).count() == 10
    assert ScoreImport.objects.get().errors == []
    snapshot = (OfficialScore.history.count(), ItemScore.history.count(), Target.history.count())

    second = demo.load()

    assert "already loaded" in second and "unchanged=" in second
    assert ScoreImport.objects.count() == 1
    assert (OfficialScore.history.count(), ItemScore.history.count(), Target.history.count()) == snapshot
    assert counts(run(demo.workbook_bytes(), dry_run=True))[:2] == (0, 0)
