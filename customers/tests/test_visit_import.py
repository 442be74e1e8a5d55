"""The repair-order import: service visits, with their cars, customers and advisors, from a DMS export.

Files are generated in memory by dealership_cs.tests.spreadsheet_factory; unless a test lays out
title rows, the header is row 1, so the first data row is row 2 as Excel shows it.
"""

from __future__ import annotations

import hashlib
import io
from datetime import datetime
from decimal import Decimal
from io import StringIO
from pathlib import Path
from urllib.parse import quote
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from customers.models import Customer, ImportBatch, ServiceVisit, Vehicle
from customers.tests.factories import CustomerFactory, ServiceVisitFactory, StaffFactory, VehicleFactory
from customers.validators import vin_with_check_digit
from customers.visits import VISIT_COLUMNS, VisitResult, error_workbook_name, service, visit_import
from dealership_cs.models import Staff
from dealership_cs.spreadsheets import SpreadsheetRefused
from dealership_cs.tests import spreadsheet_factory as factory
from dealership_cs.tests.threads import run_together

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
CHINESE = {
    "ro_number": "工单号",
    "vin": "车架号",
    "plate": "车牌号",
    "customer_name": "客户名称",
    "phone": "联系电话",
    "advisor": "服务顾问",
    "kind": "维修类别",
    "opened_at": "进厂时间",
    "closed_at": "结算时间",
    "mileage": "行驶里程",
    "amount": "结算金额",
}
# English and Chinese headers mixed, in another order, with a column the import does not know.
MIXED_SHUFFLED = {
    "remark": "备 注",
    "advisor": "Advisor",
    "opened_at": "进厂时间",
    "vin": "VIN",
    "customer_name": "Customer Name",
    "ro_number": "工单号",
    "amount": "amount",
    "closed_at": "Closed_At",
    "phone": "联系电话",
    "kind": "KIND",
    "plate": "车牌号",
    "mileage": "Mileage",
}
SUMMARY = "created={} updated={} unchanged={} rejected={}"


@pytest.fixture(autouse=True)
def english_messages():
    """Assertions read the English msgids whatever LANGUAGE_CODE the project uses."""
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def error_reports_in_tmp(settings, tmp_path):
    """Error workbooks kept for the download land in the test's own folder."""
    settings.DATA_DIR = tmp_path


def vin(n: int) -> str:
    return vin_with_check_digit(f"LSVCD2180B2{n:06d}")


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


def ro(n: int, **changes: object) -> dict[str, object]:
    """A valid repair-order row as Excel holds it (phones, mileage and amounts as numbers, times as dates)."""
    return {
        "ro_number": f"RO2011{n:05d}",
        "vin": vin(n),
        "plate": f"鲁N{n:05d}",
        "customer_name": f"客户{n}",
        "phone": float(f"138{n:08d}"),
        "advisor": "周强",
        "kind": "保养",
        "opened_at": datetime(2011, 8, 1, 9, 30),
        "closed_at": datetime(2011, 8, 1, 16, 0),
        "mileage": 12345.0,
        "amount": 680.0,
        **changes,
    }


def table(rows: list[dict[str, object]], headers: dict[str, str] = CHINESE) -> list[list[object]]:
    return [list(headers.values())] + [[row.get(key) for key in headers] for row in rows]


def xlsx(rows: list[dict[str, object]], headers: dict[str, str] = CHINESE) -> bytes:
    """The rows as an .xlsx; a text starting with "=" is a text cell, as a DMS export writes it, not a formula."""
    book = openpyxl.Workbook()
    for r, values in enumerate(table(rows, headers), 1):
        for c, value in enumerate(values, 1):
            if value is not None:
                cell = book.active.cell(row=r, column=c, value=value)
                if isinstance(value, str) and value.startswith("="):
                    cell.data_type = "s"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def run(data: bytes, name: str = "工单.xlsx", **kwargs) -> VisitResult:
    return visit_import(source=io.BytesIO(data), file_name=name, **kwargs)


def counts(result: VisitResult) -> tuple[int, int, int, int]:
    return result.created, result.updated, result.unchanged, result.rejected


def stored() -> dict[str, int]:
    return {
        "batches": ImportBatch.objects.count(),
        "visits": ServiceVisit.objects.count(),
        "vehicles": Vehicle.objects.count(),
        "customers": Customer.objects.count(),
        "staff": Staff.objects.count(),
        "history": ServiceVisit.history.count()
        + Vehicle.history.count()
        + Customer.history.count()
        + Staff.history.count(),
    }


NOTHING = {"batches": 0, "visits": 0, "vehicles": 0, "customers": 0, "staff": 0, "history": 0}


# --- What a first import stores ------------------------------------------------------------------


def test_a_first_import_creates_visits_with_their_cars_customers_and_advisor(staff_user):
    result = run(xlsx([ro(1), ro(2), ro(3)]), by=staff_user)

    assert counts(result) == (3, 0, 0, 0)
    assert (result.rows_read, result.errors) == (3, [])
    assert (result.customers_created, result.vehicles_created, result.advisors_created) == (3, 3, 1)
    visit = ServiceVisit.objects.select_related("vehicle__holder", "customer", "advisor").get(ro_number="RO201100002")
    assert visit.kind == ServiceVisit.Kind.MAINTENANCE
    assert (visit.opened_at, visit.closed_at) == (local(2011, 8, 1, 9, 30), local(2011, 8, 1, 16, 0))
    assert (visit.mileage, visit.amount) == (12345, Decimal("680.00"))
    customer = visit.customer
    assert (customer.name, customer.name_key, customer.mobile, customer.source) == (
        "客户2",
        "客户2",
        "13800000002",
        Customer.Source.IMPORT,
    )
    assert (visit.vehicle.vin, visit.vehicle.plate, visit.vehicle.holder) == (vin(2), "鲁N00002", customer)
    advisor = visit.advisor
    assert (advisor.name, advisor.department, advisor.position) == (
        "周强",
        Staff.Department.SERVICE,
        Staff.Position.SERVICE_ADVISOR,
    )
    assert visit.history.get().history_user == staff_user
    assert advisor.history.get().history_user == staff_user


def test_each_history_row_holds_the_row_as_written_with_who_when_and_why(staff_user):
    run(xlsx([ro(1)]), by=staff_user)
    result = run(xlsx([ro(1, amount=700.0, kind="维修")]), by=staff_user)

    visit = ServiceVisit.objects.get()
    created, changed = visit.history.order_by("history_id")
    tracked = [field.attname for field in ServiceVisit.history.model.tracked_fields]
    assert {name: getattr(changed, name) for name in tracked} == {name: getattr(visit, name) for name in tracked}
    assert (created.amount, created.kind, created.batch_id) == (Decimal("680.00"), "maintenance", visit.batch_id - 1)
    assert (created.history_type, changed.history_type) == ("+", "~")
    assert created.history_user == changed.history_user == staff_user
    assert changed.history_change_reason == f"Repair-order import #{result.batch.pk}: 工单.xlsx"
    assert created.history_date <= changed.history_date <= timezone.now()
    for model in (Customer, Vehicle, Staff):
        record, row = model.history.get(), model.objects.get()
        assert (record.history_type, record.history_user) == ("+", staff_user)
        fields = [field.attname for field in model.history.model.tracked_fields]
        assert {name: getattr(record, name) for name in fields} == {name: getattr(row, name) for name in fields}


def test_every_written_row_carries_the_batch_and_one_batch_is_recorded(staff_user):
    data = xlsx([ro(1), ro(2)])

    result = run(data, name="2011年8月工单.xlsx", by=staff_user)

    batch = ImportBatch.objects.get()
    assert result.batch == batch
    assert (batch.kind, batch.file_name, batch.created_by) == (
        ImportBatch.Kind.VISITS,
        "2011年8月工单.xlsx",
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
        "vehicles_created": 2,
        "advisors_created": 1,
    }
    for model in (ServiceVisit, Vehicle, Customer):
        assert set(model.objects.values_list("batch", flat=True)) == {batch.pk}
    reasons = set(ServiceVisit.history.values_list("history_change_reason", flat=True))
    assert reasons == {f"Repair-order import #{batch.pk}: 2011年8月工单.xlsx"}


def test_a_time_without_a_time_zone_is_shanghai_local_time_and_a_date_alone_is_midnight():
    rows = [
        ro(1, opened_at="2011-08-24 08:05", closed_at="2011-08-24 23:30"),
        ro(2, opened_at="2011/8/24", closed_at=None),
    ]

    result = run(xlsx(rows))

    assert counts(result) == (2, 0, 0, 0)
    first, second = ServiceVisit.objects.order_by("ro_number")
    assert first.opened_at == datetime(2011, 8, 24, 0, 5, tzinfo=ZoneInfo("UTC"))
    assert first.closed_at == local(2011, 8, 24, 23, 30)
    assert second.opened_at == local(2011, 8, 24, 0, 0)


# --- Re-imports and updates ----------------------------------------------------------------------


def test_reimporting_the_same_file_changes_nothing(staff_user):
    data = xlsx([ro(1), ro(2), ro(3, phone=None, customer_name="张伟"), ro(4, kind=None)])
    run(data, by=staff_user)
    before = stored()

    result = run(data, by=staff_user)

    assert counts(result) == (0, 0, 4, 0)
    assert (result.customers_created, result.vehicles_created, result.advisors_created) == (0, 0, 0)
    assert stored() == {**before, "batches": 2}


def test_a_changed_row_updates_the_visit_and_its_history_keeps_the_old_values(staff_user, admin_user):
    run(xlsx([ro(1, closed_at=None, amount=None), ro(2)]), by=staff_user)

    result = run(xlsx([ro(1, closed_at=datetime(2011, 8, 2, 11, 0), amount="¥1,280.50"), ro(2)]), by=admin_user)

    assert counts(result) == (0, 1, 1, 0)
    visit = ServiceVisit.objects.get(ro_number="RO201100001")
    assert (visit.closed_at, visit.amount, visit.batch) == (local(2011, 8, 2, 11, 0), Decimal("1280.50"), result.batch)
    latest, previous = visit.history.order_by("-history_id")[:2]
    assert (latest.history_type, latest.closed_at, latest.amount, latest.history_user) == (
        "~",
        local(2011, 8, 2, 11, 0),
        Decimal("1280.50"),
        admin_user,
    )
    assert f"#{result.batch.pk}" in latest.history_change_reason
    assert (previous.history_type, previous.closed_at, previous.amount, previous.history_user) == (
        "+",
        None,
        None,
        staff_user,
    )
    assert ServiceVisit.objects.get(ro_number="RO201100002").history.count() == 1


def test_an_empty_optional_cell_keeps_what_the_stored_visit_holds():
    run(xlsx([ro(1, kind="维修")]))

    result = run(xlsx([ro(1, kind=None, closed_at=None, mileage=None, amount="", plate=None, phone=None)]))

    assert counts(result) == (0, 0, 1, 0)
    visit = ServiceVisit.objects.select_related("vehicle").get()
    assert (visit.kind, visit.closed_at, visit.mileage, visit.amount, visit.vehicle.plate) == (
        ServiceVisit.Kind.REPAIR,
        local(2011, 8, 1, 16, 0),
        12345,
        Decimal("680.00"),
        "鲁N00001",
    )


def test_a_later_opening_time_after_the_stored_closing_time_rejects_the_row():
    run(xlsx([ro(1), ro(2)]))

    result = run(xlsx([ro(1, opened_at=datetime(2011, 8, 3, 9, 0), closed_at=None), ro(2, amount=1.0)]))

    assert counts(result) == (0, 1, 0, 1)
    [error] = result.errors
    assert (error.row, error.column) == (2, "进厂时间")
    assert "2011-08-01 16:00" in error.reason and "closing time" in error.reason
    assert ServiceVisit.objects.get(ro_number="RO201100001").opened_at == local(2011, 8, 1, 9, 30)


def test_an_existing_car_gets_only_its_empty_plate_filled_and_the_row_counts_as_updated():
    VehicleFactory(vin=vin(1), plate="")
    VehicleFactory(vin=vin(2), plate="鲁N99999")
    run(xlsx([ro(1), ro(2)]))
    assert Vehicle.objects.get(vin=vin(1)).plate == "鲁N00001"
    assert Vehicle.objects.get(vin=vin(2)).plate == "鲁N99999"

    ServiceVisit.objects.filter(vehicle__vin=vin(1)).delete()
    Vehicle.objects.filter(vin=vin(1)).update(plate="")
    result = run(xlsx([ro(1), ro(2)]))

    assert counts(result) == (1, 0, 1, 0)
    result = run(xlsx([ro(1)]))
    assert counts(result) == (0, 0, 1, 0)


# --- Headers and formats -------------------------------------------------------------------------


@pytest.mark.parametrize("headers", [CHINESE, MIXED_SHUFFLED], ids=["zh", "mixed"])
def test_headers_are_recognised_in_chinese_or_english_in_any_order_with_extra_columns(headers):
    result = run(xlsx([ro(1, remark="老客户"), ro(2, remark="")], headers))

    assert counts(result) == (2, 0, 0, 0)
    visit = ServiceVisit.objects.select_related("customer", "vehicle").get(ro_number="RO201100002")
    assert (visit.customer.name, visit.customer.mobile, visit.vehicle.plate, visit.amount) == (
        "客户2",
        "13800000002",
        "鲁N00002",
        Decimal("680.00"),
    )


def test_a_messy_dms_export_gives_exact_counts():
    """Title rows, blank rows, a totals row, mixed headers, numbers for phones, Excel serials, full width."""
    header = list(MIXED_SHUFFLED.values())
    rows = [
        # Excel serial date-times (40756.3958… is 2011-08-01 09:30) and a phone stored as a number.
        ro(1, opened_at=40756.395833333336, closed_at=40756.6875),
        [],
        # Full-width RO number, name, advisor, VIN, phone; amount and mileage as text.
        ro(
            2,
            ro_number="ＲＯ２０１１００００２",
            customer_name="张　伟",
            advisor="周　强",
            vin=vin(2).translate({c: c + 0xFEE0 for c in range(0x21, 0x7F)}).lower(),
            phone="１３８ ００００ ０００２",
            amount="￥1,280.50",
            mileage="23,456 km",
        ),
        ro(3, kind="事故车维修"),
        ro(4, kind="洗车美容"),  # an unknown kind is "other", not an error
        ro(5, kind="Warranty"),
        [],
        ro(6, vin="LSVCD2180B2"),  # too short: rejected
        ro(7),
        ro(7),  # the same RO listed twice with the same values counts once
    ]
    data = [[row.get(key) for key in MIXED_SHUFFLED] if row else [] for row in rows]
    sheet, merges, header_row = factory.messy_export(header, data, totals=("合计", 8, None, None, 9999.0))

    result = run(factory.make_xlsx({"工单": sheet}, merges={"工单": merges}))

    assert header_row == 4
    assert counts(result) == (6, 0, 0, 1)
    assert result.rows_read == 8
    [error] = result.errors
    assert (error.row, error.column, error.value) == (header_row + 8, "VIN", "LSVCD2180B2")
    kinds = dict(ServiceVisit.objects.values_list("ro_number", "kind"))
    assert kinds == {
        "RO201100001": "maintenance",
        "RO201100002": "maintenance",
        "RO201100003": "accident",
        "RO201100004": "other",
        "RO201100005": "warranty",
        "RO201100007": "maintenance",
    }
    first = ServiceVisit.objects.get(ro_number="RO201100001")
    assert (first.opened_at, first.closed_at) == (local(2011, 8, 1, 9, 30), local(2011, 8, 1, 16, 30))
    second = ServiceVisit.objects.select_related("customer", "vehicle", "advisor").get(ro_number="RO201100002")
    assert (second.customer.name, second.customer.mobile, second.vehicle.vin) == ("张 伟", "13800000002", vin(2))
    assert (second.amount, second.mileage, second.advisor.name) == (Decimal("1280.50"), 23456, "周强")
    assert Staff.objects.count() == 1  # 周　强 and 周强 are one advisor


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("保养", "maintenance"),
        ("首保", "maintenance"),
        ("Maintenance", "maintenance"),
        ("维修", "repair"),
        ("一般维修", "repair"),
        ("repair", "repair"),
        ("保修", "warranty"),
        ("索赔", "warranty"),
        ("WARRANTY", "warranty"),
        ("事故", "accident"),
        ("accident", "accident"),
        ("钣喷", "other"),
        ("other", "other"),
    ],
)
def test_the_kind_is_read_in_chinese_or_english(text, kind):
    result = run(xlsx([ro(1, kind=text)]))

    assert counts(result) == (1, 0, 0, 0)
    assert ServiceVisit.objects.get().kind == kind


@pytest.mark.parametrize(
    ("name", "make"),
    [
        ("工单.xls", factory.make_xls),
        ("工单.csv", lambda rows: factory.make_csv(rows, encoding="gb18030")),
    ],
    ids=["xls", "csv-gb18030"],
)
def test_each_file_format_is_read(name, make):
    rows = table([ro(1), ro(2, opened_at="2011-08-01 09:30", closed_at="2011年8月1日 16:00")])

    result = run(make(rows), name=name)

    assert counts(result) == (2, 0, 0, 0)
    for visit in ServiceVisit.objects.all():
        assert (visit.opened_at, visit.closed_at) == (local(2011, 8, 1, 9, 30), local(2011, 8, 1, 16, 0))


# --- Row errors ----------------------------------------------------------------------------------


def test_bad_values_reject_their_row_with_row_column_value_and_reason_and_good_rows_still_go_in():
    bad_check_digit = vin(4)[:8] + ("1" if vin(4)[8] != "1" else "2") + vin(4)[9:]
    rows = [
        ro(1),
        ro(2, ro_number=None),
        ro(3, vin=None),
        ro(4, vin=bad_check_digit),
        ro(5, customer_name=None),
        ro(6, advisor=" "),
        ro(7, opened_at=None),
        ro(8, opened_at="2011-13-01"),
        ro(9, opened_at="0982-10-29"),
        ro(10, closed_at=datetime(2011, 8, 1, 9, 0)),
        ro(11, phone="12345"),
        ro(12, mileage="-5"),
        ro(13, amount="一百"),
        ro(14, plate="XN12345"),
        ro(15, kind="不知道"),  # not an error: other
        ro(16),
    ]

    result = run(xlsx(rows))

    assert counts(result) == (3, 0, 0, 13)
    assert result.rows_read == 16
    found = [(error.row, error.column, error.value) for error in result.errors]
    assert found == [
        (3, "工单号", ""),
        (4, "车架号", ""),
        (5, "车架号", bad_check_digit),
        (6, "客户名称", ""),
        (7, "服务顾问", ""),
        (8, "进厂时间", ""),
        (9, "进厂时间", "2011-13-01"),
        (10, "进厂时间", "0982-10-29"),
        (11, "结算时间", "2011-08-01 09:00:00"),
        (12, "联系电话", "12345"),
        (13, "行驶里程", "-5"),
        (14, "结算金额", "一百"),
        (15, "车牌号", "XN12345"),
    ]
    reasons = [error.reason for error in result.errors]
    assert reasons[0] == reasons[1] == "required"
    assert "check digit" in reasons[2]
    assert reasons[3:6] == ["required", "required", "required"]
    assert "there is no month 13" in reasons[6]
    assert "between 1990 and 2100" in reasons[7]
    assert reasons[8] == "The car cannot leave before it came in: check the closing time."
    assert "is not a valid phone number" in reasons[9]
    assert "is not a mileage" in reasons[10]
    assert "is not an amount" in reasons[11]
    assert sorted(ServiceVisit.objects.values_list("ro_number", flat=True)) == [
        "RO201100001",
        "RO201100015",
        "RO201100016",
    ]
    assert ServiceVisit.objects.get(ro_number="RO201100015").kind == ServiceVisit.Kind.OTHER


def test_a_row_with_several_bad_cells_lists_each_of_them():
    result = run(xlsx([ro(1, phone="12345", opened_at="someday", mileage="很多")]))

    assert counts(result) == (0, 0, 0, 1)
    assert [(error.row, error.column) for error in result.errors] == [(2, "联系电话"), (2, "进厂时间"), (2, "行驶里程")]


def test_the_same_ro_twice_with_different_values_rejects_the_later_row_naming_the_earlier():
    result = run(xlsx([ro(1), ro(2), ro(1, amount=999.0)]))

    assert counts(result) == (2, 0, 0, 1)
    [error] = result.errors
    assert (error.row, error.column, error.value) == (4, "工单号", "RO201100001")
    assert error.reason == "this RO number is already in row 2 with different values"
    assert ServiceVisit.objects.get(ro_number="RO201100001").amount == Decimal("680.00")


def test_the_same_ro_twice_with_the_same_values_counts_once():
    result = run(xlsx([ro(1), ro(1, phone="138-0000-0001", kind="保养"), ro(2)]))

    assert counts(result) == (2, 0, 0, 0)
    assert result.rows_read == 3


# --- Customers, cars and advisors ----------------------------------------------------------------


def test_an_existing_cars_holder_is_the_visits_customer_when_the_name_matches():
    holder = CustomerFactory(name="张伟", mobile="13900000000")
    VehicleFactory(vin=vin(1), holder=holder, plate="鲁N11111")

    result = run(xlsx([ro(1, customer_name="张 伟", phone="13700000000")]))

    assert (result.created, result.customers_created, result.vehicles_created) == (1, 0, 0)
    visit = ServiceVisit.objects.select_related("vehicle").get()
    assert visit.customer == holder and visit.vehicle.holder == holder
    assert holder.mobile == Customer.objects.get(pk=holder.pk).mobile == "13900000000"
    assert visit.vehicle.plate == "鲁N11111"  # an RO does not overwrite the car's plate


def test_a_customer_is_found_by_phone_and_name_and_never_by_name_alone():
    known = CustomerFactory(name="李四", mobile="13700000000", phone2="13800000001")
    VehicleFactory(vin=vin(1), holder=CustomerFactory(name="王五"))
    CustomerFactory(name="别人", mobile="13800000003")

    result = run(
        xlsx(
            [
                ro(1, customer_name="李四"),  # phone2 and name: the known customer, though the holder differs
                ro(2, customer_name="李　四", phone="13700000000"),
                ro(3),  # the phone of someone of another name: another person
                ro(4, customer_name="赵六", phone=None),
                ro(5, customer_name="赵六", phone=None),  # same name, other car, no phone: another person
            ]
        )
    )

    assert (result.created, result.customers_created) == (5, 3)
    customer = dict(ServiceVisit.objects.values_list("ro_number", "customer"))
    assert customer["RO201100001"] == customer["RO201100002"] == known.pk
    assert Vehicle.objects.get(vin=vin(1)).holder.name == "王五"  # the holder stays
    assert customer["RO201100004"] != customer["RO201100005"]
    assert Customer.objects.filter(name="赵六").count() == 2


def test_a_person_without_a_phone_is_one_customer_across_the_visits_of_the_same_car():
    first = run(xlsx([ro(1, customer_name="赵六", phone=None), ro(2)]))
    second = run(xlsx([ro(3, vin=vin(1), customer_name="赵　六", phone=None, plate=None)]))

    assert (first.customers_created, second.customers_created, second.vehicles_created) == (2, 0, 0)
    assert Customer.objects.filter(name="赵六").count() == 1
    visit = ServiceVisit.objects.select_related("customer").get(ro_number="RO201100003")
    assert visit.customer.name == "赵六" and visit.vehicle_id == Vehicle.objects.get(vin=vin(1)).pk


def test_a_driver_other_than_the_holder_is_remembered_for_the_car():
    VehicleFactory(vin=vin(1), holder=CustomerFactory(name="王五"))

    run(xlsx([ro(1, customer_name="王小五", phone=None)]))
    result = run(xlsx([ro(2, vin=vin(1), customer_name="王小五", phone=None)]))

    assert (result.created, result.customers_created) == (1, 0)
    assert Customer.objects.filter(name="王小五").count() == 1


def test_a_new_car_in_the_file_is_created_once_for_all_its_visits():
    rows = [
        ro(1, plate=None),
        ro(2, vin=vin(1), customer_name="客户 1", plate="鲁N00001"),
        ro(3, vin=vin(1), customer_name="客户1", phone=None, plate="鲁N77777"),
    ]

    result = run(xlsx(rows))

    assert (result.created, result.vehicles_created, result.customers_created) == (3, 1, 1)
    assert Vehicle.objects.get().plate == "鲁N00001"  # the first plate the file gives
    assert set(ServiceVisit.objects.values_list("vehicle", flat=True)) == {Vehicle.objects.get().pk}
    assert set(ServiceVisit.objects.values_list("customer", flat=True)) == {Customer.objects.get().pk}


def test_an_advisor_is_matched_by_name_and_a_service_advisor_wins_over_a_namesake():
    StaffFactory(name="周强")  # a sales consultant of the same name
    advisor = StaffFactory(name="周 强", department=Staff.Department.SERVICE, position=Staff.Position.SERVICE_ADVISOR)

    result = run(xlsx([ro(1, advisor="周　强"), ro(2, advisor="周强")]))

    assert (result.created, result.advisors_created) == (2, 0)
    assert set(ServiceVisit.objects.values_list("advisor", flat=True)) == {advisor.pk}


def test_an_unknown_advisor_is_created_once_as_a_service_advisor(staff_user):
    result = run(xlsx([ro(1, advisor="孙悦"), ro(2, advisor="孙 悦")]), by=staff_user)

    assert result.advisors_created == 1
    new = Staff.objects.get()
    assert (new.name, new.department, new.position) == (
        "孙悦",
        Staff.Department.SERVICE,
        Staff.Position.SERVICE_ADVISOR,
    )
    assert new.history.get().history_user == staff_user


def test_a_visit_entered_on_the_form_is_updated_by_its_ro_number():
    visit = ServiceVisitFactory(ro_number="RO201100001", vehicle=VehicleFactory(vin=vin(1)))

    result = run(xlsx([ro(1, customer_name=visit.customer.name, phone=visit.customer.mobile)]))

    assert counts(result) == (0, 1, 0, 0)
    visit.refresh_from_db()
    assert (visit.customer_id, visit.amount, visit.advisor.name) == (visit.vehicle.holder_id, Decimal("680.00"), "周强")


# --- Chunks and queries --------------------------------------------------------------------------


@pytest.mark.parametrize("chunk_rows", [1, 2, 2000])
def test_rows_in_several_chunks_give_the_same_result(monkeypatch, chunk_rows):
    monkeypatch.setattr(service, "CHUNK_ROWS", chunk_rows)
    same_person = {"customer_name": "赵六", "phone": "13900000006"}
    rows = [
        ro(1, **same_person),
        ro(2),
        ro(1, **same_person),
        ro(3, **same_person),
        ro(2, amount=1.0),
        ro(4, vin=vin(3), **same_person),
    ]

    result = run(xlsx(rows))

    assert (result.created, result.rejected, result.rows_read) == (4, 1, 6)
    assert [error.row for error in result.errors] == [6]
    assert Customer.objects.filter(name="赵六").count() == 1
    assert Vehicle.objects.count() == 3
    assert Staff.objects.count() == 1


def _queries(rows: list[dict[str, object]]) -> int:
    with CaptureQueriesContext(connection) as queries:
        result = run(xlsx(rows))
    assert result.rejected == 0
    return len(queries.captured_queries)


@pytest.mark.parametrize("second_import", ["new", "changed"])
def test_the_queries_per_chunk_do_not_grow_with_the_rows(monkeypatch, second_import):
    monkeypatch.setattr(service, "CHUNK_ROWS", 10)
    StaffFactory(name="周强", department=Staff.Department.SERVICE, position=Staff.Position.SERVICE_ADVISOR)
    changes = {"amount": 1.0, "closed_at": datetime(2011, 8, 2, 10, 0)} if second_import == "changed" else {}
    offsets = {10: 1000, 20: 2000, 40: 4000}
    if second_import == "changed":
        for size, offset in offsets.items():
            run(xlsx([ro(offset + n) for n in range(size)]))

    one, two, four = (_queries([ro(offset + n, **changes) for n in range(size)]) for size, offset in offsets.items())

    per_chunk = two - one
    assert four - two == 2 * per_chunk  # each chunk of ten costs the same
    assert per_chunk <= 12
    assert one - per_chunk <= 10  # what one import costs besides its chunks


# --- All or nothing ------------------------------------------------------------------------------


def test_a_crash_while_writing_stores_nothing(monkeypatch):
    from customers.visits import writer

    real = writer.record_history

    def failing(model, pks, **kwargs):
        if model is ServiceVisit:
            raise RuntimeError("disk full")
        return real(model, pks, **kwargs)

    monkeypatch.setattr(writer, "record_history", failing)

    with pytest.raises(RuntimeError):
        run(xlsx([ro(1), ro(2)]))

    assert stored() == NOTHING


def test_a_dry_run_reports_the_counts_and_stores_nothing(staff_user):
    result = run(xlsx([ro(1), ro(2, phone="12345")]), by=staff_user, dry_run=True)

    assert (result.created, result.rejected, result.batch) == (1, 1, None)
    assert (result.customers_created, result.vehicles_created, result.advisors_created) == (1, 1, 1)
    assert stored() == NOTHING


def test_a_refused_file_raises_and_stores_nothing():
    with pytest.raises(SpreadsheetRefused) as refused:
        run(factory.make_xlsx([["工单号", "车架号", "客户名称"], ["RO1", vin(1), "张伟"]]))

    assert "lacks required columns" in refused.value.message
    assert "服务顾问" in refused.value.message and "进厂时间" in refused.value.message
    assert stored() == NOTHING


def test_the_columns_are_exported_for_the_upload_page():
    required = {column.key for column in VISIT_COLUMNS if column.required}
    assert required == {"ro_number", "vin", "customer_name", "advisor", "opened_at"}
    assert [column.label for column in VISIT_COLUMNS] == list(CHINESE.values())


# --- The error workbook --------------------------------------------------------------------------

FORMULA = '=HYPERLINK("http://x","y")'


def _read_back(data: bytes) -> list[list[object]]:
    sheet = openpyxl.load_workbook(io.BytesIO(data)).worksheets[0]
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


def test_the_error_workbook_holds_each_rejected_row_as_uploaded_and_why_keeping_formulas_as_text():
    rows = [ro(1), ro(2, vin=FORMULA), ro(3, phone="12345", opened_at="someday")]

    result = run(xlsx(rows))
    data = result.error_workbook()

    sheet = openpyxl.load_workbook(io.BytesIO(data)).worksheets[0]
    assert sheet.title == "Sheet"  # the sheet the rows came from
    cells = _read_back(data)
    assert cells[0] == [*CHINESE.values(), "Sheet row", "Column", "Value", "Reason"]
    vin_error, phone_error, date_error = result.errors
    assert cells[1] == [
        "RO201100002",
        "'" + FORMULA,
        "鲁N00002",
        "客户2",
        13800000002,
        "周强",
        "保养",
        datetime(2011, 8, 1, 9, 30),
        datetime(2011, 8, 1, 16, 0),
        12345,
        680,
        3,
        "车架号",
        "'" + FORMULA,
        vin_error.reason,
    ]
    assert sheet["B2"].data_type == "s"  # text, not a live formula
    assert sheet["N2"].data_type == "s"
    assert cells[2] == [
        "RO201100003",
        vin(3),
        "鲁N00003",
        "客户3",
        "12345",
        "周强",
        "保养",
        "someday",
        datetime(2011, 8, 1, 16, 0),
        12345,
        680,
        4,
        "联系电话; 进厂时间",
        "12345; someday",
        f"{phone_error.reason}; {date_error.reason}",
    ]
    assert len(cells) == 3


def test_the_corrected_error_workbook_imports_again():
    result = run(xlsx([ro(1), ro(2, phone="12345")]))
    sheet = openpyxl.load_workbook(io.BytesIO(result.error_workbook())).worksheets[0]
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    rows[1][4] = "13800000002"

    again = run(factory.make_xlsx(rows), name="改正.xlsx")

    assert counts(again) == (1, 0, 0, 0)
    assert ServiceVisit.objects.count() == 2


# --- The management command ----------------------------------------------------------------------


def command(path: Path, *args: str) -> list[str]:
    out, err = StringIO(), StringIO()
    call_command("import_visits", str(path), *args, stdout=out, stderr=err)
    assert err.getvalue() == ""
    return out.getvalue().splitlines()


def test_the_command_prints_row_errors_and_ends_with_the_counts(tmp_path):
    path = factory.save(tmp_path, "ro.xlsx", xlsx([ro(1), ro(2, phone="12345"), ro(3)]))

    lines = command(path)

    assert lines[0].startswith("row 3, column 联系电话: “12345”: “12345” is not a valid phone number")
    assert lines[-1] == SUMMARY.format(2, 0, 0, 1)
    assert ServiceVisit.objects.count() == 2

    lines = command(path)

    assert lines[-1] == SUMMARY.format(0, 0, 2, 1)


def test_the_command_records_the_user_and_writes_the_rejected_rows_when_asked(tmp_path, staff_user):
    path = factory.save(tmp_path, "ro.csv", factory.make_csv(table([ro(1), ro(2, vin="LSV")])))

    lines = command(path, "--user", staff_user.username, "--errors", str(tmp_path / "rejected.xlsx"))

    assert lines[-1] == SUMMARY.format(1, 0, 0, 1)
    assert ImportBatch.objects.get().created_by == staff_user
    assert ServiceVisit.history.get().history_user == staff_user
    assert [row[0] for row in _read_back((tmp_path / "rejected.xlsx").read_bytes())] == ["工单号", "RO201100002"]


def test_the_command_refuses_an_error_report_path_in_a_missing_folder_before_importing(tmp_path):
    path = factory.save(tmp_path, "ro.xlsx", xlsx([ro(1, vin="LSV")]))

    with pytest.raises(CommandError, match="is not a folder"):
        command(path, "--errors", str(tmp_path / "missing" / "rejected.xlsx"))

    assert stored() == NOTHING


def test_the_command_dry_run_reports_the_counts_and_stores_nothing(tmp_path):
    path = factory.save(tmp_path, "ro.xlsx", xlsx([ro(1), ro(2), ro(3, vin="LSV")]))

    lines = command(path, "--dry-run")

    assert lines[-2] == "Dry run: nothing was stored."
    assert lines[-1] == SUMMARY.format(2, 0, 0, 1)
    assert stored() == NOTHING


@pytest.mark.parametrize(
    ("make", "name"),
    [
        (lambda: b"", "empty.xlsx"),
        (factory.zip_bomb_xlsx, "bomb.xlsx"),
        (factory.xlsx_with_doctype, "entities.xlsx"),
        (factory.encrypted_ooxml, "locked.xlsx"),
        (lambda: b"not,a,workbook\n", "text.xlsx"),
        (lambda: xlsx([ro(1)], {k: v for k, v in CHINESE.items() if k != "opened_at"}), "no-opening.xlsx"),
    ],
)
def test_the_command_refuses_an_unreadable_or_hostile_file_with_exit_status_1_and_stores_nothing(tmp_path, make, name):
    path = factory.save(tmp_path, name, make())

    with pytest.raises(CommandError) as refused:
        call_command("import_visits", str(path), stdout=StringIO(), stderr=StringIO())

    assert refused.value.returncode == 1
    assert name in str(refused.value)
    assert stored() == NOTHING


# --- The upload page -----------------------------------------------------------------------------

URL = "/customers/visits/import/"


def upload(client, data: bytes, name: str = "工单.xlsx", *, dry_run: bool = False):
    body = {"file": SimpleUploadedFile(name, data)}
    if dry_run:
        body["dry_run"] = "on"
    return client.post(URL, body)


@pytest.mark.parametrize("who", ["staff", "admin"])
def test_staff_and_admins_open_the_page_with_the_expected_columns(client, cast, who):
    client.force_login(cast[who])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    response = client.get(URL)

    html = response.content.decode()
    assert response.status_code == 200
    assert "Import repair orders" in html
    assert "<code>工单号/ro_number*</code>" in html and "<code>结算金额/amount</code>" in html


@pytest.mark.parametrize("who", ["agent", "manager", "norole"])
def test_agents_managers_and_users_without_a_role_are_refused_and_store_nothing(client, cast, who):
    client.force_login(cast[who])

    assert client.get(URL).status_code == 403
    assert upload(client, xlsx([ro(1)])).status_code == 403
    assert client.get(f"{URL}rejected/{'A' * 24}.xlsx").status_code == 403
    assert stored() == NOTHING


def test_the_page_checks_then_imports_listing_counts_row_errors_and_the_error_workbook(client, staff_user):
    client.force_login(staff_user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    data = xlsx([ro(1), ro(2, vin=FORMULA), ro(3)])

    response = upload(client, data, dry_run=True)

    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-created="2"' in html and 'data-rejected="1"' in html and "checked, nothing stored" in html
    assert 'data-testid="row-errors"' in html and "<td>3</td><td>车架号</td>" in html
    assert stored() == NOTHING

    response = upload(client, data)

    html = response.content.decode()
    assert 'data-created="2"' in html and 'data-rejected="1"' in html and "imported:" in html
    assert ServiceVisit.objects.count() == 2
    assert ImportBatch.objects.get().created_by == staff_user
    link = f"{URL}rejected/{response.context['errors_token']}.xlsx"
    assert f'href="{link}" data-testid="errors-download"' in html
    download = client.get(link)
    assert download.status_code == 200
    assert download["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert quote("工单导入错误行-工单.xlsx") in download["Content-Disposition"]
    cells = _read_back(download.content)
    assert cells[1][:2] == ["RO201100002", "'" + FORMULA] and cells[1][11] == 3

    response = upload(client, data)
    assert 'data-unchanged="2"' in response.content.decode()


def test_the_error_workbook_is_only_for_the_user_who_uploaded(client, staff_user, admin_user):
    client.force_login(staff_user)
    token = upload(client, xlsx([ro(1, vin="LSV")])).context["errors_token"]

    # Another user's token, an unknown one and a malformed one are all just gone.
    client.force_login(admin_user)
    for url in (f"{URL}rejected/{token}.xlsx", f"{URL}rejected/{'A' * 24}.xlsx", f"{URL}rejected/x.xlsx"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"] == URL


def test_the_download_is_named_in_chinese_after_the_uploaded_file():
    assert error_workbook_name("C:\\导出\\8月工单.xlsx") == "工单导入错误行-8月工单"
    assert error_workbook_name("dms/ro.csv") == "工单导入错误行-ro"


def test_a_file_without_rejected_rows_offers_no_error_workbook(client, staff_user):
    client.force_login(staff_user)

    response = upload(client, xlsx([ro(1)]))

    assert "errors_token" not in response.context
    assert 'data-testid="errors-download"' not in response.content.decode()


@pytest.mark.parametrize(
    ("data", "name"),
    [(b"not,a,workbook\n", "工单.xlsx"), (factory.zip_bomb_xlsx(), "bomb.xlsx")],
)
def test_the_page_refuses_an_unreadable_file_with_its_message_and_stores_nothing(client, staff_user, data, name):
    client.force_login(staff_user)

    response = upload(client, data, name)

    assert response.status_code == 400
    assert name in response.context["form"].errors["file"][0]
    assert stored() == NOTHING


@pytest.mark.parametrize(("who", "shown"), [("staff", True), ("admin", True), ("agent", False), ("manager", False)])
def test_the_service_visit_list_links_to_the_import_for_those_who_may_use_it(client, cast, who, shown):
    client.force_login(cast[who])

    html = client.get("/customers/visits/").content.decode()

    assert ('data-testid="visit-import-link"' in html) is shown
    assert (f'href="{URL}"' in html) is shown


# --- Two imports at once (PostgreSQL) ------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_same_export_imported_twice_at_once_creates_each_visit_once(requires_postgres):
    data = xlsx([ro(n) for n in range(1, 201)])

    results = run_together(lambda: run(data), lambda: run(data))

    assert all(isinstance(result, VisitResult) for result in results), results
    assert sorted(counts(result) for result in results) == [(0, 0, 200, 0), (200, 0, 0, 0)]
    assert (ServiceVisit.objects.count(), Vehicle.objects.count(), Customer.objects.count()) == (200, 200, 200)
    assert Staff.objects.count() == 1
