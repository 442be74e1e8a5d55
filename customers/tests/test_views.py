"""Customer pages: who may see and change what, forms with field messages, duplicates, merge, history."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest

from customers import services
from customers.models import Customer, PhoneCorrection, SalesArchive, ServiceVisit, Vehicle
from customers.validators import vin_with_check_digit
from dealership_cs.models import Staff

VIN1 = vin_with_check_digit("LSVAU2180N2183294")
VIN2 = vin_with_check_digit("LSVCC6A40AN000123")


@pytest.fixture
def consultant(db):
    return Staff.objects.create(
        name="刘洋", department=Staff.Department.SALES, position=Staff.Position.SALES_CONSULTANT
    )


@pytest.fixture
def advisor(db):
    return Staff.objects.create(
        name="周强", department=Staff.Department.SERVICE, position=Staff.Position.SERVICE_ADVISOR
    )


@pytest.fixture
def archive(consultant):
    return services.archive_submit(
        data=services.ArchiveInput(
            customer_name="张伟",
            phone="13812345678",
            vin=VIN1,
            plate="鲁N12345",
            model_name="朗逸",
            consultant=consultant,
            delivery_date=date(2011, 8, 20),
            invoice_number="00123456",
            invoice_date=date(2011, 8, 22),
            invoice_amount=Decimal("129800.00"),
        )
    )


LIST_PAGES = [
    "/customers/",
    "/customers/vehicles/",
    "/customers/archives/",
    "/customers/visits/",
    "/customers/phone-corrections/",
    "/customers/data-quality/",
]


@pytest.mark.parametrize("who", ["staff", "agent", "manager", "admin"])
def test_every_role_reads_the_customer_pages(client, cast, who, archive, advisor):
    customer, vehicle = archive.customer, archive.vehicle
    services.visit_create(
        ro_number="RO201109010001", vehicle=vehicle, advisor=advisor, opened_at="2011-09-01T09:00:00+08:00"
    )
    services.phone_correction_propose(
        customer=customer, new_value="13955556666", reason="wrong number", by=cast["agent"]
    )
    for name in ("李娜", "王芳"):  # the same mobile on three customers: a data-quality finding
        services.customer_create(name=name, mobile="13812345678", confirm_duplicates=True)
    # What each page must show of these records, read in the table it lists them in (or the page body).
    expected = {
        "/customers/": ("results", ["张伟", "李娜", "王芳", "13812345678"]),
        "/customers/vehicles/": ("results", [VIN1, "鲁N12345", "朗逸", "2011-08-20", "张伟"]),
        "/customers/archives/": (
            "results",
            ["2011-08-20", "张伟", VIN1, "00123456", "2011-08-22", "129800.00", "刘洋"],
        ),
        "/customers/visits/": ("results", ["RO201109010001", "鲁N12345", "张伟", "2011-09-01 09:00", "周强"]),
        "/customers/phone-corrections/": ("results", ["张伟", "13812345678", "13955556666", "wrong number"]),
        "/customers/data-quality/": ("shared-phones", ["13812345678", '<td class="text-end">3</td>']),
        customer.get_absolute_url(): (None, ["张伟", "13812345678", VIN1, "00123456", "RO201109010001"]),
        vehicle.get_absolute_url(): (None, [VIN1, "鲁N12345", "朗逸", "张伟", "00123456", "RO201109010001"]),
        archive.get_absolute_url(): (None, ["张伟", VIN1, "00123456", "2011-08-22", "129800.00", "刘洋"]),
    }
    assert set(LIST_PAGES) <= set(expected)
    client.force_login(cast[who])
    for url, (testid, shown) in expected.items():
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        if testid:
            match = re.search(rf'<table[^>]*data-testid="{testid}".*?</table>', html, re.S)
            assert match, f"{url}: no {testid} table"
            html = match.group(0)
        for text in shown:
            assert text in html, f"{url} does not show {text}"


def test_a_user_without_a_role_is_refused_everywhere(client, norole_user, archive):
    client.force_login(norole_user)
    for url in LIST_PAGES + ["/customers/new/", "/customers/import/", archive.customer.get_absolute_url()]:
        assert client.get(url).status_code == 403, url


@pytest.mark.parametrize(("who", "status"), [("staff", 200), ("admin", 200), ("agent", 403), ("manager", 403)])
def test_only_staff_and_admins_open_the_create_forms(client, cast, who, status):
    client.force_login(cast[who])
    for url in [
        "/customers/new/",
        "/customers/vehicles/new/",
        "/customers/archives/new/",
        "/customers/visits/new/",
        "/customers/import/",
    ]:
        assert client.get(url).status_code == status, url


@pytest.mark.parametrize("who", ["agent", "manager"])
def test_readers_cannot_post_changes(client, cast, who, archive):
    client.force_login(cast[who])
    customer = archive.customer
    response = client.post(
        f"/customers/{customer.pk}/edit/", {"name": "李四", "kind": "individual", "gender": "U", "source": "sales"}
    )
    assert response.status_code == 403
    customer.refresh_from_db()
    assert customer.name == "张伟"


@pytest.mark.parametrize("who", ["staff", "agent", "manager", "admin"])
def test_customer_list_keeps_a_constant_number_of_queries(client, cast, who, django_assert_max_num_queries):
    Customer.objects.bulk_create(
        Customer(name=f"客户{n}", name_key=f"客户{n}", mobile=f"1381234{n:04}") for n in range(60)
    )
    client.force_login(cast[who])
    with django_assert_max_num_queries(10):
        response = client.get("/customers/")
    assert response.status_code == 200
    assert response.context["paginator"].count == 60


def test_archive_list_keeps_a_constant_number_of_queries(
    client, staff_user, archive, consultant, django_assert_max_num_queries
):
    for n in range(20):
        services.archive_submit(
            data=services.ArchiveInput(
                customer_name=f"客户{n}",
                phone=f"139{n:08}",
                vin=vin_with_check_digit(f"LSVAU2180N21{n:05}"),
                consultant=consultant,
                delivery_date=date(2011, 8, 1),
                invoice_number=f"{n + 1:08}",
                invoice_date=date(2011, 8, 2),
                invoice_amount=Decimal("100000"),
            )
        )
    client.force_login(staff_user)
    # Session, user, permissions, the consultant choices, count and page: not one per row.
    with django_assert_max_num_queries(12):
        response = client.get("/customers/archives/", {"month": "2011-08"})
    assert response.context["paginator"].count == 21


def test_search_box_finds_a_customer_by_last_four_digits_and_by_vin_tail(client, staff_user, archive):
    client.force_login(staff_user)
    assert "张伟" in client.get("/customers/", {"q": "5678"}).content.decode()
    assert "张伟" in client.get("/customers/", {"q": VIN1[-6:]}).content.decode()
    assert "张伟" not in client.get("/customers/", {"q": "0000"}).content.decode()


def test_creating_a_customer_with_a_bad_phone_shows_the_message_at_the_field(client, staff_user):
    client.force_login(staff_user)
    response = client.post(
        "/customers/new/",
        {"name": "王芳", "mobile": "1281234567", "kind": "individual", "gender": "F", "source": "sales"},
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert "mobile" in errors
    assert "不是有效的电话号码" in errors["mobile"][0]  # the message is in Chinese
    assert Customer.objects.count() == 0


def test_a_duplicate_phone_warns_before_saving_then_saves_when_confirmed(client, staff_user, archive):
    client.force_login(staff_user)
    data = {"name": "张 伟", "mobile": "138 1234 5678", "kind": "individual", "gender": "M", "source": "service"}
    response = client.post("/customers/new/", data)
    assert response.status_code == 409
    html = response.content.decode()
    assert 'data-testid="duplicates"' in html and archive.customer.get_absolute_url() in html
    assert Customer.objects.count() == 1
    response = client.post("/customers/new/", {**data, "confirm_duplicates": "on"})
    assert response.status_code == 302
    assert Customer.objects.count() == 2


def test_editing_a_customer_keeps_the_history_shown_on_its_page(client, staff_user, archive):
    client.force_login(staff_user)
    customer = archive.customer
    response = client.post(
        f"/customers/{customer.pk}/edit/",
        {
            "name": "张伟",
            "mobile": "13812345678",
            "address": "德州市德城区东风路 8 号",
            "kind": "individual",
            "gender": "M",
            "source": "sales",
        },
    )
    assert response.status_code == 302
    html = client.get(customer.get_absolute_url()).content.decode()
    assert "东风路" in html and "zhang.staff" in html
    assert customer.history.count() == 2


def test_entering_a_closed_deal_archive_creates_customer_vehicle_and_archive(client, staff_user, consultant):
    client.force_login(staff_user)
    response = client.post(
        "/customers/archives/new/",
        {
            "customer_name": "李　娜",
            "phone": "+86 139-0534-1234",
            "vin": VIN2.lower(),
            "plate": "鲁N·A1234",
            "model_name": "帕萨特",
            "consultant": consultant.pk,
            "deal_date": "2011/8/1",
            "delivery_date": "2011年8月24日",
            "invoice_number": "123456",
            "invoice_date": "20110825",
            "invoice_amount": "￥189,800.00",
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    archive = SalesArchive.objects.get()
    assert archive.vehicle.vin == VIN2 and archive.vehicle.plate == "鲁NA1234"
    assert archive.customer.name == "李 娜" and archive.customer.mobile == "13905341234"
    assert archive.invoice_number == "00123456" and archive.invoice_amount == Decimal("189800.00")
    assert archive.delivery_date == date(2011, 8, 24) and archive.submitted_by == staff_user


def test_an_archive_with_bad_values_lists_each_problem_and_stores_nothing(client, staff_user, consultant):
    client.force_login(staff_user)
    response = client.post(
        "/customers/archives/new/",
        {
            "customer_name": "李娜",
            "vin": VIN2[:8] + "0" + VIN2[9:] if VIN2[8] != "0" else VIN2[:8] + "1" + VIN2[9:],
            "consultant": consultant.pk,
            "delivery_date": "2011-02-30",
            "invoice_number": "12AB",
            "invoice_date": "2011-08-25",
            "invoice_amount": "abc",
        },
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert {"vin", "delivery_date", "invoice_number", "invoice_amount"} <= set(errors)
    assert SalesArchive.objects.count() == 0 and Vehicle.objects.count() == 0 and Customer.objects.count() == 0


def test_a_service_visit_is_entered_by_vin(client, staff_user, archive, advisor):
    client.force_login(staff_user)
    response = client.post(
        "/customers/visits/new/",
        {
            "ro_number": "RO201109010001",
            "vin": VIN1,
            "advisor": advisor.pk,
            "kind": "maintenance",
            "opened_at": "2011-09-01T09:00",
            "closed_at": "2011-09-01T16:30",
            "mileage": "5000",
            "amount": "¥350",
        },
    )
    assert response.status_code == 302
    visit = ServiceVisit.objects.get()
    assert visit.customer == archive.customer and visit.amount == Decimal("350.00")
    html = client.get(archive.customer.get_absolute_url()).content.decode()
    assert "RO201109010001" in html and 'data-kind="visit"' in html and 'data-kind="archive"' in html


def test_staff_merge_a_duplicate_and_nothing_is_lost(client, staff_user, archive, advisor):
    survivor = archive.customer
    duplicate = services.customer_create(name="张伟", mobile="13900001111", source="service")
    vehicle = services.vehicle_create(vin=VIN2, holder=duplicate)
    services.visit_create(
        ro_number="RO1", vehicle=vehicle, advisor=advisor, opened_at=date(2011, 9, 1).isoformat() + "T09:00:00+08:00"
    )
    client.force_login(staff_user)
    response = client.post(f"/customers/{survivor.pk}/merge/", {"duplicate": duplicate.pk})
    assert response.status_code == 302
    assert not Customer.objects.filter(pk=duplicate.pk).exists()
    assert survivor.vehicles.count() == 2 and survivor.visits.count() == 1 and survivor.sales_archives.count() == 1
    html = client.get(survivor.get_absolute_url()).content.decode()
    assert 'data-kind="merge"' in html


@pytest.mark.parametrize("who", ["agent", "manager"])
def test_agents_and_managers_cannot_merge(client, cast, who, archive):
    other = services.customer_create(name="王五", mobile="13900002222")
    client.force_login(cast[who])
    assert client.post(f"/customers/{archive.customer.pk}/merge/", {"duplicate": other.pk}).status_code == 403
    assert Customer.objects.filter(pk=other.pk).exists()


def test_an_agent_proposes_a_phone_correction_and_staff_apply_it(client, agent_user, staff_user, archive):
    customer = archive.customer
    client.force_login(agent_user)
    response = client.post(
        f"/customers/{customer.pk}/phone-correction/",
        {"field": "mobile", "new_value": "13955556666", "reason": "wrong number"},
    )
    assert response.status_code == 302
    correction = PhoneCorrection.objects.get()
    assert client.post(f"/customers/phone-corrections/{correction.pk}/apply/").status_code == 403
    client.force_login(staff_user)
    assert client.post(f"/customers/phone-corrections/{correction.pk}/apply/").status_code == 302
    customer.refresh_from_db()
    assert customer.mobile == "13955556666"


def test_the_data_quality_page_lists_a_phone_shared_by_three_customers(client, staff_user):
    for name in ("甲", "乙", "丙"):
        services.customer_create(name=name, mobile="13700001111", confirm_duplicates=True)
    client.force_login(staff_user)
    html = client.get("/customers/data-quality/").content.decode()
    assert "13700001111" in html


def test_a_record_that_does_not_exist_is_404(client, staff_user):
    client.force_login(staff_user)
    for url in ["/customers/99999/", "/customers/vehicles/99999/", "/customers/archives/99999/edit/"]:
        assert client.get(url).status_code == 404, url


def _ledger_bytes(consultant_name: str) -> bytes:
    from dealership_cs.tests.spreadsheet_factory import make_xlsx

    header = ["客户名称", "联系电话", "车架号", "销售顾问", "交车日期", "发票号码", "开票日期", "发票金额"]
    good = ["赵敏", "13712345678", VIN2, consultant_name, "2011-08-24", "12345678", "2011-08-25", "¥159,800"]
    bad = [
        "钱进",
        "12345",
        vin_with_check_digit("LSVCC6A40AN000999"),
        consultant_name,
        "2011-08-24",
        "12345679",
        "2011-08-25",
        "159800",
    ]
    return make_xlsx([["2011年8月成交台账"], header, good, bad])


def test_the_ledger_upload_checks_then_imports_and_lists_row_errors(client, staff_user, consultant):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(staff_user)
    data = _ledger_bytes(consultant.name)
    response = client.post("/customers/import/", {"file": SimpleUploadedFile("台账.xlsx", data), "dry_run": "on"})
    html = response.content.decode()
    assert response.status_code == 200 and 'data-testid="row-errors"' in html
    assert "12345" in html and SalesArchive.objects.count() == 0  # a dry run stores nothing
    response = client.post("/customers/import/", {"file": SimpleUploadedFile("台账.xlsx", data)})
    assert response.status_code == 200
    assert SalesArchive.objects.count() == 1
    archive = SalesArchive.objects.get()
    assert archive.batch is not None and archive.batch.created_by == staff_user
    assert 'data-testid="batch"' in client.get(archive.get_absolute_url()).content.decode()


def test_the_ledger_upload_refuses_an_unreadable_file_with_a_message(client, staff_user):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(staff_user)
    response = client.post("/customers/import/", {"file": SimpleUploadedFile("台账.xlsx", b"not,a,workbook\n")})
    assert response.status_code == 400
    assert "台账.xlsx" in response.context["form"].errors["file"][0]
    assert SalesArchive.objects.count() == 0


def test_search_says_how_it_matched(client, staff_user, archive):
    client.force_login(staff_user)
    html = client.get("/customers/", {"q": "5678"}).content.decode()
    assert 'data-testid="matched-by"' in html
    assert "电话后 4 位" in html


def test_a_vehicle_with_a_bad_plate_or_vin_gets_the_field_message_and_nothing_is_stored(client, staff_user):
    client.force_login(staff_user)
    response = client.post("/customers/vehicles/new/", {"vin": VIN1[:16] + "I", "plate": "XN12345"})
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert "plate" in errors and "车牌" in errors["plate"][0]
    assert "vin" in errors and "车架号" in errors["vin"][0]
    assert Vehicle.objects.count() == 0
