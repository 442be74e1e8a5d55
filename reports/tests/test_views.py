"""The accuracy page, its .xlsx export and the reopen button: who may, what they see, cell by cell."""

from __future__ import annotations

import io
import re
from datetime import date, timedelta
from decimal import Decimal
from unittest import mock
from urllib.parse import quote

import pytest
from django.conf import settings
from django.utils import timezone
from openpyxl import load_workbook

from customers.models import OmdInvoice
from customers.tests.factories import StaffFactory
from reports.models import AccuracyMonth, AccuracyReopening, AccuracyRule, ReconcileRequest
from reports.tasks import accuracy_reconcile_task
from reports.tests.helpers import AUGUST, make_archive, make_invoice, paired, run

pytestmark = pytest.mark.django_db
URL = "/reports/accuracy/"
EXPORT = "/reports/accuracy/export.xlsx"
JULY = date(2011, 7, 1)


@pytest.fixture
def august():
    """Twenty August archives, one invoiced four days after delivery: timeliness 40 × 19/20 = 38."""
    archives = [make_archive() for _ in range(20)]
    for archive in archives[1:]:
        paired(archive)
    paired(archives[0], days_after=4)
    run()
    return archives


def english(client, user):
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.mark.parametrize(
    ("who", "status"), [("staff", 200), ("manager", 200), ("admin", 200), ("agent", 403), ("norole", 403)]
)
def test_who_may_see_the_accuracy_page_and_its_export(client, cast, august, who, status):
    client.force_login(cast[who])
    assert client.get(URL, {"month": "2011-08"}).status_code == status
    assert client.get(EXPORT, {"month": "2011-08"}).status_code == status


def test_anonymous_visitors_are_sent_to_log_in(client, august):
    response = client.get(URL)
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_the_page_shows_each_item_against_target_and_averages(
    client, manager_user, august, django_assert_max_num_queries
):
    english(client, manager_user)
    # session, user, permissions, roles; month, rules, year to date, months, scores (consultants joined), months
    with django_assert_max_num_queries(15):
        response = client.get(URL, {"month": "2011-08"})
    html = response.content.decode()
    timeliness = re.search(r'<tr data-item="timeliness"[^>]*>(.*?)</tr>', html, re.S)
    assert 'data-below-target="month"' in timeliness.group(0)
    cells = re.findall(r"<td[^>]*>(.*?)</td>", timeliness.group(1), re.S)
    # points, checked, matched, failed, pending, rate, score | ytd checked, matched, rate, score | target,
    # last year's result, regional, national | gap to target (month, ytd) | gap to regional
    assert [c.strip() for c in cells] == [
        "40",
        "20",
        "19",
        "1",
        "0",
        "95.0%",
        "38.00",
        "20",
        "19",
        "95.0%",
        "38.00",
        "38.50",
        "38.00",  # 2010's result, on 2011's rules
        "38.00",
        "38.10",
        "-0.50",
        "-0.50",
        "0.00",
    ]
    name_row = re.search(r'<tr data-item="name"[^>]*>', html).group(0)
    assert "data-below-target" not in name_row
    callback = re.search(r'<tr data-item="callback"[^>]*>(.*?)</tr>', html, re.S).group(1)
    assert "callback authenticity not yet measurable" in callback
    total = re.search(r'<tr data-testid="accuracy-total">(.*?)</tr>', html, re.S).group(1)
    assert 'data-testid="partial"' in total and 'data-cell="total">62.00<' in total
    assert 'data-testid="partial-note"' in html and "64 of 100 points" in html
    assert 'data-status="open"' in html
    assert "Regional avg (2010)" in html


def test_the_page_lists_each_consultant(client, staff_user, august):
    html = english(client, staff_user).get(URL, {"month": "2011-08"}).content.decode()
    table = re.search(r'<table[^>]*data-testid="consultants".*?</table>', html, re.S).group(0)
    late_consultant = august[0].consultant
    row = re.search(rf'<tr data-consultant="{late_consultant.pk}">(.*?)</tr>', table, re.S).group(1)
    assert late_consultant.name in row and "0.00" in row
    assert table.count("<tr data-consultant=") == 20


def test_the_page_defaults_to_the_latest_reconciled_month(client, staff_user, august):
    html = english(client, staff_user).get(URL).content.decode()
    assert 'value="2011-08"' in html and 'data-item="timeliness"' in html


def test_a_month_never_reconciled_says_so(client, staff_user, august):
    response = english(client, staff_user).get(URL, {"month": "2011-03"})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-status="not-reconciled"' in html and 'data-item="timeliness"' not in html
    assert client.get(EXPORT, {"month": "2011-03"}).status_code == 404


@pytest.mark.parametrize("month", ["2011-13", "August", "2011/08", "11-08"])
def test_a_malformed_month_is_refused_with_a_message(client, staff_user, august, month):
    response = english(client, staff_user).get(URL, {"month": month})
    assert response.status_code == 400
    assert "YYYY-MM" in response.content.decode()
    assert client.get(EXPORT, {"month": month}).status_code == 400


def test_the_export_has_the_manufacturer_table_layout_cell_by_cell(client, manager_user, august):
    response = english(client, manager_user).get(EXPORT, {"month": "2011-08"})
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    # Named in Chinese after what it holds, whatever the page's language.
    assert f"filename*=UTF-8''{quote('客户信息准确率-2011-08.xlsx')}" in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Accuracy", "By consultant"]
    sheet = book["Accuracy"]
    assert sheet["A1"].value == "Customer-information accuracy, 2011-08"
    assert sheet["A2"].value == "Status: open"
    assert [c.value for c in sheet[4]] == [
        "Item",
        "Points",
        "2011-08 score",
        "2011 year to date",
        "2010 result",
        "Regional avg (2010)",
        "National avg (2010)",
        "2011 target",
        "Gap to target (month)",
        "Gap to target (year to date)",
        "Gap to regional avg (month)",
        "Gap to regional avg (year to date)",
    ]
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=5, max_row=10)]
    assert rows == [
        ["Invoicing timeliness", 40, 38, 38, 38, 38, 38.1, 38.5, -0.5, -0.5, 0, 0],
        ["Customer name", 12, 12, 12, 11, 10.7, 10.7, 11.5, 0.5, 0.5, 1.3, 1.3],
        ["Invoice amount", 6, 6, 6, 5, 5.4, 5.4, 5.5, 0.5, 0.5, 0.6, 0.6],
        ["Invoice number", 6, 6, 6, 5, 5.1, 5, 5.5, 0.5, 0.5, 0.9, 0.9],
        ["Callback authenticity", 36, None, None, 36, 35.6, 35.2, 36, None, None, None, None],
        # A partial total is not compared with the targets; 2010's result adds up to 95.
        ["Total", 100, 62, 62, 95, 94.8, 94.4, 97, None, None, None, None],
    ]
    assert sheet["C5"].fill.fgColor.rgb.endswith("F8D7DA")  # below target
    assert sheet["C6"].fill.fgColor.rgb in (None, "00000000")
    assert sheet["A11"].value.startswith("month: Callback authenticity not yet measurable")
    assert "64 of 100 points" in sheet["A11"].value
    consultants = book["By consultant"]
    assert consultants["A2"].value == "Sales consultant"
    assert consultants.max_row == 2 + 20
    late = [row for row in consultants.iter_rows(min_row=3, values_only=True) if row[0] == august[0].consultant.name]
    # timeliness checked 1, matched 0, score 0; name 1, 1, 12; …; callback 0, 0, empty; total 24
    assert late == [(august[0].consultant.name, 1, 0, 0, 1, 1, 12, 1, 1, 6, 1, 1, 6, 0, 0, None, 24)]


def test_a_month_with_nothing_checked_shows_and_exports_no_total(client, manager_user):
    make_archive(delivered=date(2011, 8, 31))  # pending: its invoicing deadline has not passed
    run(today=date(2011, 9, 1))
    english(client, manager_user)
    html = client.get(URL, {"month": "2011-08"}).content.decode()
    total = re.search(r'<tr data-testid="accuracy-total">(.*?)</tr>', html, re.S).group(1)
    assert 'data-cell="total">–<' in total and 'data-cell="ytd-total">–<' in total
    sheet = load_workbook(io.BytesIO(client.get(EXPORT, {"month": "2011-08"}).content))["Accuracy"]
    total_row = next(row for row in sheet.iter_rows(min_row=5, values_only=True) if row[0] == "Total")
    assert total_row[1] == 100 and total_row[2] is None and total_row[3] is None


def test_a_frozen_month_shows_the_reopen_button_to_administrators_only(client, cast, august):
    AccuracyMonth.objects.filter(month=AUGUST).update(frozen=True)
    for who, shown in (("admin", True), ("manager", False), ("staff", False)):
        client.force_login(cast[who])
        html = client.get(URL, {"month": "2011-08"}).content.decode()
        assert ('data-testid="reopen-form"' in html) is shown, who
        assert 'data-status="frozen"' in html


@pytest.mark.parametrize("who", ["staff", "manager", "agent", "norole"])
def test_only_administrators_may_reopen_a_month(client, cast, august, who):
    AccuracyMonth.objects.filter(month=AUGUST).update(frozen=True)
    client.force_login(cast[who])
    assert client.post("/reports/accuracy/2011-08/reopen/").status_code == 403
    assert AccuracyMonth.objects.get(month=AUGUST).frozen


def test_an_administrator_reopens_a_frozen_month_and_it_is_recorded(client, admin_user, august):
    AccuracyMonth.objects.filter(month=AUGUST).update(frozen=True)
    client.force_login(admin_user)
    response = client.post("/reports/accuracy/2011-08/reopen/")
    assert response.status_code == 302 and response["Location"] == "/reports/accuracy/?month=2011-08"
    month = AccuracyMonth.objects.get(month=AUGUST)
    assert not month.frozen and month.reopened_by == admin_user
    assert month.history.latest("history_date").history_user == admin_user
    assert client.get("/reports/accuracy/2011-08/reopen/").status_code == 405


def test_reopening_an_open_or_unknown_month_changes_nothing(client, admin_user, august):
    english(client, admin_user)
    response = client.post("/reports/accuracy/2011-08/reopen/", follow=True)
    assert "is not frozen" in response.content.decode()
    assert client.post("/reports/accuracy/2011-03/reopen/").status_code == 404
    assert client.post("/reports/accuracy/2011-3x/reopen/").status_code == 400


# --- last year's result ----------------------------------------------------------------------------


def test_the_page_shows_last_years_result_from_the_year_rules(client, manager_user, august):
    html = english(client, manager_user).get(URL, {"month": "2011-08"}).content.decode()
    last_year = re.findall(r'<tr data-item="(\w+)".*?data-cell="last-year">([^<]*)<', html, re.S)
    assert last_year == [
        ("timeliness", "38.00"),
        ("name", "11.00"),
        ("amount", "5.00"),
        ("invoice_number", "5.00"),
        ("callback", "36.00"),
    ]
    total = re.search(r'<tr data-testid="accuracy-total">(.*?)</tr>', html, re.S).group(1)
    assert 'data-cell="last-year">95.00<' in total
    assert "2010 result" in html


def test_an_administrator_edits_last_years_result_in_the_admin_and_the_history_keeps_it(client, admin_user):
    rule = AccuracyRule.objects.get(year=2011)
    client.force_login(admin_user)
    url = f"/admin/reports/accuracyrule/{rule.pk}/change/"
    form = client.get(url).context["adminform"].form
    data = {name: "" if value is None else value for name, value in form.initial.items() if name in form.fields}
    data["name_last_year"] = "11.5"
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    rule.refresh_from_db()
    assert rule.name_last_year == Decimal("11.50") and rule.timeliness_last_year == Decimal("38.00")
    latest = rule.history.latest("history_date")
    assert latest.history_user == admin_user and latest.name_last_year == Decimal("11.50")
    assert latest.prev_record.name_last_year == Decimal("11.00")


# --- exports: names and hostile text ---------------------------------------------------------------


def test_the_export_is_named_in_chinese_after_its_month(client, manager_user, august):
    client.force_login(manager_user)
    response = client.get(EXPORT, {"month": "2011-08"})
    assert f"filename*=UTF-8''{quote('客户信息准确率-2011-08.xlsx')}" in response["Content-Disposition"]


def test_a_consultant_named_like_a_formula_is_exported_as_text(client, manager_user):
    hostile = '=HYPERLINK("http://x","y")'
    paired(make_archive(consultant=StaffFactory(name=hostile)))
    run()
    client.force_login(manager_user)
    book = load_workbook(io.BytesIO(client.get(EXPORT, {"month": "2011-08"}).content))
    cell = book.worksheets[1]["A3"]
    assert cell.data_type == "s" and cell.value == "'" + hostile


# --- opening on a month with figures ---------------------------------------------------------------


def test_the_page_and_the_api_open_on_the_latest_month_with_figures_not_an_empty_one(client, staff_user, august):
    # September holds only an invoice no archive accounts for: reconciled, but nothing to score.
    make_invoice(number="90000001", invoice_date=date(2011, 9, 2), vin="LSVAU2180N2999990")
    run(today=date(2011, 9, 3))
    assert AccuracyMonth.objects.filter(month=date(2011, 9, 1), reconciled_at__isnull=False).exists()
    html = english(client, staff_user).get(URL).content.decode()
    assert 'value="2011-08"' in html and 'data-item="timeliness"' in html
    assert client.get("/api/accuracy/").json()["month"] == "2011-08"


def test_before_any_reconciliation_the_page_opens_on_the_latest_month_with_archives(client, staff_user):
    make_archive(delivered=date(2011, 6, 10))
    html = english(client, staff_user).get(URL).content.decode()
    assert 'value="2011-06"' in html and 'data-status="not-reconciled"' in html


# --- reopening: days open and what changed ---------------------------------------------------------


def test_the_page_shows_until_when_a_reopened_month_is_open_and_what_changed(client, admin_user, august):
    run(today=date(2011, 9, 20), freeze=True)
    english(client, admin_user)
    client.post("/reports/accuracy/2011-08/reopen/")
    reopening = AccuracyReopening.objects.get()
    assert reopening.open_until == timezone.localdate() + timedelta(days=7)
    # The late invoice is corrected while the month is open.
    late = august[0]
    OmdInvoice.objects.filter(invoice_number=late.invoice_number).update(invoice_date=late.delivery_date)
    run(today=date(2011, 9, 21), month=AUGUST)
    html = client.get(URL, {"month": "2011-08"}).content.decode()
    assert f"open until {reopening.open_until:%Y-%m-%d}" in html
    block = re.search(r'<div class="small mb-2" data-testid="reopening" data-open="1">(.*?)</div>\s*</div>', html, re.S)
    assert block, html
    section = block.group(1)
    assert 'data-cell="before-timeliness">38.00<' in section and 'data-cell="after-timeliness"' in section
    assert re.search(r'data-cell="after-timeliness"[^>]*>40.00<', section)
    assert 'data-cell="before-late_invoice">1<' in section and re.search(
        r'data-cell="after-late_invoice"[^>]*>0<', section
    )


# --- reconcile now ---------------------------------------------------------------------------------


def test_only_administrators_see_and_may_press_reconcile_now(client, cast, august):
    for who in ("staff", "manager", "agent", "norole"):
        client.force_login(cast[who])
        response = client.get(URL, {"month": "2011-08"})
        assert 'data-testid="reconcile-form"' not in response.content.decode(), who
        assert client.post("/reports/accuracy/2011-08/reconcile/").status_code == 403, who
    assert not ReconcileRequest.objects.exists()
    client.force_login(cast["admin"])
    html = client.get(URL, {"month": "2011-08"}).content.decode()
    assert 'data-testid="reconcile-form"' in html
    assert re.search(r'<table[^>]*data-testid="open-months".*?data-month="2011-08"', html, re.S)


def test_a_frozen_month_offers_no_reconcile_now(client, admin_user, august):
    AccuracyMonth.objects.filter(month=AUGUST).update(frozen=True)
    client.force_login(admin_user)
    html = client.get(URL, {"month": "2011-08"}).content.decode()
    assert 'data-testid="reconcile-form"' not in html and 'data-testid="open-months"' not in html
    response = english(client, admin_user).post("/reports/accuracy/2011-08/reconcile/", follow=True)
    assert "2011-08 is frozen" in response.content.decode()
    assert not ReconcileRequest.objects.exists()


def test_reconcile_now_queues_the_nightly_task_after_commit_and_the_page_follows_it(
    client, admin_user, august, django_capture_on_commit_callbacks
):
    english(client, admin_user)
    with mock.patch("reports.tasks.accuracy_reconcile_task.delay") as delay:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            response = client.post("/reports/accuracy/2011-08/reconcile/")
        delay.assert_not_called()  # nothing leaves before the commit
        for callback in callbacks:
            callback()
    request = ReconcileRequest.objects.get()
    delay.assert_called_once_with(request_id=request.pk)
    assert response.status_code == 302 and response["Location"] == "/reports/accuracy/?month=2011-08"
    assert (request.month, request.status, request.requested_by) == (AUGUST, "queued", admin_user)
    html = client.get(URL, {"month": "2011-08"}).content.decode()
    assert re.search(r'data-testid="reconcile-request" data-state="queued" hx-get="[^"]+" hx-trigger="every', html)
    assert re.search(r"<button[^>]*disabled>Reconcile now</button>", html)
    # Pressing again while it waits sends nothing more.
    with mock.patch("reports.tasks.accuracy_reconcile_task.delay") as delay:
        with django_capture_on_commit_callbacks(execute=True):
            client.post("/reports/accuracy/2011-08/reconcile/")
    delay.assert_not_called()
    assert ReconcileRequest.objects.count() == 1
    # The worker runs it: the polled state says done and stops polling.
    accuracy_reconcile_task(request_id=request.pk)
    fragment = client.get("/reports/accuracy/2011-08/reconcile/").content.decode()
    assert 'data-state="done"' in fragment and "hx-get" not in fragment


@pytest.mark.parametrize("month", ["2011-13", "x"])
def test_reconcile_now_refuses_a_malformed_month(client, admin_user, month):
    client.force_login(admin_user)
    assert client.post(f"/reports/accuracy/{month}/reconcile/").status_code == 400
    assert client.get(f"/reports/accuracy/{month}/reconcile/").status_code == 404
    assert not ReconcileRequest.objects.exists()
