"""The archive ledger import: customers, vehicles and closed-deal archives from Excel or CSV.

Files are generated in memory by dealership_cs.tests.spreadsheet_factory; the header is row 1,
so the first data row is row 2 as Excel shows it.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.utils import translation

from customers import ledger
from customers.ledger import LEDGER_COLUMNS, LedgerResult, ledger_import
from customers.models import Customer, ImportBatch, SalesArchive, Vehicle
from customers.tests.factories import CustomerFactory, StaffFactory, VehicleFactory
from customers.validators import vin_with_check_digit
from dealership_cs.models import Staff
from dealership_cs.spreadsheets import SpreadsheetRefused
from dealership_cs.tests import spreadsheet_factory as factory

pytestmark = pytest.mark.django_db

CHINESE = {
    "customer_name": "客户名称",
    "phone": "联系电话",
    "vin": "车架号",
    "plate": "车牌号",
    "model": "车型",
    "consultant": "销售顾问",
    "deal_date": "成交日期",
    "delivery_date": "交车日期",
    "invoice_number": "发票号码",
    "invoice_date": "开票日期",
    "invoice_amount": "发票金额",
}
SUMMARY = "created={} updated={} unchanged={} rejected={}"


@pytest.fixture(autouse=True)
def english_messages():
    """Assertions read the English msgids whatever LANGUAGE_CODE the project uses."""
    with translation.override("en"):
        yield


def vin(n: int) -> str:
    return vin_with_check_digit(f"LSVCD2180B2{n:06d}")


def deal(n: int, **changes: object) -> dict[str, object]:
    """A valid ledger row as Excel holds it (phones and amounts as numbers, dates as dates)."""
    return {
        "customer_name": f"客户{n}",
        "phone": float(f"138{n:08d}"),
        "vin": vin(n),
        "plate": f"鲁N{n:05d}",
        "model": "帕萨特",
        "consultant": "王强",
        "deal_date": date(2011, 3, 1),
        "delivery_date": date(2011, 3, 15),
        "invoice_number": f"{n:08d}",
        "invoice_date": date(2011, 3, 10),
        "invoice_amount": 189800.0,
        **changes,
    }


def table(deals: list[dict[str, object]], headers: dict[str, str] = CHINESE) -> list[list[object]]:
    return [list(headers.values())] + [[row.get(key) for key in headers] for row in deals]


def xlsx(deals: list[dict[str, object]], headers: dict[str, str] = CHINESE) -> bytes:
    return factory.make_xlsx(table(deals, headers))


def run(data: bytes, name: str = "ledger.xlsx", **kwargs) -> LedgerResult:
    return ledger_import(source=io.BytesIO(data), file_name=name, **kwargs)


def command(path: Path, *args: str) -> list[str]:
    out, err = StringIO(), StringIO()
    call_command("import_archives", str(path), *args, stdout=out, stderr=err)
    assert err.getvalue() == ""
    return out.getvalue().splitlines()


def stored() -> dict[str, int]:
    return {
        "batches": ImportBatch.objects.count(),
        "customers": Customer.objects.count(),
        "vehicles": Vehicle.objects.count(),
        "archives": SalesArchive.objects.count(),
        "staff": Staff.objects.count(),
        "history": SalesArchive.history.count() + Vehicle.history.count() + Customer.history.count(),
    }


NOTHING = {"batches": 0, "customers": 0, "vehicles": 0, "archives": 0, "staff": 0, "history": 0}


# --- What a first import stores ------------------------------------------------------------------


def test_a_first_import_creates_customers_vehicles_and_archives(staff_user):
    result = run(xlsx([deal(1), deal(2), deal(3)]), by=staff_user)

    assert (result.created, result.updated, result.unchanged, result.rejected) == (3, 0, 0, 0)
    assert result.rows_read == 3 and result.errors == []
    assert (result.customers_created, result.consultants_created) == (3, 1)
    archive = SalesArchive.objects.select_related("vehicle__holder", "customer", "consultant").get(vehicle__vin=vin(2))
    assert archive.invoice_number == "00000002"
    assert archive.invoice_amount == Decimal("189800.00")
    assert (archive.deal_date, archive.delivery_date, archive.invoice_date) == (
        date(2011, 3, 1),
        date(2011, 3, 15),
        date(2011, 3, 10),
    )
    assert (archive.invoice_name, archive.invoice_name_key, archive.archive_phone) == ("客户2", "客户2", "13800000002")
    assert archive.submitted_by == staff_user
    assert archive.consultant.name == "王强"
    customer = archive.customer
    assert (customer.name, customer.name_key, customer.mobile) == ("客户2", "客户2", "13800000002")
    assert customer.source == Customer.Source.IMPORT
    vehicle = archive.vehicle
    assert (vehicle.plate, vehicle.model_name, vehicle.delivery_date) == ("鲁N00002", "帕萨特", date(2011, 3, 15))
    assert vehicle.holder == customer
    assert archive.history.get().history_user == staff_user


def test_reimporting_the_same_file_changes_nothing(staff_user):
    data = xlsx([deal(1), deal(2), deal(3)])
    run(data, by=staff_user)
    before = stored()

    result = run(data, by=staff_user)

    assert (result.created, result.updated, result.unchanged, result.rejected) == (0, 0, 3, 0)
    assert (result.customers_created, result.consultants_created) == (0, 0)
    assert stored() == {**before, "batches": 2}


def test_a_changed_row_updates_the_archive_and_its_history_keeps_the_old_value(staff_user, manager_user):
    run(xlsx([deal(1), deal(2)]), by=staff_user)

    result = run(xlsx([deal(1), deal(2, invoice_amount="¥179,800.00")]), by=manager_user)

    assert (result.created, result.updated, result.unchanged, result.rejected) == (0, 1, 1, 0)
    archive = SalesArchive.objects.get(vehicle__vin=vin(2))
    assert archive.invoice_amount == Decimal("179800.00")
    assert archive.batch == result.batch
    latest, previous = archive.history.order_by("-history_id")[:2]
    assert (latest.history_type, latest.invoice_amount, latest.history_user) == (
        "~",
        Decimal("179800.00"),
        manager_user,
    )
    assert f"#{result.batch.pk}" in latest.history_change_reason
    assert (previous.history_type, previous.invoice_amount, previous.history_user) == (
        "+",
        Decimal("189800.00"),
        staff_user,
    )
    assert SalesArchive.objects.get(vehicle__vin=vin(1)).history.count() == 1


def test_a_changed_plate_counts_the_row_as_updated_and_is_kept_in_the_vehicles_history(staff_user):
    run(xlsx([deal(1)]), by=staff_user)

    result = run(xlsx([deal(1, plate="鲁N8888A")]), by=staff_user)

    assert (result.created, result.updated, result.unchanged) == (0, 1, 0)
    vehicle = Vehicle.objects.get(vin=vin(1))
    assert vehicle.plate == "鲁N8888A" and vehicle.batch == result.batch
    assert [record.plate for record in vehicle.history.order_by("-history_id")] == ["鲁N8888A", "鲁N00001"]
    assert SalesArchive.objects.get().history.count() == 1


def test_an_empty_optional_plate_or_model_keeps_what_the_vehicle_record_knows(staff_user):
    run(xlsx([deal(1)]), by=staff_user)

    result = run(xlsx([deal(1, plate=None, model=None)]), by=staff_user)

    assert (result.updated, result.unchanged) == (0, 1)
    assert Vehicle.objects.values_list("plate", "model_name").get() == ("鲁N00001", "帕萨特")


def test_every_written_row_carries_the_batch_and_one_batch_is_recorded(staff_user):
    data = xlsx([deal(1), deal(2)])

    result = run(data, name="2010年成交档案.xlsx", by=staff_user)

    batch = ImportBatch.objects.get()
    assert result.batch == batch
    assert (batch.kind, batch.file_name, batch.created_by) == (
        ImportBatch.Kind.LEDGER,
        "2010年成交档案.xlsx",
        staff_user,
    )
    assert batch.sha256 == hashlib.sha256(data).hexdigest()
    assert batch.counts == {
        "rows_read": 2,
        "created": 2,
        "updated": 0,
        "unchanged": 0,
        "rejected": 0,
        "customers_created": 2,
        "consultants_created": 1,
    }
    assert set(Customer.objects.values_list("batch", flat=True)) == {batch.pk}
    assert set(Vehicle.objects.values_list("batch", flat=True)) == {batch.pk}
    assert set(SalesArchive.objects.values_list("batch", flat=True)) == {batch.pk}
    reasons = set(SalesArchive.history.values_list("history_change_reason", flat=True))
    assert reasons == {f"Archive ledger import #{batch.pk}: 2010年成交档案.xlsx"}


def test_rows_are_written_in_bulk_not_one_query_per_row(staff_user, django_assert_max_num_queries):
    CustomerFactory(name="客户7", mobile="13800000007")
    with django_assert_max_num_queries(20):
        result = run(xlsx([deal(n) for n in range(1, 61)]), by=staff_user)
    assert result.created == 60


@pytest.mark.parametrize("chunk_rows", [1, 2, 2000])
def test_rows_in_several_chunks_give_the_same_result(monkeypatch, chunk_rows):
    monkeypatch.setattr(ledger.service, "CHUNK_ROWS", chunk_rows)
    same_buyer = {"customer_name": "赵六", "phone": "13900000006"}
    deals = [deal(1, **same_buyer), deal(2), deal(1, **same_buyer), deal(3, **same_buyer), deal(2, invoice_amount=1.0)]

    result = run(xlsx(deals))

    assert (result.created, result.rejected, result.rows_read) == (3, 1, 5)
    assert [error.row for error in result.errors] == [6]
    assert Customer.objects.filter(name="赵六").count() == 1
    assert Staff.objects.count() == 1


# --- Headers and formats -------------------------------------------------------------------------

ENGLISH_SHUFFLED = {
    "invoice_amount": "Invoice Amount",
    "vin": "VIN",
    "consultant": "CONSULTANT",
    "remark": "Remark",
    "customer_name": "Customer_Name",
    "delivery_date": "delivery date",
    "invoice_number": "invoice_number",
    "invoice_date": "Invoice Date",
    "phone": "Phone",
    "plate": "plate",
    "model": "Model",
    "deal_date": "Deal_Date",
}
CHINESE_ALIASES_SHUFFLED = {
    "serial": "序号",
    "consultant": "销售人员",
    "invoice_amount": "价税合计",
    "customer_name": "客户姓名",
    "vin": "底盘号",
    "phone": "手机",
    "model": "车型名称",
    "delivery_date": "交车时间",
    "invoice_number": "发票号",
    "invoice_date": "开票时间",
    "remark": "备  注",
}


@pytest.mark.parametrize("headers", [CHINESE, ENGLISH_SHUFFLED, CHINESE_ALIASES_SHUFFLED], ids=["zh", "en", "aliases"])
def test_headers_are_recognised_in_chinese_or_english_in_any_order_with_extra_columns(headers):
    deals = [deal(1, remark="老客户", serial=1), deal(2, remark="", serial=2)]

    result = run(xlsx(deals, headers))

    assert (result.created, result.rejected) == (2, 0)
    archive = SalesArchive.objects.select_related("vehicle", "customer").get(vehicle__vin=vin(2))
    assert (archive.customer.name, archive.customer.mobile, archive.invoice_amount) == (
        "客户2",
        "13800000002",
        Decimal("189800.00"),
    )
    assert archive.vehicle.model_name == "帕萨特"


def test_a_system_export_with_title_rows_and_a_totals_row_is_read():
    rows, merges, header_row = factory.messy_export(list(CHINESE.values()), table([deal(1), deal(2)])[1:])

    result = run(factory.make_xlsx({"Sheet1": rows}, merges={"Sheet1": merges}))

    assert (result.created, result.rejected, result.rows_read) == (2, 0, 2)
    assert header_row == 4


def _csv(encoding: str) -> Callable[[list[list[object]]], bytes]:
    return lambda rows: factory.make_csv(rows, encoding=encoding)


@pytest.mark.parametrize(
    ("name", "make"),
    [
        ("ledger.xlsx", factory.make_xlsx),
        ("ledger.xls", factory.make_xls),
        ("ledger.csv", _csv("utf-8-sig")),
        ("ledger.csv", _csv("gb18030")),
    ],
    ids=["xlsx", "xls", "csv-utf8", "csv-gb18030"],
)
def test_each_file_format_is_read(name, make):
    rows = table([deal(1, customer_name="张　伟", consultant="刘　洋"), deal(2)])

    result = run(make(rows), name=name)

    assert (result.created, result.rejected) == (2, 0)
    archive = SalesArchive.objects.select_related("customer", "consultant").get(vehicle__vin=vin(1))
    assert (archive.customer.name, archive.consultant.name) == ("张 伟", "刘 洋")
    assert archive.invoice_date == date(2011, 3, 10)


def test_a_gb18030_csv_with_text_values_as_chinese_excel_saves_them():
    rows = [
        ["客户名称", "联系电话", "车架号", "销售顾问", "交车日期", "发票号码", "开票日期", "价税合计"],
        ["李　娜", "138 0000 0001", vin(1).lower(), "王强", "2011年3月15日", "1234567", "2011/3/10", "¥189,800.00"],
    ]

    result = run(factory.make_csv(rows, encoding="gb18030"), name="台账.csv")

    assert (result.created, result.rejected) == (1, 0)
    archive = SalesArchive.objects.select_related("customer", "vehicle").get()
    assert (archive.customer.name, archive.archive_phone, archive.vehicle.vin) == ("李 娜", "13800000001", vin(1))
    assert (archive.delivery_date, archive.invoice_number, archive.invoice_amount) == (
        date(2011, 3, 15),
        "01234567",
        Decimal("189800.00"),
    )


# --- Row errors ----------------------------------------------------------------------------------


def test_bad_values_reject_their_row_with_row_column_value_and_reason_and_good_rows_still_go_in():
    bad_check_digit = vin(3)[:8] + ("1" if vin(3)[8] != "1" else "2") + vin(3)[9:]
    deals = [
        deal(1),
        deal(2, phone="12345"),
        deal(3, vin=bad_check_digit),
        deal(4, delivery_date="2011-13-01"),
        deal(5, invoice_amount="一万"),
        deal(6, deal_date="last spring"),
        deal(7, consultant=None),
        deal(8, invoice_amount=-189800.0),
        deal(9, phone="12345", invoice_date="someday"),
        deal(10),
    ]

    result = run(xlsx(deals))

    assert (result.created, result.rejected, result.rows_read) == (2, 8, 10)
    found = [(error.row, error.column, error.value) for error in result.errors]
    assert found == [
        (3, "联系电话", "12345"),
        (4, "车架号", bad_check_digit),
        (5, "交车日期", "2011-13-01"),
        (6, "发票金额", "一万"),
        (7, "成交日期", "last spring"),
        (8, "销售顾问", ""),
        (9, "发票金额", "-189800"),
        (10, "联系电话", "12345"),
        (10, "开票日期", "someday"),
    ]
    reasons = [error.reason for error in result.errors]
    assert "is not a valid phone number" in reasons[0]
    assert "check digit" in reasons[1]
    assert "there is no month 13" in reasons[2]
    assert "is not an amount" in reasons[3]
    assert "is not a date" in reasons[4]
    assert reasons[5] == "required"
    assert "negative" in reasons[6]
    assert sorted(Vehicle.objects.values_list("vin", flat=True)) == [vin(1), vin(10)]


def test_an_empty_optional_value_is_accepted():
    result = run(xlsx([deal(1, phone=None, plate="", model=None, deal_date=None)]))

    assert (result.created, result.rejected) == (1, 0)
    archive = SalesArchive.objects.select_related("vehicle", "customer").get()
    assert (archive.archive_phone, archive.deal_date, archive.vehicle.plate, archive.customer.mobile) == (
        "",
        None,
        "",
        "",
    )


def test_the_same_vin_twice_with_the_same_values_counts_once():
    result = run(xlsx([deal(1), deal(1, phone="138-0000-0001"), deal(2)]))

    assert (result.created, result.updated, result.unchanged, result.rejected, result.rows_read) == (2, 0, 0, 0, 3)
    assert SalesArchive.objects.count() == 2


def test_the_same_vin_twice_with_different_values_rejects_the_later_row():
    result = run(xlsx([deal(1), deal(2), deal(1, invoice_number="99999999")]))

    assert (result.created, result.rejected) == (2, 1)
    [error] = result.errors
    assert (error.row, error.column, error.value) == (4, "车架号", vin(1))
    assert "row 2" in error.reason
    assert SalesArchive.objects.get(vehicle__vin=vin(1)).invoice_number == "00000001"


# --- The rejected rows handed back as a workbook --------------------------------------------------

HOSTILE = '=HYPERLINK("http://x","y")'


def rejected_workbook(data: bytes):
    from openpyxl import load_workbook

    return load_workbook(io.BytesIO(data))


def csv_ledger(deals: list[dict[str, object]]) -> bytes:
    """The deals as a CSV, where a cell typed ``=HYPERLINK(...)`` is the text itself (an .xlsx would hold a formula)."""
    return factory.make_csv(table([{**row, "phone": row["phone"] and str(int(row["phone"]))} for row in deals]))


def test_the_rejected_rows_come_back_as_read_with_their_errors_and_formulas_stay_text():
    deals = [deal(1), deal(2, consultant=HOSTILE, phone=12345.0), deal(3, plate="-1+2", vin="bad")]
    result = run(csv_ledger(deals), name="ledger.csv")

    assert result.rejected == 2
    rows = list(rejected_workbook(result.error_workbook()).active.iter_rows())
    assert [cell.value for cell in rows[0]] == [*CHINESE.values(), "Sheet row", "Column", "Value", "Reason"]
    second, third = rows[1], rows[2]
    # The consultant named like a formula is text, shown as typed, never evaluated.
    consultant = second[list(CHINESE).index("consultant")]
    assert (consultant.data_type, consultant.value) == ("s", "'" + HOSTILE)
    assert third[list(CHINESE).index("plate")].value == "'-1+2"
    assert [cell.value for cell in second[-4:-1]] == [3, "联系电话", "12345"]
    assert "is not a valid phone number" in second[-1].value
    assert [cell.value for cell in third[-4:-2]] == [4, "车架号; 车牌号"]
    assert all(cell.data_type != "f" for row in rows for cell in row)


def test_rejected_rows_keep_their_numbers_and_dates():
    result = run(xlsx([deal(1, phone="12345")]))

    (_header, row) = rejected_workbook(result.error_workbook()).active.iter_rows(values_only=True)
    assert row[list(CHINESE).index("invoice_amount")] == 189800
    assert row[list(CHINESE).index("delivery_date")].date() == date(2011, 3, 15)


def test_a_file_without_rejected_rows_gives_an_empty_workbook_and_the_name_says_what_it_holds():
    result = run(xlsx([deal(1)]))
    assert result.rejected == 0
    assert rejected_workbook(result.error_workbook()).active.max_row == 1
    assert ledger.error_workbook_name("C:\\导出\\8月台账.xlsx") == "成交档案导入错误行-8月台账"


def test_a_file_of_many_rejected_rows_hands_back_the_first_ones_and_counts_the_rest(monkeypatch):
    from dealership_cs.spreadsheets import rejected

    monkeypatch.setattr(rejected, "ROWS_KEPT_MAX", 2)
    result = run(xlsx([deal(n, phone="12345") for n in range(1, 6)] + [deal(6)]))

    assert (result.rejected, len(result.errors)) == (5, 5)  # every error is still listed on the page
    book = rejected_workbook(result.error_workbook())
    assert [row[-4] for row in book.worksheets[0].iter_rows(min_row=2, values_only=True)] == [2, 3]
    (note,) = book.worksheets[1].iter_rows(values_only=True)
    assert "3 more rejected rows after row 3 are not listed" in note[0]
    # The workbook goes back in as it is: the note is not taken for rows.
    assert run(result.error_workbook(), name="again.xlsx").rejected == 2


def test_the_upload_page_links_the_rejected_rows_for_the_uploader_alone(
    client, staff_user, admin_user, settings, tmp_path
):
    from urllib.parse import quote

    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.DATA_DIR = tmp_path
    client.force_login(staff_user)
    data = csv_ledger([deal(1), deal(2, consultant=HOSTILE, phone=12345.0)])
    response = client.post("/customers/import/", {"file": SimpleUploadedFile("8月台账.csv", data), "dry_run": "on"})
    token = response.context["errors_token"]
    link = f"/customers/import/rejected/{token}.xlsx"
    assert f'href="{link}" data-testid="errors-download"' in response.content.decode()

    download = client.get(link)
    assert download.status_code == 200
    assert quote("成交档案导入错误行-8月台账.xlsx") in download["Content-Disposition"]
    sheet = rejected_workbook(download.content).active
    assert sheet.cell(row=2, column=list(CHINESE).index("consultant") + 1).value == "'" + HOSTILE

    # Another user's token, an unknown one and a malformed one are all just gone.
    client.force_login(admin_user)
    for url in (link, "/customers/import/rejected/" + "A" * 24 + ".xlsx", "/customers/import/rejected/x.xlsx"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"] == "/customers/import/"


def test_the_upload_page_refuses_a_csv_without_line_breaks_naming_the_row(client, staff_user):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(staff_user)
    one_line = ",".join(CHINESE.values()).encode() + b"," + b"x," * (40 * 1024)
    response = client.post("/customers/import/", {"file": SimpleUploadedFile("一行.csv", one_line)})

    assert response.status_code == 400
    assert "“一行.csv”: row 1 is longer than 64 KB" in response.context["form"].errors["file"][0]
    assert stored() == NOTHING


def test_only_those_who_may_import_the_ledger_may_download_rejected_rows(client, cast):
    for name in ("agent", "manager", "norole"):
        client.force_login(cast[name])
        assert client.get("/customers/import/rejected/" + "A" * 24 + ".xlsx").status_code == 403, name


# --- Consultants and customers -------------------------------------------------------------------


def test_a_consultant_is_matched_by_name_ignoring_full_width_spaces():
    consultant = StaffFactory(name="王 强")
    StaffFactory(name="王强", department=Staff.Department.SERVICE, position=Staff.Position.SERVICE_ADVISOR)

    result = run(xlsx([deal(1, consultant="王　强"), deal(2, consultant="王强"), deal(3, consultant="Ｗａｎｇ")]))

    assert (result.created, result.consultants_created) == (3, 1)
    assert {archive.consultant for archive in SalesArchive.objects.filter(vehicle__vin__in=[vin(1), vin(2)])} == {
        consultant
    }


def test_an_unknown_consultant_is_created_once_as_a_sales_consultant(staff_user):
    result = run(xlsx([deal(1, consultant="赵新"), deal(2, consultant="赵 新")]), by=staff_user)

    assert result.consultants_created == 1
    new = Staff.objects.get()
    assert (new.name, new.department, new.position) == ("赵新", Staff.Department.SALES, Staff.Position.SALES_CONSULTANT)
    assert set(SalesArchive.objects.values_list("consultant", flat=True)) == {new.pk}
    assert new.history.get().history_user == staff_user


def test_an_existing_vehicles_holder_is_kept_when_the_name_matches():
    holder = CustomerFactory(name="张伟", mobile="13900000000")
    VehicleFactory(vin=vin(1), holder=holder, plate="鲁N11111")

    result = run(xlsx([deal(1, customer_name="张 伟")]))

    assert (result.created, result.customers_created) == (1, 0)
    archive = SalesArchive.objects.select_related("vehicle").get()
    assert archive.customer == holder and archive.vehicle.holder == holder
    assert archive.vehicle.plate == "鲁N00001"
    assert Customer.objects.get() == holder


def test_a_buyer_is_found_by_phone_and_name_when_the_holder_differs():
    known = CustomerFactory(name="李四", mobile="13700000000", phone2="13800000001")
    previous_holder = CustomerFactory(name="王五")
    VehicleFactory(vin=vin(1), holder=previous_holder)
    CustomerFactory(name="别人", mobile="13800000002")

    result = run(xlsx([deal(1, customer_name="李四"), deal(2, customer_name="李　四", phone="13700000000"), deal(3)]))

    assert (result.created, result.customers_created) == (3, 1)
    first, second, third = (SalesArchive.objects.select_related("vehicle").get(vehicle__vin=vin(n)) for n in (1, 2, 3))
    assert first.customer == known and first.vehicle.holder == known
    assert second.customer == known
    assert third.customer.name == "客户3" and third.customer.source == Customer.Source.IMPORT
    assert Vehicle.objects.get(vin=vin(1)).history.order_by("-history_id").first().holder_id == known.pk


def test_buyers_without_a_phone_are_never_merged_by_name_alone():
    result = run(xlsx([deal(1, customer_name="张伟", phone=None), deal(2, customer_name="张伟", phone=None)]))

    assert result.customers_created == 2
    assert Customer.objects.filter(name="张伟").count() == 2


# --- All or nothing ------------------------------------------------------------------------------


def test_a_crash_while_writing_stores_nothing(monkeypatch):
    real = ledger.writer.bulk_create_with_history

    def failing(objs, model, **kwargs):
        if model is SalesArchive:
            raise RuntimeError("disk full")
        return real(objs, model, **kwargs)

    monkeypatch.setattr(ledger.writer, "bulk_create_with_history", failing)

    with pytest.raises(RuntimeError):
        run(xlsx([deal(1), deal(2)]))

    assert stored() == NOTHING


def test_a_dry_run_reports_the_counts_and_stores_nothing(staff_user):
    result = run(xlsx([deal(1), deal(2, phone="12345")]), by=staff_user, dry_run=True)

    assert (result.created, result.rejected, result.batch) == (1, 1, None)
    assert stored() == NOTHING


def test_a_refused_file_raises_and_stores_nothing():
    with pytest.raises(SpreadsheetRefused) as refused:
        run(factory.make_xlsx([["客户名称", "车架号"], ["张伟", vin(1)]]))

    assert "lacks required columns" in refused.value.message
    assert stored() == NOTHING


def test_the_columns_are_exported_for_the_upload_page():
    required = {column.key for column in LEDGER_COLUMNS if column.required}
    assert required == {
        "customer_name",
        "vin",
        "consultant",
        "delivery_date",
        "invoice_number",
        "invoice_date",
        "invoice_amount",
    }
    assert [column.label for column in LEDGER_COLUMNS] == list(CHINESE.values())


# --- The management command ----------------------------------------------------------------------


def test_the_command_prints_row_errors_and_ends_with_the_counts(tmp_path):
    path = factory.save(tmp_path, "ledger.xlsx", xlsx([deal(1), deal(2, phone="12345"), deal(3)]))

    lines = command(path)

    assert lines[0].startswith("row 3, column 联系电话: “12345”: “12345” is not a valid phone number")
    assert lines[-1] == SUMMARY.format(2, 0, 0, 1)
    assert SalesArchive.objects.count() == 2


def test_the_command_records_the_user_it_is_given(tmp_path, staff_user):
    path = factory.save(tmp_path, "ledger.csv", factory.make_csv(table([deal(1)])))

    lines = command(path, "--user", staff_user.username)

    assert lines == [SUMMARY.format(1, 0, 0, 0)]
    assert ImportBatch.objects.get().created_by == staff_user
    assert SalesArchive.history.get().history_user == staff_user


def test_the_command_refuses_a_file_missing_a_required_column(tmp_path):
    headers = {key: text for key, text in CHINESE.items() if key != "invoice_amount"}
    path = factory.save(tmp_path, "ledger.xlsx", xlsx([deal(1)], headers))

    with pytest.raises(CommandError) as refused:
        command(path)

    assert refused.value.returncode == 1
    assert "ledger.xlsx" in str(refused.value)
    assert "lacks required columns: 发票金额" in str(refused.value)
    assert stored() == NOTHING


def test_the_command_refuses_an_empty_file(tmp_path):
    path = factory.save(tmp_path, "ledger.xlsx", b"")

    with pytest.raises(CommandError) as refused:
        command(path)

    assert refused.value.returncode == 1
    assert str(refused.value) == "“ledger.xlsx” is empty (0 bytes)."
    assert stored() == NOTHING


def test_the_command_refuses_a_missing_file_or_unknown_user(tmp_path):
    with pytest.raises(CommandError, match="does not exist"):
        command(tmp_path / "nowhere.xlsx")
    path = factory.save(tmp_path, "ledger.xlsx", xlsx([deal(1)]))
    with pytest.raises(CommandError, match="no user “ghost”"):
        command(path, "--user", "ghost")
    assert stored() == NOTHING


def test_the_command_dry_run_reports_the_counts_and_stores_nothing(tmp_path):
    path = factory.save(tmp_path, "ledger.xlsx", xlsx([deal(1), deal(2), deal(3, vin="LSV")]))

    lines = command(path, "--dry-run")

    assert lines[-2] == "Dry run: nothing was stored."
    assert lines[-1] == SUMMARY.format(2, 0, 0, 1)
    assert stored() == NOTHING


@pytest.mark.parametrize(
    ("make", "name"),
    [
        (factory.zip_bomb_xlsx, "bomb.xlsx"),
        (factory.xlsx_with_doctype, "entities.xlsx"),
        (factory.encrypted_ooxml, "locked.xlsx"),
        (lambda: b"not,a,workbook\n", "text.xlsx"),
    ],
)
def test_the_command_refuses_a_hostile_or_mistyped_file_whole_and_stores_nothing(tmp_path, db, make, name):
    path = tmp_path / name
    path.write_bytes(make())
    before = stored()
    with pytest.raises(CommandError) as excinfo:
        call_command("import_archives", str(path), stdout=StringIO(), stderr=StringIO())
    assert name in str(excinfo.value)
    assert stored() == before
