"""Tests for customers.selectors: the search box, shared phones and a customer's timeline."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from django.utils import translation

from customers.models import Customer, PhoneCorrection
from customers.selectors import customer_search, customer_timeline, shared_phones
from customers.services import customer_merge, phone_correction_propose
from customers.tests.factories import (
    SHANGHAI,
    CustomerFactory,
    SalesArchiveFactory,
    ServiceVisitFactory,
    VehicleFactory,
)
from customers.validators import vin_with_check_digit

pytestmark = pytest.mark.django_db

# Serial part chosen so that the last 6 are digits and the last 8 start with letters, as on real cars.
VIN = vin_with_check_digit("LSVAU2180NA123456")


@pytest.fixture(autouse=True)
def english_messages():
    """Assertions read the English msgids whatever LANGUAGE_CODE the project uses."""
    with translation.override("en"):
        yield


def found(query: str) -> list[Customer]:
    return customer_search(query).customers


@pytest.fixture
def buyer():
    """A buyer with a car, its archive, and a decoy customer who matches nothing."""
    customer = CustomerFactory(name="王建国", mobile="13812345678", phone2="0534-2345678")
    vehicle = VehicleFactory(vin=VIN, plate="鲁N12345", holder=customer, user_phone="13700001111")
    SalesArchiveFactory(vehicle=vehicle, invoice_number="00654321")
    CustomerFactory(name="李娜", mobile="13900000001")
    return customer


# --------------------------------------------------------------------------
# customer_search
# --------------------------------------------------------------------------


@pytest.mark.parametrize("query", ["13812345678", " 138-1234-5678 ", "138 1234 5678"])
def test_searching_a_full_mobile_finds_its_customer(buyer, query):
    result = customer_search(query)

    assert result.customers == [buyer]
    assert result.matched_by == "phone"
    assert result.query == query.strip()


def test_searching_the_last_four_digits_finds_every_mobile_ending_so(buyer):
    namesake_tail = CustomerFactory(name="赵敏", mobile="13955555678")

    result = customer_search("5678")

    assert set(result.customers) == {buyer, namesake_tail}
    assert result.matched_by == "last 4 digits of phone"


@pytest.mark.parametrize("query", ["0534-2345678", "0534 2345678", "05342345678"])
def test_searching_a_landline_finds_the_customer_who_gave_it(buyer, query):
    result = customer_search(query)

    assert result.customers == [buyer]
    assert result.matched_by == "phone"


@pytest.mark.parametrize("query", ["+86 138 1234 5678", "(0534)2345678", "０５３４－２３４５６７８", "５６７８"])
def test_searching_a_phone_as_people_type_it_finds_its_customer(buyer, query):
    assert found(query) == [buyer]


def test_searching_a_cars_contact_phone_finds_its_holder(buyer):
    result = customer_search("13700001111")

    assert result.customers == [buyer]
    assert result.matched_by == "contact phone"


@pytest.mark.parametrize("query", [VIN, VIN.lower(), f" {VIN[:8]} {VIN[8:]} "])
def test_searching_a_full_vin_finds_the_cars_holder(buyer, query):
    result = customer_search(query)

    assert result.customers == [buyer]
    assert result.matched_by == "VIN"


@pytest.mark.parametrize("tail", [VIN[-6:], VIN[-8:], VIN[-8:].lower()])
def test_searching_the_last_six_or_eight_characters_of_a_vin_finds_the_cars_holder(buyer, tail):
    result = customer_search(tail)

    assert result.customers == [buyer]
    assert result.matched_by == "last digits of VIN"


def test_searching_eight_digits_finds_both_a_vin_ending_and_an_invoice_number(buyer):
    other = CustomerFactory(name="赵敏", mobile="13955555678")
    VehicleFactory(vin=vin_with_check_digit("LSVAU2180" + "00654321"), holder=other)

    result = customer_search("00654321")

    assert set(result.customers) == {buyer, other}
    assert result.matched_by == "last digits of VIN, invoice number"


@pytest.mark.parametrize("query", ["鲁N12345", "鲁n 12345", "鲁N·12345", "鲁Ｎ－１２３４５"])
def test_searching_a_plate_however_typed_finds_the_cars_holder(buyer, query):
    result = customer_search(query)

    assert result.customers == [buyer]
    assert result.matched_by == "plate"


@pytest.mark.parametrize("query", ["王", "王建", "王建国", "王 建国", "王　建国", " 王　建 "])
def test_searching_the_start_of_a_name_ignores_spaces_and_width(buyer, query):
    CustomerFactory(name="建国王")

    result = customer_search(query)

    assert result.customers == [buyer]
    assert result.matched_by == "name"


def test_a_name_search_lists_the_newest_customer_first(buyer):
    newer = CustomerFactory(name="王 建国")

    assert found("王建国") == [newer, buyer]


def test_searching_an_eight_digit_invoice_number_finds_the_buyer(buyer):
    result = customer_search("00654321")

    assert result.customers == [buyer]
    assert result.matched_by == "invoice number"


def test_searching_a_twenty_digit_electronic_invoice_number_finds_the_buyer():
    customer = CustomerFactory()
    SalesArchiveFactory(vehicle__holder=customer, invoice_number="24372000000012345678")

    result = customer_search("24372000000012345678")

    assert result.customers == [customer]
    assert result.matched_by == "invoice number"


@pytest.mark.parametrize("query", ["654321", "0654321"])
def test_searching_an_invoice_number_without_its_leading_zeros_finds_the_buyer(buyer, query):
    assert found(query) == [buyer]


@pytest.mark.parametrize("query", ["", "   ", " - ", None])
def test_an_empty_search_finds_nothing(buyer, query):
    result = customer_search(query)

    assert (result.customers, result.matched_by) == ([], "")


@pytest.mark.parametrize("query", ["13800000000", "9999", "赵", "鲁N99999", vin_with_check_digit("LSVAU2180NA999999")])
def test_a_search_that_matches_nothing_says_so(buyer, query):
    result = customer_search(query)

    assert (result.customers, result.matched_by) == ([], "")


def test_the_search_stops_at_its_limit():
    for _ in range(5):
        CustomerFactory(name="王建国")

    assert len(customer_search("王建国", limit=3).customers) == 3


# --------------------------------------------------------------------------
# shared_phones
# --------------------------------------------------------------------------


def test_a_mobile_shared_by_three_customers_is_listed_and_one_shared_by_two_is_not():
    for name in ("王建国", "李娜", "赵敏"):
        CustomerFactory(name=name, mobile="13812345678")
    for name in ("张伟", "刘洋"):
        CustomerFactory(name=name, mobile="13900000001")
    CustomerFactory(name="孙丽", mobile="")
    CustomerFactory(name="周杰", mobile="")
    CustomerFactory(name="吴磊", mobile="")

    assert shared_phones() == [{"mobile": "13812345678", "customers": 3}]


def test_shared_phones_are_listed_most_shared_first():
    for index in range(3):
        CustomerFactory(name=f"甲{index}", mobile="13900000001")
    for index in range(4):
        CustomerFactory(name=f"乙{index}", mobile="13812345678")

    assert [row["mobile"] for row in shared_phones()] == ["13812345678", "13900000001"]


# --------------------------------------------------------------------------
# customer_timeline
# --------------------------------------------------------------------------


def test_the_timeline_lists_everything_about_a_customer_newest_first(staff_user, agent_user):
    customer = CustomerFactory(name="王建国", mobile="13812345678")
    vehicle = VehicleFactory(holder=customer, delivery_date=date(2011, 3, 15))
    archive = SalesArchiveFactory(vehicle=vehicle, delivery_date=date(2011, 3, 16))
    visit = ServiceVisitFactory(vehicle=vehicle, opened_at=datetime(2011, 6, 1, 9, tzinfo=SHANGHAI))
    correction = phone_correction_propose(customer=customer, new_value="13900000001", by=agent_user)
    PhoneCorrection.objects.filter(pk=correction.pk).update(proposed_at=datetime(2011, 7, 1, 10, tzinfo=SHANGHAI))
    duplicate = CustomerFactory(name="王建国", mobile="13812345678")
    merge = customer_merge(survivor=customer, duplicate=duplicate, by=staff_user)
    CustomerFactory(name="李娜")

    events = customer_timeline(customer)

    assert [(event["kind"], event["object"]) for event in events] == [
        ("merge", merge),
        ("phone_correction", correction),
        ("visit", visit),
        ("archive", archive),
        ("vehicle", vehicle),
    ]
    assert all(event["at"].tzinfo is not None for event in events)
    assert [str(event["label"]) for event in events][-1] == "Vehicle delivered"


def test_the_timeline_includes_records_that_came_from_a_merged_duplicate(staff_user):
    customer = CustomerFactory(name="王建国")
    duplicate = CustomerFactory(name="王 建国")
    archive = SalesArchiveFactory(vehicle__holder=duplicate)

    customer_merge(survivor=customer, duplicate=duplicate, by=staff_user)

    kinds = {event["kind"]: event["object"] for event in customer_timeline(customer)}
    assert kinds["archive"] == archive
    assert kinds["vehicle"] == archive.vehicle
    assert "merge" in kinds


def test_a_car_without_a_delivery_date_is_placed_at_when_it_was_entered():
    customer = CustomerFactory()
    vehicle = VehicleFactory(holder=customer, delivery_date=None)
    ServiceVisitFactory(vehicle=vehicle, opened_at=datetime(2011, 6, 1, 9, tzinfo=SHANGHAI))

    events = customer_timeline(customer)

    assert [event["kind"] for event in events] == ["vehicle", "visit"]
    assert events[0]["at"] == vehicle.created_at


def test_a_customer_with_no_records_has_an_empty_timeline():
    assert customer_timeline(CustomerFactory()) == []


def test_dense_name_matches_still_return_the_newest_customers(db, monkeypatch):
    from customers import selectors

    monkeypatch.setattr(selectors, "_UNORDERED_MATCHES", 3)
    created = [CustomerFactory(name=f"袁{n}号") for n in range(6)]
    result = selectors.customer_search("袁", limit=2)
    assert [c.pk for c in result.customers] == [created[5].pk, created[4].pk]
