"""GET /api/accuracy/ (the stored roll-up, exactly) and POST /api/accuracy/reopen/ (administrators)."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from django.utils import timezone, translation
from rest_framework.test import APIClient

from reports.models import AccuracyMonth
from reports.tests.helpers import AUGUST, make_archive, paired, run

pytestmark = pytest.mark.django_db


@pytest.fixture
def august():
    """Twenty August archives, one invoiced four days after delivery: timeliness 40 × 19/20 = 38."""
    archives = [make_archive() for _ in range(20)]
    for archive in archives[1:]:
        paired(archive)
    paired(archives[0], days_after=4)
    run()


def message(response, msgid: str, **params) -> str:
    """The message as the response's language says it."""
    with translation.override(response["Content-Language"]):
        return translation.gettext(msgid) % params if params else translation.gettext(msgid)


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_the_month_figures_are_exactly_this_json(manager_user, august, django_assert_max_num_queries):
    with django_assert_max_num_queries(5):  # roles, permissions (2); then the month and its dealer-level scores
        response = api(manager_user).get("/api/accuracy/", {"month": "2011-08"})
    assert response.status_code == 200
    assert json.loads(response.content) == {
        "month": "2011-08",
        "frozen": False,
        "items": {
            "timeliness": {"points": 40, "checked": 20, "matched": 19, "rate": 0.95, "score": 38.0},
            "name": {"points": 12, "checked": 20, "matched": 20, "rate": 1.0, "score": 12.0},
            "amount": {"points": 6, "checked": 20, "matched": 20, "rate": 1.0, "score": 6.0},
            "invoice_number": {"points": 6, "checked": 20, "matched": 20, "rate": 1.0, "score": 6.0},
            "callback": {"points": 36, "checked": 0, "matched": 0, "rate": None, "score": None},
        },
        "total": 62.0,
        "partial": True,
    }
    # Numbers are JSON numbers, not strings: whole points as integers, rates and scores as decimals.
    assert '"timeliness":{"points":40,"checked":20,"matched":19,"rate":0.95,"score":38.0}' in response.content.decode()
    assert response.content.decode().endswith('"total":62.0,"partial":true}')


def test_a_month_with_nothing_checked_has_a_null_total(staff_user):
    make_archive(delivered=date(2011, 8, 31))  # pending: its invoicing deadline has not passed
    run(today=date(2011, 9, 1))
    body = api(staff_user).get("/api/accuracy/", {"month": "2011-08"}).json()
    assert body["total"] is None and body["partial"] is True
    assert body["items"]["timeliness"] == {"points": 40, "checked": 0, "matched": 0, "rate": None, "score": None}


def test_without_a_month_the_latest_reconciled_month_is_given(staff_user, august):
    assert api(staff_user).get("/api/accuracy/").json()["month"] == "2011-08"


def test_before_any_reconciliation_the_api_says_so(staff_user):
    response = api(staff_user).get("/api/accuracy/")
    assert response.status_code == 404
    assert response.json() == {"detail": message(response, "No month has been reconciled yet.")}


def test_a_frozen_month_says_so(staff_user, august):
    AccuracyMonth.objects.filter(month=AUGUST).update(frozen=True)
    assert api(staff_user).get("/api/accuracy/", {"month": "2011-08"}).json()["frozen"] is True


def test_a_month_never_reconciled_is_404_with_a_message(staff_user, august):
    response = api(staff_user).get("/api/accuracy/", {"month": "2011-03"})
    assert response.status_code == 404
    assert response.json() == {"detail": message(response, "%(month)s has not been reconciled yet.", month="2011-03")}


@pytest.mark.parametrize("month", ["2011-13", "2011-8-1", "aug", "201108", "2011-00"])
def test_a_malformed_month_is_400(staff_user, august, month):
    response = api(staff_user).get("/api/accuracy/", {"month": month})
    assert response.status_code == 400
    assert response.json()["detail"] == message(response, "Give the month as YYYY-MM, e.g. 2011-08.")


@pytest.mark.parametrize(
    ("who", "status"), [("staff", 200), ("manager", 200), ("admin", 200), ("agent", 403), ("norole", 403)]
)
def test_who_may_read_the_accuracy_api(cast, august, who, status):
    assert api(cast[who]).get("/api/accuracy/", {"month": "2011-08"}).status_code == status


def test_anonymous_callers_are_refused(august):
    assert APIClient().get("/api/accuracy/", {"month": "2011-08"}).status_code in (401, 403)


@pytest.mark.parametrize("who", ["staff", "manager", "agent", "norole"])
def test_only_administrators_may_reopen_through_the_api(cast, august, who):
    AccuracyMonth.objects.filter(month=AUGUST).update(frozen=True)
    assert api(cast[who]).post("/api/accuracy/reopen/", {"month": "2011-08"}).status_code == 403
    assert AccuracyMonth.objects.get(month=AUGUST).frozen


def test_an_administrator_reopens_a_month_through_the_api(admin_user, august):
    AccuracyMonth.objects.filter(month=AUGUST).update(frozen=True)
    response = api(admin_user).post("/api/accuracy/reopen/", {"month": "2011-08"}, format="json")
    assert response.status_code == 200 and response.json()["frozen"] is False
    # Open for 2011's seven days, then the nightly run freezes it again.
    assert response.json()["open_until"] == (timezone.localdate() + timedelta(days=7)).isoformat()
    month = AccuracyMonth.objects.get(month=AUGUST)
    assert month.reopened_by == admin_user and month.history.latest("history_date").history_user == admin_user
    again = api(admin_user).post("/api/accuracy/reopen/", {"month": "2011-08"}, format="json")
    assert again.status_code == 400
    assert again.json()["detail"] == message(again, "%(month)s is not frozen.", month="2011-08")
    assert api(admin_user).post("/api/accuracy/reopen/", {"month": "2011-03"}).status_code == 404
    assert api(admin_user).post("/api/accuracy/reopen/", {"month": "x"}).status_code == 400
