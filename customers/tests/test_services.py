"""Tests for customers.services: every way a customer record changes keeps its data right and its history."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from customers.models import (
    Customer,
    CustomerMerge,
    PhoneCorrection,
    SalesArchive,
    ServiceVisit,
    Vehicle,
)
from customers.services import (
    ArchiveInput,
    DuplicatesFound,
    archive_submit,
    customer_create,
    customer_merge,
    customer_update,
    phone_correction_apply,
    phone_correction_propose,
    phone_correction_reject,
    vehicle_create,
    visit_create,
)
from customers.tests.factories import (
    SHANGHAI,
    CustomerFactory,
    SalesArchiveFactory,
    ServiceVisitFactory,
    StaffFactory,
    VehicleFactory,
)
from customers.validators import vin_with_check_digit

pytestmark = pytest.mark.django_db

VIN = vin_with_check_digit("LSVAU2180N2900001")
OTHER_VIN = vin_with_check_digit("LSVAU2180N2900002")
# The same VIN with its 9th character (the check digit) mistyped.
BAD_CHECK_DIGIT_VIN = VIN[:8] + ("1" if VIN[8] != "1" else "2") + VIN[9:]


@pytest.fixture(autouse=True)
def english_messages():
    """Assertions read the English msgids whatever LANGUAGE_CODE the project uses."""
    with translation.override("en"):
        yield


def reasons_of(error: DuplicatesFound) -> dict[int, list[str]]:
    return {candidate.pk: [str(reason) for reason in candidate.reasons] for candidate in error.candidates}


def archive_input(**overrides) -> ArchiveInput:
    values = {
        "customer_name": "王建国",
        "vin": VIN,
        "consultant": overrides.pop("consultant", None) or StaffFactory(),
        "delivery_date": date(2011, 3, 15),
        "invoice_number": "00123456",
        "invoice_date": date(2011, 3, 10),
        "invoice_amount": Decimal("129800.00"),
        "phone": "13812345678",
        "plate": "鲁N12345",
        "model_name": "朗逸",
    }
    values.update(overrides)
    return ArchiveInput(**values)


# --------------------------------------------------------------------------
# customer_create
# --------------------------------------------------------------------------


def test_creating_a_customer_stores_the_name_half_width_and_trimmed(staff_user):
    customer = customer_create(name="　王　 建国 ", mobile="13812345678", by=staff_user)

    customer.refresh_from_db()
    assert customer.name == "王 建国"
    assert customer.name_key == "王建国"


def test_creating_a_customer_records_who_did_it_in_the_history(staff_user):
    customer = customer_create(name="王建国", mobile="13812345678", by=staff_user)

    entry = customer.history.get()
    assert entry.history_type == "+"
    assert entry.history_user == staff_user
    assert entry.mobile == "13812345678"


def test_creating_a_customer_with_a_known_phone_is_refused_with_the_candidates(staff_user):
    existing = CustomerFactory(name="李娜", mobile="13812345678")

    with pytest.raises(DuplicatesFound) as excinfo:
        customer_create(name="王建国", mobile="13812345678", by=staff_user)

    assert reasons_of(excinfo.value) == {existing.pk: ["same phone"]}
    assert Customer.objects.count() == 1


def test_duplicate_candidates_with_the_same_name_and_phone_come_first(staff_user):
    other_person = CustomerFactory(name="李娜", mobile="13812345678")
    same_person = CustomerFactory(name="王 建国", mobile="13812345678")

    with pytest.raises(DuplicatesFound) as excinfo:
        customer_create(name="王建国", mobile="13812345678", by=staff_user)

    assert [candidate.pk for candidate in excinfo.value.candidates] == [same_person.pk, other_person.pk]
    assert reasons_of(excinfo.value) == {
        same_person.pk: ["same name and phone"],
        other_person.pk: ["same phone"],
    }


def test_a_new_phone_matching_an_existing_second_phone_is_a_duplicate(staff_user):
    existing = CustomerFactory(name="李娜", mobile="13900000001", phone2="13812345678")

    with pytest.raises(DuplicatesFound) as excinfo:
        customer_create(name="王建国", mobile="13812345678", by=staff_user)

    assert [candidate.pk for candidate in excinfo.value.candidates] == [existing.pk]


def test_a_new_second_phone_matching_an_existing_mobile_is_a_duplicate(staff_user):
    existing = CustomerFactory(name="李娜", mobile="13812345678")

    with pytest.raises(DuplicatesFound) as excinfo:
        customer_create(name="王建国", mobile="13900000001", phone2="13812345678", by=staff_user)

    assert [candidate.pk for candidate in excinfo.value.candidates] == [existing.pk]


def test_a_confirmed_duplicate_is_created(staff_user):
    CustomerFactory(name="李娜", mobile="13812345678")

    customer = customer_create(name="王建国", mobile="13812345678", confirm_duplicates=True, by=staff_user)

    assert Customer.objects.filter(mobile="13812345678").count() == 2
    assert customer.history.get().history_user == staff_user


def test_a_customer_without_a_phone_is_never_a_duplicate(staff_user):
    CustomerFactory(name="王建国", mobile="")

    customer = customer_create(name="王建国", by=staff_user)

    assert customer.pk is not None


def test_creating_a_do_not_call_customer_dates_the_wish_today(staff_user):
    customer = customer_create(name="王建国", mobile="13812345678", do_not_call=True, by=staff_user)

    assert customer.do_not_call_since == timezone.localdate()


def test_unknown_fields_are_a_programming_error(staff_user):
    with pytest.raises(TypeError):
        customer_create(name="王建国", mobile="13812345678", name_key="x", by=staff_user)


# --------------------------------------------------------------------------
# customer_update
# --------------------------------------------------------------------------


def test_updating_a_customer_keeps_the_old_value_in_the_history(staff_user, agent_user):
    customer = customer_create(name="王建国", mobile="13812345678", address="德州市德城区", by=staff_user)

    customer_update(customer=customer, address="德州市陵城区", by=agent_user)

    latest, previous = customer.history.all()[:2]
    changes = {change.field: (change.old, change.new) for change in latest.diff_against(previous).changes}
    assert changes["address"] == ("德州市德城区", "德州市陵城区")
    assert "mobile" not in changes
    assert latest.history_type == "~"
    assert latest.history_user == agent_user
    assert previous.history_user == staff_user


def test_updating_a_customer_normalises_the_name(staff_user):
    customer = CustomerFactory(name="王建国")

    customer_update(customer=customer, name="王　建国 ", by=staff_user)

    customer.refresh_from_db()
    assert (customer.name, customer.name_key) == ("王 建国", "王建国")


def test_updating_other_fields_of_a_customer_who_shares_a_phone_does_not_check_duplicates(staff_user):
    CustomerFactory(name="李娜", mobile="13812345678")
    customer = CustomerFactory(name="王建国", mobile="13812345678")

    customer_update(customer=customer, address="德州市德城区", by=staff_user)

    customer.refresh_from_db()
    assert customer.address == "德州市德城区"


def test_changing_a_phone_to_another_customers_number_is_refused(staff_user):
    other = CustomerFactory(name="李娜", mobile="13812345678")
    customer = CustomerFactory(name="王建国", mobile="13900000001")

    with pytest.raises(DuplicatesFound) as excinfo:
        customer_update(customer=customer, phone2="13812345678", by=staff_user)

    assert [candidate.pk for candidate in excinfo.value.candidates] == [other.pk]
    customer.refresh_from_db()
    assert customer.phone2 == ""


def test_a_customer_is_not_its_own_duplicate_when_its_phones_are_swapped(staff_user):
    customer = CustomerFactory(name="王建国", mobile="13812345678", phone2="13900000001")

    customer_update(customer=customer, mobile="13900000001", phone2="13812345678", by=staff_user)

    customer.refresh_from_db()
    assert (customer.mobile, customer.phone2) == ("13900000001", "13812345678")


def test_a_confirmed_phone_change_to_a_shared_number_is_saved(staff_user):
    CustomerFactory(name="李娜", mobile="13812345678")
    customer = CustomerFactory(name="王建国", mobile="13900000001")

    customer_update(customer=customer, mobile="13812345678", confirm_duplicates=True, by=staff_user)

    customer.refresh_from_db()
    assert customer.mobile == "13812345678"


def test_switching_do_not_call_on_dates_it_and_switching_it_off_clears_reason_and_date(staff_user):
    customer = CustomerFactory(name="王建国")

    customer_update(customer=customer, do_not_call=True, do_not_call_reason="客户要求不再来电", by=staff_user)
    customer.refresh_from_db()
    assert customer.do_not_call_since == timezone.localdate()
    assert customer.do_not_call_reason == "客户要求不再来电"

    customer_update(customer=customer, do_not_call=False, by=staff_user)
    customer.refresh_from_db()
    assert (customer.do_not_call, customer.do_not_call_reason, customer.do_not_call_since) == (False, "", None)


def test_switching_do_not_call_on_keeps_a_date_given_with_it(staff_user):
    customer = CustomerFactory(name="王建国")

    customer_update(customer=customer, do_not_call=True, do_not_call_since=date(2011, 1, 5), by=staff_user)

    customer.refresh_from_db()
    assert customer.do_not_call_since == date(2011, 1, 5)


# --------------------------------------------------------------------------
# customer_merge
# --------------------------------------------------------------------------


def record_counts(*customers: Customer) -> dict[str, int]:
    return {
        "vehicles": Vehicle.objects.filter(holder__in=customers).count(),
        "sales_archives": SalesArchive.objects.filter(customer__in=customers).count(),
        "visits": ServiceVisit.objects.filter(customer__in=customers).count(),
        "phone_corrections": PhoneCorrection.objects.filter(customer__in=customers).count(),
    }


@pytest.fixture
def two_records_of_one_person(staff_user):
    """The same buyer entered twice, each record with its own cars, archives, visits and fixes."""
    survivor = CustomerFactory(name="王建国", mobile="13812345678", address="")
    duplicate = CustomerFactory(
        name="王 建国",
        mobile="13900000001",
        address="德州市德城区新湖大街1号",
        birthday=date(1975, 5, 4),
        notes="老客户",
    )
    for customer in (survivor, duplicate):
        archive = SalesArchiveFactory(vehicle__holder=customer)
        ServiceVisitFactory(vehicle=archive.vehicle)
    VehicleFactory(holder=duplicate)
    ServiceVisitFactory(vehicle__holder=duplicate)
    phone_correction_propose(customer=duplicate, new_value="13900000002", reason="空号", by=staff_user)
    return survivor, duplicate


def test_merging_moves_every_record_of_the_duplicate_to_the_survivor(two_records_of_one_person, staff_user):
    survivor, duplicate = two_records_of_one_person
    before = record_counts(survivor, duplicate)
    assert before == {"vehicles": 4, "sales_archives": 2, "visits": 3, "phone_corrections": 1}

    customer_merge(survivor=survivor, duplicate=duplicate, by=staff_user)

    assert record_counts(survivor) == before
    assert not Customer.objects.filter(pk=duplicate.pk).exists()


def test_merging_keeps_a_record_of_the_duplicate_and_of_what_moved(two_records_of_one_person, staff_user):
    survivor, duplicate = two_records_of_one_person

    merge = customer_merge(survivor=survivor, duplicate=duplicate, by=staff_user)

    merge = CustomerMerge.objects.get(pk=merge.pk)
    assert merge.survivor == survivor
    assert merge.merged_customer_id == duplicate.pk
    assert merge.merged_by == staff_user
    assert merge.merged_snapshot["name"] == "王 建国"
    assert merge.merged_snapshot["mobile"] == "13900000001"
    assert merge.merged_snapshot["birthday"] == "1975-05-04"
    assert merge.moved["vehicles"] == 3
    assert merge.moved["sales_archives"] == 1
    assert merge.moved["visits"] == 2
    assert merge.moved["phone_corrections"] == 1


def test_merging_fills_the_survivors_empty_fields_from_the_duplicate(two_records_of_one_person, staff_user):
    survivor, duplicate = two_records_of_one_person

    merge = customer_merge(survivor=survivor, duplicate=duplicate, by=staff_user)

    survivor.refresh_from_db()
    assert survivor.address == "德州市德城区新湖大街1号"
    assert survivor.birthday == date(1975, 5, 4)
    assert survivor.notes == "老客户"
    assert set(merge.moved["filled"]) >= {"address", "birthday", "notes"}


def test_merging_does_not_overwrite_what_the_survivor_already_has(staff_user):
    survivor = CustomerFactory(name="王建国", mobile="13812345678", address="德州市陵城区")
    duplicate = CustomerFactory(name="王建国", mobile="13812345678", address="德州市德城区")

    customer_merge(survivor=survivor, duplicate=duplicate, by=staff_user)

    survivor.refresh_from_db()
    assert survivor.address == "德州市陵城区"
    assert survivor.phone2 == ""


def test_merging_keeps_the_duplicates_other_mobile_as_the_second_phone(two_records_of_one_person, staff_user):
    survivor, duplicate = two_records_of_one_person

    customer_merge(survivor=survivor, duplicate=duplicate, by=staff_user)

    survivor.refresh_from_db()
    assert (survivor.mobile, survivor.phone2) == ("13812345678", "13900000001")


def test_merging_into_a_survivor_without_a_phone_takes_both_phones(staff_user):
    survivor = CustomerFactory(name="王建国", mobile="")
    duplicate = CustomerFactory(name="王建国", mobile="13812345678", phone2="13900000001")

    customer_merge(survivor=survivor, duplicate=duplicate, by=staff_user)

    survivor.refresh_from_db()
    assert (survivor.mobile, survivor.phone2) == ("13812345678", "13900000001")


def test_merging_prefers_the_duplicates_mobile_over_its_second_phone(staff_user):
    survivor = CustomerFactory(name="王建国", mobile="13812345678")
    duplicate = CustomerFactory(name="王建国", mobile="13900000001", phone2="0534-2345678")

    customer_merge(survivor=survivor, duplicate=duplicate, by=staff_user)

    survivor.refresh_from_db()
    assert survivor.phone2 == "13900000001"


def test_a_do_not_call_wish_survives_the_merge(staff_user):
    survivor = CustomerFactory(name="王建国", mobile="13812345678")
    duplicate = CustomerFactory(
        name="王建国",
        mobile="13812345678",
        do_not_call=True,
        do_not_call_reason="投诉后要求不再回访",
        do_not_call_since=date(2011, 2, 1),
    )

    customer_merge(survivor=survivor, duplicate=duplicate, by=staff_user)

    survivor.refresh_from_db()
    assert survivor.do_not_call is True
    assert survivor.do_not_call_reason == "投诉后要求不再回访"
    assert survivor.do_not_call_since == date(2011, 2, 1)


def test_the_survivors_history_says_which_customer_was_merged_into_it(two_records_of_one_person, staff_user):
    survivor, duplicate = two_records_of_one_person

    customer_merge(survivor=survivor, duplicate=duplicate, by=staff_user)

    entry = survivor.history.first()
    assert entry.history_user == staff_user
    assert entry.history_change_reason == f"Merged customer #{duplicate.pk} (王 建国) into this one"


def test_the_duplicates_history_keeps_its_last_state_and_where_it_went(two_records_of_one_person, staff_user):
    survivor, duplicate = two_records_of_one_person

    customer_merge(survivor=survivor, duplicate=duplicate, by=staff_user)

    entry = Customer.history.filter(id=duplicate.pk).first()
    assert entry.history_type == "-"
    assert entry.history_user == staff_user
    assert entry.history_change_reason == f"Merged into customer #{survivor.pk}"
    assert entry.address == "德州市德城区新湖大街1号"


def test_merging_a_customer_that_had_absorbed_another_keeps_that_earlier_merge(staff_user):
    first = CustomerFactory(name="王建国", mobile="13812345678")
    second = CustomerFactory(name="王建国", mobile="13812345678")
    third = CustomerFactory(name="王建国", mobile="13812345678")
    earlier = customer_merge(survivor=second, duplicate=third, by=staff_user)

    customer_merge(survivor=first, duplicate=second, by=staff_user)

    assert CustomerMerge.objects.filter(pk=earlier.pk, survivor=first).exists()


def test_a_customer_cannot_be_merged_into_itself(staff_user):
    customer = CustomerFactory()

    with pytest.raises(ValidationError):
        customer_merge(survivor=customer, duplicate=customer, by=staff_user)

    assert Customer.objects.filter(pk=customer.pk).exists()
    assert not CustomerMerge.objects.exists()


# --------------------------------------------------------------------------
# vehicle_create
# --------------------------------------------------------------------------


def test_creating_a_vehicle_with_a_known_vin_is_refused_with_the_candidate(staff_user):
    existing = VehicleFactory(vin=VIN, plate="鲁N12345")

    with pytest.raises(DuplicatesFound) as excinfo:
        vehicle_create(vin=VIN, plate="鲁N54321", by=staff_user)

    assert reasons_of(excinfo.value) == {existing.pk: ["same VIN"]}


def test_creating_a_vehicle_with_a_known_plate_is_refused_with_the_candidate(staff_user):
    existing = VehicleFactory(vin=VIN, plate="鲁N12345")

    with pytest.raises(DuplicatesFound) as excinfo:
        vehicle_create(vin=OTHER_VIN, plate="鲁N12345", by=staff_user)

    assert reasons_of(excinfo.value) == {existing.pk: ["same plate"]}
    assert Vehicle.objects.count() == 1


def test_a_confirmed_vehicle_with_a_known_plate_is_created(staff_user):
    VehicleFactory(vin=VIN, plate="鲁N12345")

    vehicle = vehicle_create(vin=OTHER_VIN, plate="鲁N12345", confirm_duplicates=True, by=staff_user)

    assert vehicle.history.get().history_user == staff_user


def test_confirming_does_not_let_a_second_vehicle_have_the_same_vin(staff_user):
    VehicleFactory(vin=VIN)

    with pytest.raises(ValidationError) as excinfo:
        vehicle_create(vin=VIN, confirm_duplicates=True, by=staff_user)

    assert "vin" in excinfo.value.message_dict
    assert Vehicle.objects.count() == 1


# --------------------------------------------------------------------------
# archive_submit
# --------------------------------------------------------------------------


def test_submitting_an_archive_for_a_new_car_creates_the_buyer_the_car_and_the_archive(staff_user):
    consultant = StaffFactory()

    archive = archive_submit(data=archive_input(consultant=consultant), by=staff_user)

    archive = SalesArchive.objects.select_related("vehicle", "customer").get(pk=archive.pk)
    assert (archive.customer.name, archive.customer.mobile) == ("王建国", "13812345678")
    assert archive.customer.source == Customer.Source.SALES
    assert archive.vehicle.vin == VIN
    assert archive.vehicle.holder == archive.customer
    assert archive.vehicle.plate == "鲁N12345"
    assert archive.vehicle.delivery_date == date(2011, 3, 15)
    assert archive.consultant == consultant
    assert archive.invoice_name == "王建国"
    assert archive.archive_phone == "13812345678"
    assert archive.submitted_by == staff_user
    assert archive.history.get().history_user == staff_user
    assert archive.customer.history.get().history_user == staff_user


def test_submitting_the_same_vin_again_updates_the_one_archive_of_that_car(staff_user):
    first = archive_submit(data=archive_input(), by=staff_user)

    second = archive_submit(
        data=archive_input(invoice_number="00123457", invoice_amount=Decimal("131800.00")), by=staff_user
    )

    assert second.pk == first.pk
    assert SalesArchive.objects.count() == 1
    assert Vehicle.objects.count() == 1
    assert Customer.objects.count() == 1
    second.refresh_from_db()
    assert (second.invoice_number, second.invoice_amount) == ("00123457", Decimal("131800.00"))
    assert second.history.count() == 2


def test_an_archive_finds_the_existing_buyer_by_phone_and_name_whatever_the_spacing(staff_user):
    buyer = CustomerFactory(name="王建国", mobile="13812345678")

    archive = archive_submit(data=archive_input(customer_name="王　建国"), by=staff_user)

    assert archive.customer == buyer
    assert Customer.objects.count() == 1
    assert archive.invoice_name == "王 建国"


def test_an_archive_finds_the_existing_buyer_by_the_second_phone(staff_user):
    buyer = CustomerFactory(name="王建国", mobile="13900000001", phone2="13812345678")

    archive = archive_submit(data=archive_input(), by=staff_user)

    assert archive.customer == buyer


def test_an_archive_with_a_known_phone_but_another_name_gets_a_new_buyer(staff_user):
    someone_else = CustomerFactory(name="李娜", mobile="13812345678")

    archive = archive_submit(data=archive_input(), by=staff_user)

    assert archive.customer != someone_else
    assert archive.customer.name == "王建国"


def test_an_archive_for_a_known_car_goes_to_the_cars_holder(staff_user):
    holder = CustomerFactory(name="德州市某某商贸有限公司", mobile="0534-2345678", kind=Customer.Kind.COMPANY)
    vehicle = VehicleFactory(vin=VIN, holder=holder, plate="鲁N88888")

    archive = archive_submit(data=archive_input(plate=""), by=staff_user)

    assert archive.vehicle == vehicle
    assert archive.customer == holder
    assert Customer.objects.count() == 1
    vehicle.refresh_from_db()
    assert vehicle.plate == "鲁N88888"
    assert archive.invoice_name == "王建国"


def test_an_archive_for_a_given_customer_goes_to_that_customer(staff_user):
    chosen = CustomerFactory(name="王建国", mobile="13900000001")

    archive = archive_submit(data=archive_input(customer=chosen), by=staff_user)

    assert archive.customer == chosen
    assert archive.vehicle.holder == chosen


# --------------------------------------------------------------------------
# visit_create
# --------------------------------------------------------------------------


def test_a_visit_belongs_to_the_cars_holder_when_no_customer_is_given(staff_user):
    vehicle = VehicleFactory()

    visit = visit_create(
        ro_number="RO201106001", vehicle=vehicle, opened_at=datetime(2011, 6, 1, 9, tzinfo=SHANGHAI), by=staff_user
    )

    assert visit.customer == vehicle.holder
    assert visit.history.get().history_user == staff_user


def test_a_visit_keeps_the_customer_given_for_it(staff_user):
    vehicle = VehicleFactory()
    driver = CustomerFactory()

    visit = visit_create(
        ro_number="RO201106001",
        vehicle=vehicle,
        customer=driver,
        opened_at=datetime(2011, 6, 1, 9, tzinfo=SHANGHAI),
        by=staff_user,
    )

    assert visit.customer == driver


def test_a_visit_cannot_close_before_it_opened(staff_user):
    vehicle = VehicleFactory()
    opened = datetime(2011, 6, 1, 9, tzinfo=SHANGHAI)

    with pytest.raises(ValidationError):
        visit_create(
            ro_number="RO201106001",
            vehicle=vehicle,
            opened_at=opened,
            closed_at=opened - timedelta(hours=1),
            by=staff_user,
        )

    assert not ServiceVisit.objects.exists()


# --------------------------------------------------------------------------
# phone corrections
# --------------------------------------------------------------------------


def test_applying_a_proposed_correction_changes_the_phone_and_says_why_in_the_history(agent_user, staff_user):
    customer = CustomerFactory(mobile="13812345678")
    correction = phone_correction_propose(customer=customer, new_value="13900000001", reason="空号", by=agent_user)
    assert (correction.status, correction.old_value, correction.proposed_by) == ("pending", "13812345678", agent_user)

    correction = phone_correction_apply(correction=correction, by=staff_user)

    customer.refresh_from_db()
    assert customer.mobile == "13900000001"
    entry = customer.history.first()
    assert entry.history_user == staff_user
    assert entry.history_change_reason == f"Phone correction #{correction.pk} applied"
    assert correction.status == PhoneCorrection.Status.APPLIED
    assert correction.decided_by == staff_user
    assert correction.decided_at is not None


def test_a_correction_can_fix_the_second_phone(agent_user, staff_user):
    customer = CustomerFactory(mobile="13812345678", phone2="")
    correction = phone_correction_propose(
        customer=customer, field=PhoneCorrection.Field.PHONE2, new_value="0534-2345678", by=agent_user
    )

    phone_correction_apply(correction=correction, by=staff_user)

    customer.refresh_from_db()
    assert (customer.mobile, customer.phone2) == ("13812345678", "0534-2345678")


def test_a_correction_cannot_be_applied_twice(agent_user, staff_user):
    customer = CustomerFactory(mobile="13812345678")
    correction = phone_correction_propose(customer=customer, new_value="13900000001", by=agent_user)
    phone_correction_apply(correction=correction, by=staff_user)
    history_before = customer.history.count()

    with pytest.raises(ValidationError):
        phone_correction_apply(correction=correction, by=staff_user)

    assert customer.history.count() == history_before


def test_a_rejected_correction_leaves_the_phone_alone_and_cannot_be_applied(agent_user, staff_user):
    customer = CustomerFactory(mobile="13812345678")
    correction = phone_correction_propose(customer=customer, new_value="13900000001", by=agent_user)

    correction = phone_correction_reject(correction=correction, by=staff_user)

    assert (correction.status, correction.decided_by) == (PhoneCorrection.Status.REJECTED, staff_user)
    customer.refresh_from_db()
    assert customer.mobile == "13812345678"
    with pytest.raises(ValidationError):
        phone_correction_apply(correction=correction, by=staff_user)
    with pytest.raises(ValidationError):
        phone_correction_reject(correction=correction, by=staff_user)


def test_a_correction_whose_old_number_has_since_changed_is_refused(agent_user, staff_user):
    customer = CustomerFactory(mobile="13812345678")
    first = phone_correction_propose(customer=customer, new_value="13900000001", by=agent_user)
    second = phone_correction_propose(customer=customer, new_value="13900000002", by=agent_user)
    phone_correction_apply(correction=first, by=staff_user)

    with pytest.raises(ValidationError):
        phone_correction_apply(correction=second, by=staff_user)

    customer.refresh_from_db()
    assert customer.mobile == "13900000001"


def test_proposing_the_number_the_customer_already_has_is_refused(agent_user):
    customer = CustomerFactory(mobile="13812345678")

    with pytest.raises(ValidationError) as excinfo:
        phone_correction_propose(customer=customer, new_value="13812345678", by=agent_user)

    assert "new_value" in excinfo.value.message_dict
    assert not PhoneCorrection.objects.exists()


def test_proposing_an_invalid_number_is_refused(agent_user):
    customer = CustomerFactory(mobile="13812345678")

    with pytest.raises(ValidationError):
        phone_correction_propose(customer=customer, new_value="1381234", by=agent_user)

    assert not PhoneCorrection.objects.exists()


# --------------------------------------------------------------------------
# Bad data never reaches the tables
# --------------------------------------------------------------------------


def test_a_bad_phone_is_refused_and_nothing_is_stored(staff_user):
    with pytest.raises(ValidationError) as excinfo:
        customer_create(name="王建国", mobile="1381234567", by=staff_user)

    assert "mobile" in excinfo.value.message_dict
    assert not Customer.objects.exists()
    assert not Customer.history.exists()


def test_a_bad_phone_in_an_update_is_refused_and_the_old_one_stays(staff_user):
    customer = CustomerFactory(mobile="13812345678")

    with pytest.raises(ValidationError):
        customer_update(customer=customer, phone2="12345", by=staff_user)

    customer.refresh_from_db()
    assert customer.phone2 == ""
    assert customer.history.count() == 1


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("vin", BAD_CHECK_DIGIT_VIN),
        ("vin", VIN[:16]),
        ("plate", "鲁N1234"),
        ("plate", "XN12345"),
        ("user_phone", "0534-012345"),
    ],
)
def test_a_bad_vehicle_value_is_refused_and_nothing_is_stored(staff_user, field, value):
    fields = {"vin": VIN, "plate": "鲁N12345", field: value}

    with pytest.raises(ValidationError) as excinfo:
        vehicle_create(**fields, by=staff_user)

    assert field in excinfo.value.message_dict
    assert not Vehicle.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"invoice_number": "A1234567"}, "invoice_number"),
        ({"invoice_number": "000000000"}, "invoice_number"),
        ({"vin": BAD_CHECK_DIGIT_VIN}, "vin"),
        ({"plate": "鲁N1234"}, "plate"),
        ({"phone": "1381234567"}, "mobile"),
    ],
)
def test_a_bad_archive_value_is_refused_and_no_buyer_car_or_archive_is_stored(staff_user, overrides, field):
    with pytest.raises(ValidationError) as excinfo:
        archive_submit(data=archive_input(**overrides), by=staff_user)

    assert field in excinfo.value.message_dict
    assert not Customer.objects.exists()
    assert not Vehicle.objects.exists()
    assert not SalesArchive.objects.exists()


@pytest.mark.parametrize(
    ("save", "field", "raw", "canonical"),
    [
        (lambda raw: customer_create(name="王建国", mobile=raw), "mobile", "138-1234-5678", "13812345678"),
        (lambda raw: vehicle_create(vin=raw), "vin", VIN.lower(), VIN),
        (lambda raw: vehicle_create(vin=VIN, plate=raw), "plate", "鲁n 12345", "鲁N12345"),
        (lambda raw: archive_submit(data=archive_input(invoice_number=raw)), "invoice_number", "654321", "00654321"),
    ],
    ids=["phone", "vin", "plate", "invoice_number"],
)
def test_a_value_not_in_canonical_form_is_refused_or_stored_canonical(save, field, raw, canonical):
    try:
        saved = save(raw)
    except ValidationError:
        return
    saved.refresh_from_db()
    assert getattr(saved, field) == canonical


def test_a_vin_in_lower_case_cannot_make_a_second_vehicle_with_that_vin(staff_user):
    VehicleFactory(vin=VIN)

    with pytest.raises(ValidationError):
        vehicle_create(vin=VIN.lower(), confirm_duplicates=True, by=staff_user)

    assert Vehicle.objects.count() == 1
