"""The dealership's records are dated 1990–2100: forms, the API and the imports refuse other years alike.

A deal, delivery, invoice, service visit or OMD entry dated 0982-10-29 is a typo, and stored it would
come back from the API as a date-time with Shanghai's local-mean-time offset (+08:05:43), which is
not valid RFC 3339. A customer's birthday is the one date allowed earlier (from 1900).
"""

from __future__ import annotations

import io
import re
from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from rest_framework import serializers
from rest_framework.test import APIClient

from customers.api.fields import RecordDateTimeField
from customers.forms import ArchiveEntryForm, CustomerForm, VisitForm
from customers.ledger import ledger_import
from customers.models import OmdImport, OmdStagedRow, SalesArchive, ServiceVisit
from customers.omd.service import omd_import_create, omd_import_validate
from customers.tests import omd_files
from customers.tests.factories import ServiceVisitFactory, StaffFactory, VehicleFactory
from customers.validators import parse_date, parse_record_date, parse_record_datetime, validate_record_date
from dealership_cs.models import Staff
from dealership_cs.tests import spreadsheet_factory

pytestmark = pytest.mark.django_db

MESSAGE = "“{}” is not a plausible date: the year must be between 1990 and 2100."
# RFC 3339 section 5.6: full-date "T" full-time, the offset in whole hours and minutes.
RFC3339 = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})")


@pytest.fixture(autouse=True)
def english_messages():
    """Assertions read the English msgids whatever LANGUAGE_CODE the project uses."""
    with translation.override("en"):
        yield


def refusal(parse, value) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        parse(value)
    return caught.value


# --- The one set of validators ------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw", ["0982-10-29", "1989-12-31", "2101-01-01", date(1985, 8, 24), 19891231, "1989年12月31日"]
)
def test_a_record_date_outside_1990_to_2100_is_refused_naming_the_value(raw):
    error = refusal(parse_record_date, raw)

    assert error.code == "date_year_range"
    assert error.messages == [MESSAGE.format(raw)]


@pytest.mark.parametrize(("raw", "expected"), [("1990-01-01", date(1990, 1, 1)), ("2100-12-31", date(2100, 12, 31))])
def test_the_first_and_last_day_of_the_range_are_record_dates(raw, expected):
    assert parse_record_date(raw) == expected
    assert parse_record_datetime(raw) == datetime.combine(expected, datetime.min.time())


def test_a_record_date_time_outside_the_range_is_refused():
    error = refusal(parse_record_datetime, "0982-10-29 09:30")

    assert error.messages == [MESSAGE.format("0982-10-29 09:30")]


def test_an_aware_moment_is_judged_in_china_time():
    # 1990-01-01 00:30 in Tokyo is 1989-12-31 23:30 in China.
    tokyo = timezone(timedelta(hours=9))
    with pytest.raises(ValidationError):
        validate_record_date(datetime(1990, 1, 1, 0, 30, tzinfo=tokyo))
    validate_record_date(datetime(1990, 1, 1, 0, 30, tzinfo=UTC))


def test_an_aware_moment_in_year_one_is_refused_not_overflowed():
    error = refusal(validate_record_date, datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=8))))

    assert error.code == "date_year_range"


def test_a_birthday_before_1990_is_still_a_date():
    assert parse_date("1965-03-02") == date(1965, 3, 2)


# --- Forms ------------------------------------------------------------------------------------


def test_the_visit_form_refuses_an_opening_in_982():
    vehicle = VehicleFactory()
    advisor = StaffFactory(department=Staff.Department.SERVICE, position=Staff.Position.SERVICE_ADVISOR)
    data = {
        "ro_number": "RO20110001",
        "vin": vehicle.vin,
        "advisor": advisor.pk,
        "kind": ServiceVisit.Kind.REPAIR,
        "opened_at": "0982-10-29T09:30",
        "closed_at": "2101-01-01T10:00",
        "mileage": "7500",
    }

    form = VisitForm(data=data)

    assert not form.is_valid()
    assert form.errors["opened_at"] == [MESSAGE.format("0982-10-29T09:30")]
    assert form.errors["closed_at"] == [MESSAGE.format("2101-01-01T10:00")]


def test_the_visit_form_takes_a_moment_inside_the_range():
    vehicle = VehicleFactory()
    data = {"ro_number": "RO1", "vin": vehicle.vin, "kind": ServiceVisit.Kind.REPAIR, "opened_at": "2011-08-24T09:30"}

    form = VisitForm(data=data)

    assert form.is_valid(), form.errors
    assert form.cleaned_data["opened_at"].year == 2011


def test_the_archive_form_refuses_deal_delivery_and_invoice_dates_outside_the_range():
    consultant = StaffFactory()
    data = {
        "customer_name": "王芳",
        "vin": VehicleFactory.build().vin,
        "consultant": consultant.pk,
        "deal_date": "0982-10-29",
        "delivery_date": "1989-12-31",
        "invoice_number": "12345678",
        "invoice_date": "2911-08-20",
        "invoice_amount": "129800",
    }

    form = ArchiveEntryForm(data=data)

    assert not form.is_valid()
    assert {name: form.errors[name] for name in ("deal_date", "delivery_date", "invoice_date")} == {
        "deal_date": [MESSAGE.format("0982-10-29")],
        "delivery_date": [MESSAGE.format("1989-12-31")],
        "invoice_date": [MESSAGE.format("2911-08-20")],
    }


def test_the_customer_form_takes_a_1965_birthday_but_not_a_do_not_call_date_in_982():
    data = {"name": "王芳", "kind": "individual", "gender": "F", "source": "sales", "birthday": "1965-03-02"}
    form = CustomerForm(data={**data, "do_not_call_since": "0982-10-29"})

    assert not form.is_valid()
    assert list(form.errors) == ["do_not_call_since"]
    assert form.errors["do_not_call_since"] == [MESSAGE.format("0982-10-29")]
    form = CustomerForm(data={**data, "do_not_call_since": "2011-05-01"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["birthday"] == date(1965, 3, 2)


# --- API ---------------------------------------------------------------------------------------


@pytest.fixture
def api(staff_user, settings):
    client = APIClient()
    client.force_authenticate(staff_user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def test_putting_a_visit_opened_in_982_answers_400_with_the_message(api):
    visit = ServiceVisitFactory()
    body = {
        "ro_number": visit.ro_number,
        "vehicle": visit.vehicle_id,
        "kind": visit.kind,
        "opened_at": "0982-10-29",
        "closed_at": None,
        "mileage": 7500,
    }

    response = api.put(f"/api/visits/{visit.pk}/", body, format="json")

    assert response.status_code == 400
    assert response.json() == {"opened_at": [MESSAGE.format("0982-10-29")]}
    visit.refresh_from_db()
    assert visit.opened_at.year == 2011


def test_a_visit_closed_after_2100_answers_400(api):
    visit = ServiceVisitFactory()

    response = api.patch(f"/api/visits/{visit.pk}/", {"closed_at": "2101-01-01T10:00:00+08:00"}, format="json")

    assert response.status_code == 400
    assert response.json() == {"closed_at": [MESSAGE.format("2101-01-01T10:00:00+08:00")]}


def test_a_visit_inside_the_range_is_answered_in_rfc_3339(api):
    visit = ServiceVisitFactory()

    response = api.patch(f"/api/visits/{visit.pk}/", {"opened_at": "1990-01-01T08:00:00+08:00"}, format="json")

    assert response.status_code == 200, response.content
    assert RFC3339.fullmatch(response.json()["opened_at"]), response.json()["opened_at"]


def test_an_archive_delivered_in_982_answers_400(api):
    consultant = StaffFactory()
    body = {
        "customer_name": "王芳",
        "vin": VehicleFactory.build().vin,
        "consultant": consultant.pk,
        "delivery_date": "0982-10-29",
        "invoice_number": "12345678",
        "invoice_date": "2011-08-20",
        "invoice_amount": "129800",
    }

    response = api.post("/api/archives/", body, format="json")

    assert response.status_code == 400
    assert response.json() == {"delivery_date": [MESSAGE.format("0982-10-29")]}
    assert not SalesArchive.objects.exists()


def test_the_api_date_time_field_judges_the_moment_written_with_an_offset():
    field = RecordDateTimeField()

    with pytest.raises(serializers.ValidationError) as caught:
        field.run_validation("1989-12-31T23:00:00+08:00")
    assert caught.value.detail == [MESSAGE.format("1989-12-31T23:00:00+08:00")]
    # The same moment written in UTC is 1990 in China.
    assert field.run_validation("1989-12-31T16:00:00Z") == datetime(1990, 1, 1, tzinfo=timezone(timedelta(hours=8)))


# --- Imports -----------------------------------------------------------------------------------


def test_a_ledger_row_delivered_in_982_is_refused_with_the_message(staff_user):
    headers = ["客户名称", "车架号", "销售顾问", "交车日期", "发票号码", "开票日期", "发票金额"]
    good = ["客户1", omd_files.vin(1), "王强", date(2011, 3, 15), "00000001", date(2011, 3, 10), 189800.0]
    bad = ["客户2", omd_files.vin(2), "王强", "0982-10-29", "00000002", date(2011, 3, 10), 189800.0]
    data = spreadsheet_factory.make_xlsx([headers, good, bad])

    result = ledger_import(source=io.BytesIO(data), file_name="ledger.xlsx", by=staff_user)

    assert (result.created, result.rejected) == (1, 1)
    [error] = result.errors
    assert (error.row, error.column, error.value) == (3, "交车日期", "0982-10-29")
    assert error.reason == MESSAGE.format("0982-10-29")


@pytest.mark.parametrize(
    ("column", "cell", "header"),
    [("invoice_date", "0982-10-29", "开票日期"), ("entered_at", datetime(1989, 12, 31, 9, 30), "上报日期")],
)
def test_an_omd_row_dated_outside_the_range_is_refused_with_the_message(settings, tmp_path, column, cell, header):
    settings.MEDIA_ROOT = tmp_path / "media"
    data, rows = omd_files.omd_xlsx([omd_files.invoice(1), omd_files.invoice(2, **{column: cell})])

    omd_import = omd_import_create(source=io.BytesIO(data), file_name="omd.xlsx", by=None)
    omd_import = omd_import_validate(import_id=omd_import.pk)

    assert omd_import.status == OmdImport.Status.PREVIEWED, omd_import.message
    assert (omd_import.created, omd_import.rejected) == (1, 1)
    rejected = omd_import.staged_rows.get(action=OmdStagedRow.Action.REJECTED)
    assert rejected.row_number == rows[1]
    [error] = rejected.errors
    assert error["column"] == header
    assert error["reason"] == MESSAGE.format(cell)
