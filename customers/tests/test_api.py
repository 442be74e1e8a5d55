"""The customers REST API: lists with the pages' filters, writes through the services, who is refused."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from rest_framework.test import APIClient

from customers.models import Customer, CustomerMerge, PhoneCorrection, SalesArchive, ServiceVisit, Vehicle
from customers.tests.factories import (
    CustomerFactory,
    SalesArchiveFactory,
    ServiceVisitFactory,
    StaffFactory,
    VehicleFactory,
)
from customers.validators import (
    normalize_phone,
    normalize_plate,
    normalize_vin,
    parse_amount,
    parse_date,
    vin_with_check_digit,
)
from dealership_cs.models import Staff

SHANGHAI = ZoneInfo("Asia/Shanghai")
ENDPOINTS = ["/api/customers/", "/api/vehicles/", "/api/archives/", "/api/visits/", "/api/phone-corrections/"]
VIN = vin_with_check_digit("LSVAU2180N2183294")
OTHER_VIN = vin_with_check_digit("LSVAU2180N2183295")


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def consultant(db):
    return StaffFactory(name="刘洋")


@pytest.fixture
def advisor(db):
    return StaffFactory(name="周强", department=Staff.Department.SERVICE, position=Staff.Position.SERVICE_ADVISOR)


def as_user(api: APIClient, user) -> APIClient:
    # A fresh user object, as each real request loads one: no role or permission cache carried over.
    api.force_authenticate(get_user_model().objects.get(pk=user.pk))
    return api


def seed(count: int, *, consultant: Staff, advisor: Staff, proposer) -> None:
    """``count`` customers, each with a car, its archive (delivered 2011-08), a visit and a phone correction."""
    for _ in range(count):
        vehicle = VehicleFactory()
        SalesArchiveFactory(vehicle=vehicle, consultant=consultant, delivery_date=date(2011, 8, 20))
        ServiceVisitFactory(vehicle=vehicle, advisor=advisor)
        PhoneCorrection.objects.create(customer=vehicle.holder, new_value="13700000000", proposed_by=proposer)


def refusal(validator: Callable, value: str, language: str) -> str:
    """The validator's own message for the value, in the language the API answered in."""
    with translation.override(language), pytest.raises(DjangoValidationError) as caught:
        validator(value)
    return caught.value.messages[0]


def archive_body(consultant: Staff, **changes) -> dict:
    body = {
        "customer_name": "王 芳",
        "phone": "138-1234-5678",
        "vin": VIN.lower(),
        "plate": "鲁N·12345",
        "model": "朗逸",
        "consultant": consultant.pk,
        "deal_date": "2011/8/10",
        "delivery_date": "2011年8月24日",
        "invoice_number": "1234567",
        "invoice_date": "2011-08-20",
        "invoice_amount": "¥129,800.00",
    }
    return {**body, **changes}


def submit(api: APIClient, consultant: Staff, **changes):
    return api.post("/api/archives/", archive_body(consultant, **changes), format="json")


def nothing_stored() -> bool:
    return not (Customer.objects.exists() or Vehicle.objects.exists() or SalesArchive.objects.exists())


# --- Lists: every role, constant queries, the pages' filters -------------------------------------


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize("who", ["staff", "agent", "manager", "admin"])
def test_every_role_lists_every_endpoint_with_a_constant_number_of_queries(
    api, cast, who, endpoint, consultant, advisor, django_assert_max_num_queries
):
    seed(3, consultant=consultant, advisor=advisor, proposer=cast["agent"])
    with CaptureQueriesContext(connection) as few:
        response = as_user(api, cast[who]).get(endpoint)
    assert response.status_code == 200, response.content
    assert response.json()["count"] == 3

    seed(30, consultant=consultant, advisor=advisor, proposer=cast["agent"])
    with django_assert_max_num_queries(len(few)):
        response = as_user(api, cast[who]).get(endpoint)
    body = response.json()
    assert body["count"] == 33 and len(body["results"]) == 33
    assert len(few) <= 7


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_a_user_without_a_role_reads_nothing(api, norole_user, endpoint):
    CustomerFactory()
    response = as_user(api, norole_user).get(endpoint)
    assert response.status_code == 403


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_anonymous_calls_are_refused(api, db, endpoint):
    assert api.get(endpoint).status_code in (401, 403)


def test_the_list_is_paginated_with_the_project_default(api, staff_user):
    CustomerFactory.create_batch(55)
    body = as_user(api, staff_user).get("/api/customers/").json()
    assert body["count"] == 55 and len(body["results"]) == 50 and body["next"]
    assert len(api.get("/api/customers/", {"page": 2}).json()["results"]) == 5


def test_customers_are_found_by_the_last_four_digits_of_the_phone_and_by_source(api, staff_user):
    wang = CustomerFactory(name="王芳", mobile="13812345678", source=Customer.Source.SALES)
    li = CustomerFactory(name="李强", mobile="13987654321", source=Customer.Source.SERVICE)
    as_user(api, staff_user)
    assert [row["id"] for row in api.get("/api/customers/", {"q": "5678"}).json()["results"]] == [wang.pk]
    assert [row["id"] for row in api.get("/api/customers/", {"source": "service"}).json()["results"]] == [li.pk]


def test_a_customer_shows_its_vehicles(api, staff_user):
    vehicle = VehicleFactory()
    body = as_user(api, staff_user).get(f"/api/customers/{vehicle.holder_id}/").json()
    assert body["vehicles"] == [
        {"id": vehicle.pk, "vin": vehicle.vin, "plate": vehicle.plate, "model_name": vehicle.model_name}
    ]
    assert "confirm_duplicates" not in body


def test_vehicles_are_found_by_the_last_digits_of_the_vin_and_by_holder(api, staff_user):
    first, second = VehicleFactory(), VehicleFactory()
    as_user(api, staff_user)
    found = api.get("/api/vehicles/", {"vin": first.vin[-6:]}).json()["results"]
    assert [row["id"] for row in found] == [first.pk]
    assert found[0]["holder"] == {"id": first.holder_id, "name": first.holder.name, "mobile": first.holder.mobile}
    found = api.get("/api/vehicles/", {"holder": second.holder_id}).json()["results"]
    assert [row["id"] for row in found] == [second.pk]


def test_archives_are_filtered_by_delivery_month_and_consultant(api, staff_user, consultant):
    august = SalesArchiveFactory(delivery_date=date(2011, 8, 24), consultant=consultant)
    SalesArchiveFactory(delivery_date=date(2011, 9, 2), consultant=consultant)
    other = SalesArchiveFactory(delivery_date=date(2011, 8, 5))
    as_user(api, staff_user)
    found = api.get("/api/archives/", {"month": "2011-08", "ordering": "delivery_date"}).json()["results"]
    assert [row["id"] for row in found] == [other.pk, august.pk]
    found = api.get("/api/archives/", {"month": "2011-08", "consultant": consultant.pk}).json()["results"]
    assert [row["id"] for row in found] == [august.pk]
    assert found[0]["consultant"] == {"id": consultant.pk, "name": "刘洋"}
    assert found[0]["vehicle"]["vin"] == august.vehicle.vin
    assert found[0]["customer"]["id"] == august.customer_id


def test_visits_are_filtered_by_kind_and_corrections_by_status(api, staff_user, agent_user):
    repair = ServiceVisitFactory(kind=ServiceVisit.Kind.REPAIR)
    ServiceVisitFactory(kind=ServiceVisit.Kind.MAINTENANCE)
    customer = CustomerFactory()
    PhoneCorrection.objects.create(customer=customer, new_value="13700000000", proposed_by=agent_user)
    applied = PhoneCorrection.objects.create(
        customer=customer, new_value="13700000001", status=PhoneCorrection.Status.APPLIED
    )
    as_user(api, staff_user)
    assert [row["id"] for row in api.get("/api/visits/", {"kind": "repair"}).json()["results"]] == [repair.pk]
    found = api.get("/api/phone-corrections/", {"status": "applied"}).json()["results"]
    assert [row["id"] for row in found] == [applied.pk]


# --- Customers: writes through the service, with history -----------------------------------------


@pytest.mark.parametrize("who", ["staff", "admin"])
def test_staff_and_admins_create_and_update_customers_with_history(api, cast, who):
    as_user(api, cast[who])
    response = api.post(
        "/api/customers/",
        {"name": "  王　芳 ", "mobile": "+86 138 1234 5678", "birthday": "1985年3月2日", "gender": "F"},
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["name"], body["mobile"], body["birthday"]) == ("王 芳", "13812345678", "1985-03-02")
    customer = Customer.objects.get(pk=body["id"])
    assert customer.history.get().history_user == cast[who]

    response = api.patch(f"/api/customers/{customer.pk}/", {"phone2": "0534 2345678"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["phone2"] == "0534-2345678"
    latest = customer.history.first()
    assert (latest.phone2, latest.history_user) == ("0534-2345678", cast[who])
    assert customer.history.count() == 2


@pytest.mark.parametrize("who", ["agent", "manager"])
def test_agents_and_managers_may_not_write_customers(api, cast, who):
    customer = CustomerFactory(name="王芳")
    as_user(api, cast[who])
    assert api.post("/api/customers/", {"name": "李强"}, format="json").status_code == 403
    assert api.patch(f"/api/customers/{customer.pk}/", {"name": "李强"}, format="json").status_code == 403
    assert api.put(f"/api/customers/{customer.pk}/", {"name": "李强"}, format="json").status_code == 403
    assert list(Customer.objects.values_list("name", flat=True)) == ["王芳"]


def test_records_cannot_be_deleted_through_the_api(api, admin_user):
    customer = CustomerFactory()
    as_user(api, admin_user)
    assert api.delete(f"/api/customers/{customer.pk}/").status_code == 405
    assert Customer.objects.filter(pk=customer.pk).exists()


def test_a_customer_sharing_a_phone_answers_409_with_candidates_then_saves_when_confirmed(api, staff_user):
    existing = CustomerFactory(name="王芳", mobile="13812345678")
    as_user(api, staff_user)
    body = {"name": "王 芳", "mobile": "138 1234 5678"}
    response = api.post("/api/customers/", body, format="json")
    assert response.status_code == 409
    answer = response.json()
    assert answer["detail"]
    [candidate] = answer["candidates"]
    assert candidate["kind"] == "customer" and candidate["id"] == existing.pk
    assert candidate["label"] == "王芳 13812345678"
    assert len(candidate["reasons"]) == 1 and candidate["reasons"][0]
    assert candidate["url"].endswith(f"/api/customers/{existing.pk}/")
    assert api.get(candidate["url"]).json()["id"] == existing.pk
    assert Customer.objects.count() == 1

    response = api.post("/api/customers/", {**body, "confirm_duplicates": True}, format="json")
    assert response.status_code == 201, response.content
    assert Customer.objects.count() == 2


def test_changing_a_phone_to_another_customers_answers_409(api, staff_user):
    CustomerFactory(mobile="13812345678")
    customer = CustomerFactory(mobile="13900000000")
    as_user(api, staff_user)
    response = api.patch(f"/api/customers/{customer.pk}/", {"mobile": "13812345678"}, format="json")
    assert response.status_code == 409
    customer.refresh_from_db()
    assert customer.mobile == "13900000000"
    response = api.patch(
        f"/api/customers/{customer.pk}/", {"mobile": "13812345678", "confirm_duplicates": True}, format="json"
    )
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("field", "value", "validator"),
    [
        ("mobile", "1381234567", normalize_phone),
        ("mobile", "12812345678", normalize_phone),
        ("phone2", "2345678", normalize_phone),
        ("birthday", "1985-02-30", parse_date),
        ("birthday", "someday", parse_date),
    ],
)
def test_a_bad_customer_value_answers_400_with_the_validators_message(api, staff_user, field, value, validator):
    response = as_user(api, staff_user).post("/api/customers/", {"name": "王芳", field: value}, format="json")
    assert response.status_code == 400
    assert response.json() == {field: [refusal(validator, value, response["Content-Language"])]}
    assert not Customer.objects.exists()


def test_a_name_without_letters_is_refused(api, staff_user):
    response = as_user(api, staff_user).post("/api/customers/", {"name": "123"}, format="json")
    assert response.status_code == 400 and list(response.json()) == ["name"]
    assert not Customer.objects.exists()


# --- Merge ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["staff", "admin"])
def test_merging_moves_vehicles_archives_and_visits_to_the_survivor(api, cast, who):
    survivor = CustomerFactory(name="王芳", mobile="13812345678")
    duplicate = CustomerFactory(name="王 芳", mobile="13900000000")
    SalesArchiveFactory(vehicle=VehicleFactory(holder=survivor))
    for _ in range(2):
        vehicle = VehicleFactory(holder=duplicate)
        SalesArchiveFactory(vehicle=vehicle)
        ServiceVisitFactory(vehicle=vehicle)
    as_user(api, cast[who])
    response = api.post(f"/api/customers/{survivor.pk}/merge/", {"duplicate": duplicate.pk}, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    moved = body["moved"]
    assert (moved["vehicles"], moved["sales_archives"], moved["visits"], moved["phone_corrections"]) == (2, 2, 2, 0)
    assert body["filled"] == ["phone2"]
    assert body["merged_customer_id"] == duplicate.pk
    assert body["survivor"]["id"] == survivor.pk and len(body["survivor"]["vehicles"]) == 3
    assert body["survivor"]["phone2"] == "13900000000"
    assert not Customer.objects.filter(pk=duplicate.pk).exists()
    assert survivor.vehicles.count() == 3
    assert survivor.sales_archives.count() == 3
    assert survivor.visits.count() == 2
    merge = CustomerMerge.objects.get()
    assert merge.merged_by == cast[who]


@pytest.mark.parametrize("who", ["agent", "manager"])
def test_only_those_allowed_to_merge_may_merge(api, cast, who):
    survivor, duplicate = CustomerFactory(), CustomerFactory()
    response = as_user(api, cast[who]).post(
        f"/api/customers/{survivor.pk}/merge/", {"duplicate": duplicate.pk}, format="json"
    )
    assert response.status_code == 403
    assert Customer.objects.count() == 2


def test_a_customer_cannot_be_merged_into_itself(api, staff_user):
    customer = CustomerFactory()
    response = as_user(api, staff_user).post(
        f"/api/customers/{customer.pk}/merge/", {"duplicate": customer.pk}, format="json"
    )
    assert response.status_code == 400
    assert list(response.json()) == ["detail"]
    assert Customer.objects.filter(pk=customer.pk).exists()


def test_merging_an_unknown_duplicate_is_a_400(api, staff_user):
    customer = CustomerFactory()
    response = as_user(api, staff_user).post(
        f"/api/customers/{customer.pk}/merge/", {"duplicate": customer.pk + 1000}, format="json"
    )
    assert response.status_code == 400 and list(response.json()) == ["duplicate"]


# --- Vehicles ------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["staff", "admin"])
def test_staff_and_admins_create_and_update_vehicles_with_history(api, cast, who):
    holder = CustomerFactory()
    as_user(api, cast[who])
    response = api.post(
        "/api/vehicles/",
        {"vin": f" {VIN.lower()} ", "plate": "鲁n-12345", "holder": holder.pk, "delivery_date": "2011.8.24"},
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["vin"], body["plate"], body["delivery_date"]) == (VIN, "鲁N12345", "2011-08-24")
    assert body["holder"]["id"] == holder.pk
    vehicle = Vehicle.objects.get(pk=body["id"])
    assert vehicle.history.get().history_user == cast[who]
    response = api.patch(f"/api/vehicles/{vehicle.pk}/", {"colour": "白"}, format="json")
    assert response.status_code == 200 and response.json()["colour"] == "白"
    assert vehicle.history.first().history_user == cast[who]


@pytest.mark.parametrize("who", ["agent", "manager"])
def test_agents_and_managers_may_not_write_vehicles(api, cast, who):
    vehicle = VehicleFactory(colour="黑")
    as_user(api, cast[who])
    assert api.post("/api/vehicles/", {"vin": VIN}, format="json").status_code == 403
    assert api.patch(f"/api/vehicles/{vehicle.pk}/", {"colour": "白"}, format="json").status_code == 403
    vehicle.refresh_from_db()
    assert vehicle.colour == "黑" and Vehicle.objects.count() == 1


@pytest.mark.parametrize(
    ("field", "value", "validator"),
    [
        ("vin", VIN[:8] + ("1" if VIN[8] != "1" else "2") + VIN[9:], normalize_vin),  # wrong check digit
        ("vin", "LSVAU2180N218329", normalize_vin),
        ("vin", "LSVAU2I80N2183294", normalize_vin),
        ("plate", "AB12345", normalize_plate),
        ("plate", "鲁N1234", normalize_plate),
        ("user_phone", "12345", normalize_phone),
        ("delivery_date", "2011-13-01", parse_date),
    ],
)
def test_a_bad_vehicle_value_answers_400_with_the_validators_message(api, staff_user, field, value, validator):
    body = {"vin": OTHER_VIN, field: value}
    response = as_user(api, staff_user).post("/api/vehicles/", body, format="json")
    assert response.status_code == 400
    assert response.json() == {field: [refusal(validator, value, response["Content-Language"])]}
    assert not Vehicle.objects.exists()


def test_a_known_vin_is_refused_even_when_duplicates_are_confirmed(api, staff_user):
    existing = VehicleFactory(vin=VIN)
    as_user(api, staff_user)
    for confirm in (False, True):
        response = api.post("/api/vehicles/", {"vin": VIN.lower(), "confirm_duplicates": confirm}, format="json")
        assert response.status_code == 400
        assert list(response.json()) == ["vin"]
    assert list(Vehicle.objects.values_list("pk", flat=True)) == [existing.pk]


def test_a_plate_already_on_another_car_answers_409_then_saves_when_confirmed(api, staff_user):
    existing = VehicleFactory(plate="鲁N12345")
    as_user(api, staff_user)
    response = api.post("/api/vehicles/", {"vin": VIN, "plate": "鲁N12345"}, format="json")
    assert response.status_code == 409
    [candidate] = response.json()["candidates"]
    assert (candidate["kind"], candidate["id"]) == ("vehicle", existing.pk)
    assert candidate["url"].endswith(f"/api/vehicles/{existing.pk}/")
    response = api.post("/api/vehicles/", {"vin": VIN, "plate": "鲁N12345", "confirm_duplicates": True}, format="json")
    assert response.status_code == 201
    assert Vehicle.objects.count() == 2


# --- Closed-deal archives ------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["staff", "admin"])
def test_submitting_an_archive_creates_the_buyer_the_car_and_the_archive(api, cast, who, consultant):
    response = as_user(api, cast[who]).post("/api/archives/", archive_body(consultant), format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    archive = SalesArchive.objects.get(pk=body["id"])
    assert body["vehicle"] == {"id": archive.vehicle_id, "vin": VIN, "plate": "鲁N12345", "model_name": "朗逸"}
    assert body["customer"] == {"id": archive.customer_id, "name": "王 芳", "mobile": "13812345678"}
    assert body["consultant"] == {"id": consultant.pk, "name": "刘洋"}
    assert [body[key] for key in ("deal_date", "delivery_date", "invoice_date")] == [
        "2011-08-10",
        "2011-08-24",
        "2011-08-20",
    ]
    assert (body["invoice_number"], body["invoice_amount"], body["invoice_name"]) == ("01234567", "129800.00", "王 芳")
    assert body["submitted_by"]["id"] == cast[who].pk
    assert archive.history.get().history_user == cast[who]
    assert archive.customer.history.get().history_user == cast[who]
    assert archive.vehicle.history.get().history_user == cast[who]


def test_submitting_again_for_the_same_vin_updates_that_cars_archive(api, staff_user, consultant):
    as_user(api, staff_user)
    first = api.post("/api/archives/", archive_body(consultant), format="json").json()
    response = api.post("/api/archives/", archive_body(consultant, invoice_amount="13.58万"), format="json")
    assert response.status_code == 201
    assert response.json()["id"] == first["id"] and response.json()["invoice_amount"] == "135800.00"
    assert (SalesArchive.objects.count(), Vehicle.objects.count(), Customer.objects.count()) == (1, 1, 1)


def test_an_archive_for_an_existing_customer_uses_that_customer(api, staff_user, consultant):
    customer = CustomerFactory(name="王芳公司", kind=Customer.Kind.COMPANY)
    response = as_user(api, staff_user).post(
        "/api/archives/", archive_body(consultant, customer=customer.pk, invoice_name="王芳公司"), format="json"
    )
    assert response.status_code == 201, response.content
    assert response.json()["customer"]["id"] == customer.pk
    assert Customer.objects.count() == 1


@pytest.mark.parametrize(
    ("field", "value", "validator"),
    [
        ("phone", "138123456789", normalize_phone),
        ("vin", VIN[:8] + ("1" if VIN[8] != "1" else "2") + VIN[9:], normalize_vin),
        ("plate", "鲁I12345", normalize_plate),
        ("delivery_date", "24/08/2011", parse_date),
        ("invoice_date", "2011-02-29", parse_date),
        ("invoice_amount", "1.234,50", parse_amount),
        ("invoice_amount", "about 130k", parse_amount),
    ],
)
def test_a_bad_archive_value_answers_400_with_the_validators_message(
    api, staff_user, consultant, field, value, validator
):
    response = submit(as_user(api, staff_user), consultant, **{field: value})
    assert response.status_code == 400
    assert response.json() == {field: [refusal(validator, value, response["Content-Language"])]}
    assert nothing_stored()


def test_a_missing_invoice_amount_is_refused(api, staff_user, consultant):
    response = submit(as_user(api, staff_user), consultant, invoice_amount="")
    assert response.status_code == 400 and list(response.json()) == ["invoice_amount"]
    assert nothing_stored()


def test_a_refusal_by_the_service_stores_nothing(api, staff_user, consultant):
    # A negative amount parses (a red-letter invoice), but an archive's amount may not be negative.
    response = submit(as_user(api, staff_user), consultant, invoice_amount="-100")
    assert response.status_code == 400
    assert nothing_stored()


def test_patching_an_archive_goes_through_the_service(api, staff_user):
    archive = SalesArchiveFactory()
    response = as_user(api, staff_user).patch(
        f"/api/archives/{archive.pk}/", {"invoice_amount": "¥135,800", "invoice_number": "88"}, format="json"
    )
    assert response.status_code == 200, response.content
    assert (response.json()["invoice_amount"], response.json()["invoice_number"]) == ("135800.00", "00000088")
    archive.refresh_from_db()
    assert archive.invoice_amount == Decimal("135800.00")
    assert archive.history.first().history_user == staff_user


@pytest.mark.parametrize("who", ["agent", "manager"])
def test_agents_and_managers_may_not_write_archives(api, cast, who, consultant):
    archive = SalesArchiveFactory(invoice_amount=Decimal("1000"))
    as_user(api, cast[who])
    assert api.post("/api/archives/", archive_body(consultant), format="json").status_code == 403
    assert api.patch(f"/api/archives/{archive.pk}/", {"invoice_amount": "2000"}, format="json").status_code == 403
    archive.refresh_from_db()
    assert archive.invoice_amount == Decimal("1000") and SalesArchive.objects.count() == 1


# --- Service visits ------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["staff", "admin"])
def test_staff_and_admins_record_visits_with_history(api, cast, who, advisor):
    vehicle = VehicleFactory()
    as_user(api, cast[who])
    response = api.post(
        "/api/visits/",
        {
            "ro_number": "RO20110001",
            "vehicle": vehicle.pk,
            "advisor": advisor.pk,
            "kind": "repair",
            "opened_at": "2011-08-24T09:00:00+08:00",
            "amount": "¥1,280.50",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    # The customer defaults to the car's holder.
    assert body["customer"]["id"] == vehicle.holder_id
    assert body["vehicle"]["vin"] == vehicle.vin and body["advisor"]["name"] == "周强"
    assert body["amount"] == "1280.50"
    visit = ServiceVisit.objects.get(pk=body["id"])
    assert visit.history.get().history_user == cast[who]
    response = api.patch(f"/api/visits/{visit.pk}/", {"closed_at": "2011-08-24T17:30:00+08:00"}, format="json")
    assert response.status_code == 200, response.content
    visit.refresh_from_db()
    assert visit.closed_at == datetime(2011, 8, 24, 17, 30, tzinfo=SHANGHAI)
    assert visit.history.first().history_user == cast[who]


def test_a_visit_closed_before_it_opened_is_refused_by_the_model(api, staff_user):
    visit = ServiceVisitFactory()
    response = as_user(api, staff_user).patch(
        f"/api/visits/{visit.pk}/", {"closed_at": "2011-05-01T09:00:00+08:00"}, format="json"
    )
    assert response.status_code == 400
    assert list(response.json()) == ["non_field_errors"]
    visit.refresh_from_db()
    assert visit.closed_at is None


def test_a_bad_visit_amount_answers_400(api, staff_user):
    vehicle = VehicleFactory()
    body = {"ro_number": "RO1", "vehicle": vehicle.pk, "opened_at": "2011-08-24T09:00:00+08:00", "amount": "1,2,3"}
    response = as_user(api, staff_user).post("/api/visits/", body, format="json")
    assert response.status_code == 400
    assert response.json() == {"amount": [refusal(parse_amount, "1,2,3", response["Content-Language"])]}
    assert not ServiceVisit.objects.exists()


@pytest.mark.parametrize("who", ["agent", "manager"])
def test_agents_and_managers_may_not_write_visits(api, cast, who):
    vehicle = VehicleFactory()
    body = {"ro_number": "RO1", "vehicle": vehicle.pk, "opened_at": "2011-08-24T09:00:00+08:00"}
    assert as_user(api, cast[who]).post("/api/visits/", body, format="json").status_code == 403
    assert not ServiceVisit.objects.exists()


# --- Phone corrections ---------------------------------------------------------------------------


def propose(api: APIClient, customer: Customer, new_value: str = "13900001111"):
    return api.post(
        "/api/phone-corrections/",
        {"customer": customer.pk, "new_value": new_value, "reason": "空号"},
        format="json",
    )


def test_an_agent_proposes_and_staff_apply_a_phone_correction(api, agent_user, staff_user):
    customer = CustomerFactory(mobile="13812345678")
    response = propose(as_user(api, agent_user), customer, "139-0000-1111")
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["status"], body["field"], body["old_value"], body["new_value"]) == (
        "pending",
        "mobile",
        "13812345678",
        "13900001111",
    )
    assert body["proposed_by"] == {"id": agent_user.pk, "username": agent_user.username}
    customer.refresh_from_db()
    assert customer.mobile == "13812345678"

    response = as_user(api, staff_user).post(f"/api/phone-corrections/{body['id']}/apply/")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "applied"
    assert response.json()["decided_by"]["id"] == staff_user.pk
    customer.refresh_from_db()
    assert customer.mobile == "13900001111"
    assert customer.history.first().history_user == staff_user


def test_staff_reject_a_phone_correction_and_the_number_stays(api, agent_user, admin_user):
    customer = CustomerFactory(mobile="13812345678")
    pk = propose(as_user(api, agent_user), customer).json()["id"]
    response = as_user(api, admin_user).post(f"/api/phone-corrections/{pk}/reject/")
    assert response.status_code == 200 and response.json()["status"] == "rejected"
    customer.refresh_from_db()
    assert customer.mobile == "13812345678"


def test_a_decided_correction_cannot_be_decided_again(api, agent_user, staff_user):
    customer = CustomerFactory(mobile="13812345678")
    pk = propose(as_user(api, agent_user), customer).json()["id"]
    as_user(api, staff_user)
    assert api.post(f"/api/phone-corrections/{pk}/reject/").status_code == 200
    for decision in ("apply", "reject"):
        response = api.post(f"/api/phone-corrections/{pk}/{decision}/")
        assert response.status_code == 400
        with translation.override(response["Content-Language"]):
            assert response.json() == {"detail": str(translation.gettext("This correction was already decided."))}
    customer.refresh_from_db()
    assert customer.mobile == "13812345678"


@pytest.mark.parametrize("who", ["agent", "manager"])
def test_agents_and_managers_cannot_decide_a_correction(api, cast, who, agent_user):
    customer = CustomerFactory(mobile="13812345678")
    pk = propose(as_user(api, agent_user), customer).json()["id"]
    as_user(api, cast[who])
    assert api.post(f"/api/phone-corrections/{pk}/apply/").status_code == 403
    assert api.post(f"/api/phone-corrections/{pk}/reject/").status_code == 403
    assert PhoneCorrection.objects.get(pk=pk).status == PhoneCorrection.Status.PENDING


def test_managers_cannot_propose_corrections(api, manager_user):
    customer = CustomerFactory()
    assert propose(as_user(api, manager_user), customer).status_code == 403
    assert not PhoneCorrection.objects.exists()


def test_a_bad_proposed_number_answers_400(api, agent_user):
    customer = CustomerFactory()
    response = propose(as_user(api, agent_user), customer, "12345")
    assert response.status_code == 400
    assert response.json() == {"new_value": [refusal(normalize_phone, "12345", response["Content-Language"])]}
    assert not PhoneCorrection.objects.exists()


def test_proposing_the_current_number_is_refused_by_the_service(api, agent_user):
    customer = CustomerFactory(mobile="13812345678")
    response = propose(as_user(api, agent_user), customer, "13812345678")
    assert response.status_code == 400 and list(response.json()) == ["new_value"]
    assert not PhoneCorrection.objects.exists()


def test_phone_corrections_cannot_be_edited_or_deleted(api, agent_user, admin_user):
    customer = CustomerFactory()
    pk = propose(as_user(api, agent_user), customer).json()["id"]
    as_user(api, admin_user)
    assert api.patch(f"/api/phone-corrections/{pk}/", {"new_value": "13900002222"}, format="json").status_code == 405
    assert api.delete(f"/api/phone-corrections/{pk}/").status_code == 405
