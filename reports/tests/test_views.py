"""The accuracy page, its .xlsx export and the reopen button: who may, what they see, cell by cell."""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
from django.conf import settings
from openpyxl import load_workbook

from reports.models import AccuracyMonth
from reports.tests.helpers import AUGUST, make_archive, paired, run

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
    # regional, national | gap to target (month, ytd) | gap to regional
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
    assert "accuracy-2011-08.xlsx" in response["Content-Disposition"]
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
        ["Invoicing timeliness", 40, 38, 38, 38, 38.1, 38.5, -0.5, -0.5, 0, 0],
        ["Customer name", 12, 12, 12, 10.7, 10.7, 11.5, 0.5, 0.5, 1.3, 1.3],
        ["Invoice amount", 6, 6, 6, 5.4, 5.4, 5.5, 0.5, 0.5, 0.6, 0.6],
        ["Invoice number", 6, 6, 6, 5.1, 5, 5.5, 0.5, 0.5, 0.9, 0.9],
        ["Callback authenticity", 36, None, None, 35.6, 35.2, 36, None, None, None, None],
        # A partial total is not compared with the targets.
        ["Total", 100, 62, 62, 94.8, 94.4, 97, None, None, None, None],
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
