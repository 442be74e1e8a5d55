"""The accuracy grade's 36 callback-authenticity points, measured from the sales callbacks, end to end:
the roll-up, the page, the API and the export on a hand-computed month."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.conf import settings
from openpyxl import load_workbook
from rest_framework.test import APIClient

from callbacks.models import CallbackTask
from callbacks.services import attempt_log, callbacks_generate
from reports.models import AccuracyMonth, AccuracyScore
from reports.tests.helpers import AUGUST, make_archive, paired, run

pytestmark = pytest.mark.django_db


@pytest.fixture
def august(agent_user):
    """20 archives, all matching OMD; callbacks: 15 confirmed, 2 wrong numbers, 1 not the buyer, 2 no answer."""
    for _ in range(20):
        paired(make_archive())
    callbacks_generate(on=date(2011, 8, 13))
    outcomes = ["confirmed"] * 15 + ["wrong_number"] * 2 + ["not_buyer"] + ["no_answer"] * 2
    for task, outcome in zip(CallbackTask.objects.order_by("pk"), outcomes, strict=True):
        attempt_log(task=task, agent=agent_user, outcome=outcome)
    run()


def test_the_roll_up_scores_36_times_verified_over_checked(august):
    score = AccuracyScore.objects.get(month__month=AUGUST, consultant__isnull=True, item="callback")
    assert (score.checked, score.matched, score.failed, str(score.score)) == (18, 15, 3, "30.00")
    month = AccuracyMonth.objects.get(month=AUGUST)
    assert (str(month.total), month.partial) == ("94.00", False)


def test_the_api_returns_the_callback_item_measured(manager_user, august):
    client = APIClient()
    client.force_authenticate(manager_user)
    body = client.get("/api/accuracy/", {"month": "2011-08"}).json()
    item = body["items"]["callback"]
    assert (item["checked"], item["matched"], item["score"]) == (18, 15, 30.0)
    assert item["rate"] == pytest.approx(15 / 18, abs=1e-6)
    assert body["total"] == 94.0 and body["partial"] is False


def test_the_page_and_the_export_show_it(client, manager_user, august):
    client.force_login(manager_user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get("/reports/accuracy/", {"month": "2011-08"}).content.decode()
    assert "30.00" in html and "94.00" in html
    book = load_workbook(io.BytesIO(client.get("/reports/accuracy/export.xlsx", {"month": "2011-08"}).content))
    rows = {row[0]: row for row in book.worksheets[0].iter_rows(min_row=5, max_row=10, values_only=True)}
    assert rows["Callback authenticity"][2] == 30 and rows["Total"][2] == 94
