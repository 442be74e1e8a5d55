"""The discrepancy desk: list, filters, side by side, assign/note/resolve with history, export, API, who is refused."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import date, datetime, timedelta
from decimal import Decimal
from urllib.parse import quote

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from openpyxl import load_workbook
from rest_framework.test import APIClient

from customers.models import Discrepancy, OmdInvoice
from customers.reconciliation.desk import (
    discrepancy_assign,
    discrepancy_export_xlsx,
    discrepancy_note,
    discrepancy_reopen,
    discrepancy_resolve,
    discrepancy_side_by_side,
)
from customers.reconciliation.matching import ReconcileScope, discrepancies_reconcile
from customers.tests.factories import SalesArchiveFactory, StaffFactory
from customers.validators import name_key, vin_with_check_digit
from dealership_cs.selectors import history_rows

T = Discrepancy.Type
S = Discrepancy.Status
TODAY = date(2011, 9, 10)
SCOPE = ReconcileScope(date(2011, 7, 1), date(2011, 9, 1), 3, Decimal("0.00"))
WRITERS = {"staff", "admin"}
READERS = {"staff", "agent", "manager", "admin"}


def reconcile():
    return discrepancies_reconcile(scopes=[SCOPE], today=TODAY)


def vin(n: int) -> str:
    return vin_with_check_digit(f"LSVAU2180N21{n:05d}")


def archive(
    *,
    n: int,
    consultant,
    delivery: date,
    name: str = "张伟",
    amount: str = "129800.00",
    invoice_date: date | None = None,
    phone: str = "13812345678",
):
    return SalesArchiveFactory(
        vehicle__vin=vin(n),
        vehicle__delivery_date=delivery,
        delivery_date=delivery,
        consultant=consultant,
        invoice_number=f"{10000000 + n}",
        invoice_date=invoice_date or delivery,
        invoice_amount=Decimal(amount),
        invoice_name=name,
        archive_phone=phone,
    )


def invoice(
    *,
    n: int,
    on: date,
    name: str = "张伟",
    amount: str = "129800.00",
    phone: str = "13812345678",
    number: str | None = None,
) -> OmdInvoice:
    return OmdInvoice.objects.create(
        invoice_number=number or f"{10000000 + n}",
        invoice_date=on,
        customer_name=name,
        customer_name_key=name_key(name),
        phone=phone,
        vin=vin(n),
        amount=Decimal(amount),
    )


@pytest.fixture
def liu(db):
    return StaffFactory(name="刘洋")


@pytest.fixture
def chen(db):
    return StaffFactory(name="陈静")


@pytest.fixture
def desk(db, liu, chen):
    """August 2011 reconciled: a name and amount mismatch on one pair, a late invoice, an archive OMD lacks,
    an invoice nobody handed in, a clean pair; July: one late invoice."""
    records = {
        "mismatch": archive(n=1, consultant=liu, delivery=date(2011, 8, 10), invoice_date=date(2011, 8, 11)),
        "late": archive(n=2, consultant=liu, delivery=date(2011, 8, 1), invoice_date=date(2011, 8, 10)),
        "missing": archive(n=3, consultant=chen, delivery=date(2011, 8, 5)),
        "clean": archive(n=4, consultant=chen, delivery=date(2011, 8, 20)),
        "july": archive(n=5, consultant=chen, delivery=date(2011, 7, 10), invoice_date=date(2011, 7, 20)),
    }
    invoice(n=1, on=date(2011, 8, 11), name="张卫", amount="128800.00")
    invoice(n=2, on=date(2011, 8, 10))
    invoice(n=4, on=date(2011, 8, 20))
    invoice(n=5, on=date(2011, 7, 20))
    invoice(n=9, on=date(2011, 8, 12), name="赵六")
    reconcile()
    return records


def find(kind: str, month: date = date(2011, 8, 1)) -> Discrepancy:
    return Discrepancy.objects.get(type=kind, month=month)


def as_user(api: APIClient, user) -> APIClient:
    api.force_authenticate(get_user_model().objects.get(pk=user.pk))
    return api


@pytest.fixture
def api():
    return APIClient()


def listed_ids(response) -> set[int]:
    return {int(pk) for pk in re.findall(r'data-testid="discrepancy" data-id="(\d+)"', response.content.decode())}


# --- What the reconciliation found, on the desk ---------------------------------------------------


def test_the_desk_lists_open_discrepancies_with_counts_by_type(client, staff_user, desk):
    client.force_login(staff_user)
    response = client.get("/customers/discrepancies/")
    assert response.status_code == 200
    assert listed_ids(response) == set(Discrepancy.objects.filter(status=S.OPEN).values_list("pk", flat=True))
    assert len(listed_ids(response)) == 6
    counts = dict(re.findall(r'data-type="(\w+)" data-count="(\d+)"', response.content.decode()))
    assert counts == {
        "missing_in_omd": "1",
        "late_invoice": "2",
        "name_mismatch": "1",
        "amount_mismatch": "1",
        "invoice_number_mismatch": "0",
        "archive_missing": "1",
        "voided_invoice": "0",
    }


def test_the_counts_by_type_follow_the_other_filters_but_not_the_type(client, staff_user, desk):
    client.force_login(staff_user)
    html = client.get("/customers/discrepancies/", {"month": "2011-08", "type": "late_invoice"}).content.decode()
    counts = dict(re.findall(r'data-type="(\w+)" data-count="(\d+)"', html))
    assert counts["late_invoice"] == "1" and counts["name_mismatch"] == "1" and counts["archive_missing"] == "1"
    assert 'href="?month=2011-08&amp;type=name_mismatch"' in html


# --- Who may do what ----------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["staff", "agent", "manager", "admin", "norole"])
def test_each_role_reads_the_list_the_record_and_the_export_or_is_refused(client, cast, who, desk):
    client.force_login(cast[who])
    pk = find(T.NAME_MISMATCH).pk
    expected = 200 if who in READERS else 403
    assert client.get("/customers/discrepancies/").status_code == expected
    assert client.get(f"/customers/discrepancies/{pk}/").status_code == expected
    assert client.get("/customers/discrepancies/export.xlsx").status_code == expected


@pytest.mark.parametrize("who", ["staff", "agent", "manager", "admin", "norole"])
def test_only_staff_and_admins_may_resolve_on_the_page(client, cast, who, desk):
    client.force_login(cast[who])
    discrepancy = find(T.NAME_MISMATCH)
    response = client.post(f"/customers/discrepancies/{discrepancy.pk}/resolve/", {"note": "已通知顾问"})
    discrepancy.refresh_from_db()
    if who in WRITERS:
        assert response.status_code == 302
        assert discrepancy.status == S.RESOLVED and discrepancy.resolved_by == cast[who]
    else:
        assert response.status_code == 403
        assert discrepancy.status == S.OPEN and discrepancy.resolved_by is None


@pytest.mark.parametrize("who", ["staff", "agent", "manager", "admin", "norole"])
def test_each_role_reads_the_api_and_only_staff_and_admins_patch(api, cast, who, desk):
    discrepancy = find(T.NAME_MISMATCH)
    client = as_user(api, cast[who])
    listing = client.get("/api/discrepancies/")
    record = client.get(f"/api/discrepancies/{discrepancy.pk}/")
    patch = client.patch(f"/api/discrepancies/{discrepancy.pk}/", {"status": "resolved"}, format="json")
    discrepancy.refresh_from_db()
    if who in READERS:
        assert listing.status_code == 200 and listing.json()["count"] == 6
        assert record.status_code == 200 and record.json()["type"] == "name_mismatch"
    else:
        assert listing.status_code == 403 and record.status_code == 403
    if who in WRITERS:
        assert patch.status_code == 200, patch.content
        assert patch.json()["status"] == "resolved" and discrepancy.status == S.RESOLVED
    else:
        assert patch.status_code == 403
        assert discrepancy.status == S.OPEN


def test_the_api_offers_no_create_and_no_delete(api, admin_user, desk):
    client = as_user(api, admin_user)
    pk = find(T.NAME_MISMATCH).pk
    assert client.post("/api/discrepancies/", {"type": "late_invoice"}, format="json").status_code == 405
    assert client.delete(f"/api/discrepancies/{pk}/").status_code == 405
    assert client.put(f"/api/discrepancies/{pk}/", {"status": "resolved"}, format="json").status_code == 405
    assert Discrepancy.objects.filter(pk=pk).exists()


def test_an_unknown_discrepancy_answers_404_everywhere(client, api, staff_user, desk):
    missing = Discrepancy.objects.order_by("-pk").first().pk + 100
    client.force_login(staff_user)
    assert client.get(f"/customers/discrepancies/{missing}/").status_code == 404
    assert client.post(f"/customers/discrepancies/{missing}/resolve/").status_code == 404
    assert as_user(api, staff_user).get(f"/api/discrepancies/{missing}/").status_code == 404
    assert (
        as_user(api, staff_user).patch(f"/api/discrepancies/{missing}/", {"note": "x"}, format="json").status_code
        == 404
    )


def test_an_unknown_action_answers_404(client, staff_user, desk):
    client.force_login(staff_user)
    assert client.post(f"/customers/discrepancies/{find(T.NAME_MISMATCH).pk}/delete/").status_code == 404


def test_read_only_users_see_no_work_buttons(client, cast, desk):
    pk = find(T.NAME_MISMATCH).pk
    for who in ("agent", "manager"):
        client.force_login(cast[who])
        assert 'data-testid="work"' not in client.get(f"/customers/discrepancies/{pk}/").content.decode()
        assert 'data-testid="resolve"' not in client.get("/customers/discrepancies/").content.decode()
    client.force_login(cast["staff"])
    assert 'data-testid="work"' in client.get(f"/customers/discrepancies/{pk}/").content.decode()
    assert 'data-testid="resolve"' in client.get("/customers/discrepancies/").content.decode()


# --- Filters, on the page and in the API ----------------------------------------------------------

FILTER_CASES = [
    (
        {},
        {
            ("name_mismatch", "2011-08"),
            ("late_invoice", "2011-08"),
            ("missing_in_omd", "2011-08"),
            ("archive_missing", "2011-08"),
            ("late_invoice", "2011-07"),
        },
    ),
    ({"month": "2011-07"}, {("late_invoice", "2011-07")}),
    ({"type": "late_invoice"}, {("late_invoice", "2011-08"), ("late_invoice", "2011-07")}),
    ({"type": "late_invoice", "month": "2011-08"}, {("late_invoice", "2011-08")}),
    ({"consultant": "liu"}, {("name_mismatch", "2011-08"), ("late_invoice", "2011-08")}),
    ({"consultant": "chen", "month": "2011-08"}, {("missing_in_omd", "2011-08")}),
    ({"status": "resolved"}, {("amount_mismatch", "2011-08")}),
    ({"status": "closed"}, set()),
    (
        {"status": "all", "month": "2011-08", "consultant": "liu"},
        {("name_mismatch", "2011-08"), ("amount_mismatch", "2011-08"), ("late_invoice", "2011-08")},
    ),
    ({"assignee": "chen"}, {("late_invoice", "2011-07")}),
    ({"assignee": "null", "month": "2011-07"}, set()),
    ({"assignee": "null", "type": "late_invoice"}, {("late_invoice", "2011-08")}),
]


def _params(query: dict, staff: dict) -> dict:
    return {key: str(staff[value].pk) if value in staff else value for key, value in query.items()}


def _seen(rows) -> set[tuple[str, str]]:
    return {(d.type, f"{d.month:%Y-%m}") for d in rows}


@pytest.mark.parametrize(("query", "expected"), FILTER_CASES)
def test_the_page_and_the_api_filter_alike(client, api, staff_user, desk, liu, chen, query, expected):
    discrepancy_resolve(discrepancy=find(T.AMOUNT_MISMATCH), by=staff_user)
    discrepancy_assign(discrepancy=find(T.LATE_INVOICE, date(2011, 7, 1)), assignee=chen, by=staff_user)
    params = _params(query, {"liu": liu, "chen": chen})

    client.force_login(staff_user)
    page = client.get("/customers/discrepancies/", params)
    assert page.status_code == 200
    assert _seen(Discrepancy.objects.filter(pk__in=listed_ids(page))) == expected
    assert page.context["paginator"].count == len(expected)

    body = as_user(api, staff_user).get("/api/discrepancies/", params).json()
    assert body["count"] == len(expected)
    assert {(row["type"], row["month"]) for row in body["results"]} == expected


def test_a_malformed_month_is_refused_not_ignored(client, api, staff_user, desk):
    response = as_user(api, staff_user).get("/api/discrepancies/", {"month": "2011-13"})
    assert response.status_code == 400 and "month" in response.json()
    client.force_login(staff_user)
    page = client.get("/customers/discrepancies/", {"month": "August"})
    assert page.status_code == 200 and listed_ids(page) == set()
    assert page.context["filter"].errors["month"]
    assert client.get("/customers/discrepancies/export.xlsx", {"month": "2011-8"}).status_code == 400


def test_the_list_keeps_a_constant_number_of_queries(client, api, staff_user, liu, django_assert_max_num_queries):
    def seed(first: int, count: int):
        for n in range(first, first + count):
            archive(n=n, consultant=liu, delivery=date(2011, 8, 10))
            invoice(n=n, on=date(2011, 8, 11), name="某某", amount="1.00")
        reconcile()

    seed(100, 2)
    client.force_login(staff_user)
    with CaptureQueriesContext(connection) as few_page:
        assert len(listed_ids(client.get("/customers/discrepancies/"))) == 4
    with CaptureQueriesContext(connection) as few_api:
        assert as_user(api, staff_user).get("/api/discrepancies/").json()["count"] == 4
    with CaptureQueriesContext(connection) as few_export:
        assert len(read_xlsx(client.get("/customers/discrepancies/export.xlsx").content)) == 5
    seed(200, 20)
    with django_assert_max_num_queries(len(few_export)):
        assert len(read_xlsx(client.get("/customers/discrepancies/export.xlsx").content)) == 45
    with django_assert_max_num_queries(len(few_page)):
        assert len(listed_ids(client.get("/customers/discrepancies/"))) == 44
    with django_assert_max_num_queries(len(few_api)):
        assert as_user(api, staff_user).get("/api/discrepancies/").json()["count"] == 44
    # Session, user, permissions, roles, the consultant and assignee choices, counts by type, count, page,
    # and the session save.
    assert len(few_page) <= 14 and len(few_api) <= 8


# --- Assign, note, resolve, reopen ---------------------------------------------------------------


def test_resolving_on_the_page_keeps_who_and_when_in_the_history(client, staff_user, desk):
    discrepancy = find(T.NAME_MISMATCH)
    client.force_login(staff_user)
    response = client.post(f"/customers/discrepancies/{discrepancy.pk}/resolve/", {"note": "顾问已更正发票名称"})
    assert response.status_code == 302 and response["Location"] == f"/customers/discrepancies/{discrepancy.pk}/"
    discrepancy.refresh_from_db()
    assert discrepancy.status == S.RESOLVED and discrepancy.note == "顾问已更正发票名称"
    assert discrepancy.resolved_by == staff_user and discrepancy.resolved_at is not None

    latest, found = discrepancy.history.order_by("-history_date", "-history_id")[:2]
    assert latest.history_user == staff_user and latest.history_type == "~"
    assert latest.status == "resolved" and found.status == "open" and found.history_user is None
    changed = {c.field for c in latest.diff_against(found).changes}
    assert {"status", "resolved_by", "resolved_at", "note"} <= changed
    rows = history_rows(discrepancy)
    assert rows[0]["user"] == staff_user
    assert any(str(c["new"]) == "resolved" and str(c["old"]) == "open" for c in rows[0]["changes"])
    html = client.get(f"/customers/discrepancies/{discrepancy.pk}/").content.decode()
    assert 'data-testid="reopen"' in html and "zhang.staff" in html


def test_resolving_from_the_list_returns_to_the_same_filtered_list(client, staff_user, desk):
    discrepancy = find(T.LATE_INVOICE)
    client.force_login(staff_user)
    back = "/customers/discrepancies/?month=2011-08&type=late_invoice"
    response = client.post(f"/customers/discrepancies/{discrepancy.pk}/resolve/", {"next": back})
    assert response.status_code == 302 and response["Location"] == back
    response = client.post(f"/customers/discrepancies/{discrepancy.pk}/reopen/", {"next": "https://evil.example/"})
    assert response["Location"] == f"/customers/discrepancies/{discrepancy.pk}/"


def test_resolving_through_the_api_keeps_the_history(api, staff_user, desk):
    discrepancy = find(T.MISSING_IN_OMD)
    response = as_user(api, staff_user).patch(
        f"/api/discrepancies/{discrepancy.pk}/", {"status": "resolved", "note": "OMD 补录中"}, format="json"
    )
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "resolved" and body["note"] == "OMD 补录中"
    assert body["resolved_by"] == {"id": staff_user.pk, "username": "zhang.staff"}
    record = discrepancy.history.order_by("-history_date", "-history_id").first()
    assert record.history_user == staff_user and record.status == "resolved" and record.note == "OMD 补录中"
    assert discrepancy.history.count() == 2  # as found, then resolved: one entry for the resolution and its note


def test_a_closed_discrepancy_cannot_be_resolved(client, api, staff_user, desk):
    discrepancy = find(T.NAME_MISMATCH)
    Discrepancy.objects.filter(pk=discrepancy.pk).update(status=S.CLOSED, closed_at=timezone.now())

    response = as_user(api, staff_user).patch(
        f"/api/discrepancies/{discrepancy.pk}/", {"status": "resolved", "note": "x"}, format="json"
    )
    assert response.status_code == 400 and response.json()["detail"]

    client.force_login(staff_user)
    response = client.post(f"/customers/discrepancies/{discrepancy.pk}/resolve/", follow=True)
    assert [m.level_tag for m in response.context["messages"]] == ["error"]
    discrepancy.refresh_from_db()
    assert discrepancy.status == S.CLOSED and discrepancy.resolved_by is None and discrepancy.note == ""
    assert discrepancy.history.count() == 0
    with pytest.raises(ValidationError):
        discrepancy_resolve(discrepancy=discrepancy, by=staff_user)
    with pytest.raises(ValidationError):
        discrepancy_assign(discrepancy=discrepancy, assignee=None, by=staff_user)


def test_a_refused_patch_changes_nothing_at_all(api, staff_user, chen, desk):
    discrepancy = discrepancy_note(discrepancy=find(T.NAME_MISMATCH), note="待核对", by=staff_user)
    Discrepancy.objects.filter(pk=discrepancy.pk).update(status=S.CLOSED, closed_at=timezone.now())
    client = as_user(api, staff_user)
    # The note would be cleared, then the resolution is refused: the clearing is undone with it.
    response = client.patch(f"/api/discrepancies/{discrepancy.pk}/", {"note": "", "status": "resolved"}, format="json")
    assert response.status_code == 400
    response = client.patch(
        f"/api/discrepancies/{discrepancy.pk}/", {"assignee": chen.pk, "status": "done"}, format="json"
    )
    assert response.status_code == 400 and "status" in response.json()
    discrepancy.refresh_from_db()
    assert discrepancy.assignee is None and discrepancy.note == "待核对" and discrepancy.status == S.CLOSED
    # A note is still welcome on a closed discrepancy (why it was closed, for the month's review).
    response = client.patch(f"/api/discrepancies/{discrepancy.pk}/", {"note": "OMD 已更正"}, format="json")
    assert response.status_code == 200 and response.json()["note"] == "OMD 已更正"


def test_resolve_and_reopen_are_guarded_by_the_current_state(staff_user, desk):
    discrepancy = find(T.LATE_INVOICE)
    with pytest.raises(ValidationError):
        discrepancy_reopen(discrepancy=discrepancy, by=staff_user)
    discrepancy = discrepancy_resolve(discrepancy=discrepancy, by=staff_user)
    with pytest.raises(ValidationError):
        discrepancy_resolve(discrepancy=discrepancy, by=staff_user)
    discrepancy = discrepancy_reopen(discrepancy=discrepancy, by=staff_user)
    assert discrepancy.status == S.OPEN and discrepancy.resolved_by is None and discrepancy.resolved_at is None
    assert [r.history_type for r in discrepancy.history.order_by("history_date", "history_id")] == ["+", "~", "~"]


def test_assigning_on_the_page_and_in_the_api(client, api, staff_user, admin_user, liu, chen, desk):
    discrepancy = find(T.LATE_INVOICE)
    client.force_login(staff_user)
    response = client.post(f"/customers/discrepancies/{discrepancy.pk}/assign/", {"assignee": liu.pk}, follow=True)
    assert [m.level_tag for m in response.context["messages"]] == ["success"]
    discrepancy.refresh_from_db()
    assert discrepancy.assignee == liu
    assert discrepancy.history.order_by("-history_date", "-history_id").first().history_user == staff_user

    response = as_user(api, admin_user).patch(
        f"/api/discrepancies/{discrepancy.pk}/", {"assignee": chen.pk}, format="json"
    )
    assert response.json()["assignee"] == {"id": chen.pk, "name": "陈静"}
    response = as_user(api, admin_user).patch(
        f"/api/discrepancies/{discrepancy.pk}/", {"assignee": None}, format="json"
    )
    assert response.json()["assignee"] is None
    assert (
        as_user(api, admin_user)
        .patch(f"/api/discrepancies/{discrepancy.pk}/", {"assignee": 999999}, format="json")
        .status_code
        == 400
    )


def test_an_inactive_colleague_cannot_be_assigned(staff_user, liu, desk):
    liu.active = False
    liu.save()
    with pytest.raises(ValidationError) as refused:
        discrepancy_assign(discrepancy=find(T.LATE_INVOICE), assignee=liu, by=staff_user)
    assert "assignee" in refused.value.error_dict


def test_a_note_is_saved_with_its_author_and_an_unchanged_note_writes_nothing(client, staff_user, desk):
    discrepancy = find(T.ARCHIVE_MISSING)
    client.force_login(staff_user)
    client.post(f"/customers/discrepancies/{discrepancy.pk}/note/", {"note": "  销售部未交档案  "})
    discrepancy.refresh_from_db()
    assert discrepancy.note == "销售部未交档案" and discrepancy.status == S.OPEN
    assert discrepancy.history.count() == 2
    discrepancy_note(discrepancy=discrepancy, note="销售部未交档案", by=staff_user)
    assert discrepancy.history.count() == 2


def test_resolved_work_survives_the_next_reconciliation(staff_user, liu, desk):
    discrepancy = discrepancy_assign(discrepancy=find(T.NAME_MISMATCH), assignee=liu, by=staff_user)
    discrepancy_resolve(discrepancy=discrepancy, by=staff_user, note="已核对")
    reconcile()
    discrepancy.refresh_from_db()
    assert (discrepancy.status, discrepancy.assignee, discrepancy.note, discrepancy.resolved_by) == (
        S.RESOLVED,
        liu,
        "已核对",
        staff_user,
    )


# --- The archive and the invoice side by side -----------------------------------------------------


def differing(html: str) -> set[str]:
    return set(re.findall(r'class="table-warning" data-testid="differs" data-field="(\w+)"', html))


def test_side_by_side_highlights_exactly_the_fields_that_differ(client, staff_user, desk):
    client.force_login(staff_user)
    html = client.get(f"/customers/discrepancies/{find(T.NAME_MISMATCH).pk}/").content.decode()
    assert differing(html) == {"name", "amount"}
    same = set(re.findall(r'class="" data-testid="same" data-field="(\w+)"', html))
    assert same == {"invoice_number", "invoice_date", "timeliness", "vin", "phone"}
    assert "¥129,800.00" in html and "¥128,800.00" in html

    html = client.get(f"/customers/discrepancies/{find(T.LATE_INVOICE).pk}/").content.decode()
    assert differing(html) == {"timeliness"}


def test_side_by_side_compares_names_by_their_normalised_form_and_ignores_a_blank_phone(db, liu):
    record = archive(n=20, consultant=liu, delivery=date(2011, 8, 1), name="李娜", phone="13900001111")
    omd = invoice(n=20, on=date(2011, 8, 9), name="李 娜", phone="", number="99990001")
    discrepancy = Discrepancy.objects.create(
        key=f"invoice_number_mismatch:{record.pk}:{omd.pk}",
        type=T.INVOICE_NUMBER_MISMATCH,
        archive=record,
        invoice=omd,
        month=date(2011, 8, 1),
        consultant=liu,
        archive_value=record.invoice_number,
        omd_value=omd.invoice_number,
        first_seen_at=timezone.now(),
        last_seen_at=timezone.now(),
    )
    rows = {row.key: row for row in discrepancy_side_by_side(discrepancy, deadline_days=3)}
    assert {key for key, row in rows.items() if row.differs} == {"invoice_number", "invoice_date", "timeliness"}
    assert rows["name"].archive_value == "李娜" and rows["name"].omd_value == "李 娜"
    assert "2011-08-04" in rows["timeliness"].archive_value and rows["timeliness"].omd_value == "2011-08-09"
    # Without the year's deadline, the reconciliation's own finding decides: none was recorded here.
    assert not {row.key: row for row in discrepancy_side_by_side(discrepancy)}["timeliness"].differs
    assert {row.key for row in discrepancy_side_by_side(discrepancy, deadline_days=10) if row.differs} == {
        "invoice_number",
        "invoice_date",
    }


def test_a_missing_side_is_shown_empty_with_nothing_highlighted(client, staff_user, desk):
    client.force_login(staff_user)
    html = client.get(f"/customers/discrepancies/{find(T.MISSING_IN_OMD).pk}/").content.decode()
    assert differing(html) == set() and 'data-testid="no-invoice"' in html
    html = client.get(f"/customers/discrepancies/{find(T.ARCHIVE_MISSING).pk}/").content.decode()
    assert differing(html) == set() and 'data-testid="no-archive"' in html
    rows = {row.key: row for row in discrepancy_side_by_side(find(T.ARCHIVE_MISSING))}
    assert rows["name"].archive_value == "" and rows["name"].omd_value == "赵六"


def test_the_record_page_lists_the_other_findings_on_the_same_archive(client, manager_user, desk):
    client.force_login(manager_user)
    html = client.get(f"/customers/discrepancies/{find(T.NAME_MISMATCH).pk}/").content.decode()
    related = html.split('data-testid="related"')[1].split("</table>")[0]
    assert f"/customers/discrepancies/{find(T.AMOUNT_MISMATCH).pk}/" in related


# --- Export ---------------------------------------------------------------------------------------

HEADER = [
    "Month",
    "Type",
    "Sales consultant",
    "Customer",
    "VIN",
    "Archive's value",
    "OMD's value",
    "Status",
    "Assigned to",
    "Note",
    "Resolved by",
    "Resolved at",
]


def read_xlsx(content: bytes) -> list[tuple]:
    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    return list(sheet.iter_rows(values_only=True))


def test_the_export_has_a_header_and_one_row_per_discrepancy_cell_by_cell(staff_user, chen, desk):
    discrepancy = discrepancy_assign(discrepancy=find(T.NAME_MISMATCH), assignee=chen, by=staff_user)
    discrepancy = discrepancy_resolve(discrepancy=discrepancy, by=staff_user, note="已更正")
    resolved_at = timezone.localtime(discrepancy.resolved_at).replace(tzinfo=None, microsecond=0)
    with translation.override("en"):
        rows = read_xlsx(discrepancy_export_xlsx(Discrepancy.objects.filter(pk=discrepancy.pk)))
    assert list(rows[0]) == HEADER
    assert len(rows) == 2
    month, kind, consultant, customer, car, archive_value, omd_value, status, assignee, note, by, at = rows[1]
    assert (month, kind, consultant, customer, car) == ("2011-08", "Name mismatch", "刘洋", "张伟", vin(1))
    assert (archive_value, omd_value, status, assignee, note, by) == (
        "张伟",
        "张卫",
        "Resolved",
        "陈静",
        "已更正",
        "张 专员",
    )
    assert isinstance(at, datetime) and abs(at - resolved_at) <= timedelta(seconds=1)


def test_the_export_shows_an_invoice_without_archive_by_its_own_name_and_vin(staff_user, desk):
    with translation.override("en"):
        rows = read_xlsx(discrepancy_export_xlsx(Discrepancy.objects.filter(type=T.ARCHIVE_MISSING)))
    assert rows[1] == (
        "2011-08",
        "Archive missing",
        None,
        "赵六",
        vin(9),
        None,
        "10000009",
        "Open",
        None,
        None,
        None,
        None,
    )


def test_the_export_link_carries_the_page_filters_and_the_file_holds_those_rows(client, staff_user, liu, desk):
    client.force_login(staff_user)
    client.cookies["django_language"] = "en"
    html = client.get("/customers/discrepancies/", {"month": "2011-08", "consultant": liu.pk, "page": "1"})
    html = html.content.decode()
    link = re.search(r'href="([^"]+)" data-testid="export"', html).group(1).replace("&amp;", "&")
    assert link == f"/customers/discrepancies/export.xlsx?month=2011-08&consultant={liu.pk}"
    response = client.get(link)
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    rows = read_xlsx(response.content)
    assert list(rows[0]) == HEADER
    assert sorted(row[1] for row in rows[1:]) == ["Amount mismatch", "Late invoice", "Name mismatch"]
    assert {row[2] for row in rows[1:]} == {"刘洋"}


def test_the_export_keeps_a_note_and_a_name_that_look_like_formulas_as_text(staff_user, desk):
    hostile = '=HYPERLINK("http://x","y")'
    consultant = StaffFactory(name=hostile)
    discrepancy = find(T.NAME_MISMATCH)
    Discrepancy.objects.filter(pk=discrepancy.pk).update(consultant=consultant, note=hostile)
    content = discrepancy_export_xlsx(Discrepancy.objects.filter(pk=discrepancy.pk))
    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    consultant_cell, note_cell = sheet["C2"], sheet["J2"]
    for cell in (consultant_cell, note_cell):
        assert cell.data_type == "s" and cell.value == "'" + hostile
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        assert "<f>" not in archive.read("xl/worksheets/sheet1.xml").decode()


@pytest.mark.parametrize(("query", "name"), [({"month": "2011-08"}, "差异清单-2011-08.xlsx"), ({}, "差异清单.xlsx")])
def test_the_export_is_named_in_chinese_after_the_month_it_holds(client, staff_user, desk, query, name):
    client.force_login(staff_user)
    response = client.get("/customers/discrepancies/export.xlsx", query)
    assert f"filename*=UTF-8''{quote(name)}" in response["Content-Disposition"]


def test_amounts_keep_both_decimals_on_the_desk_and_in_the_export(client, staff_user, liu):
    archive(n=50, consultant=liu, delivery=date(2011, 8, 10), amount="150000.00")
    invoice(n=50, on=date(2011, 8, 11), amount="150000.01")
    reconcile()
    row = Discrepancy.objects.get(type=T.AMOUNT_MISMATCH)
    assert (row.archive_value, row.omd_value) == ("150000.00", "150000.01")
    client.force_login(staff_user)
    html = client.get("/customers/discrepancies/", {"type": T.AMOUNT_MISMATCH}).content.decode()
    assert "150000.00" in html and "150000.01" in html
    rows = read_xlsx(client.get("/customers/discrepancies/export.xlsx", {"type": T.AMOUNT_MISMATCH}).content)
    assert rows[1][5:7] == ("150000.00", "150000.01")
