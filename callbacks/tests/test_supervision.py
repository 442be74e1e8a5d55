"""Supervision: reach rate, answers by question, the shadow score on a hand-computed month, the exports."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from callbacks.models import CallbackTask
from callbacks.selectors.supervision import reach_by_month, shadow_scores, tasks_by_agent
from callbacks.services import attempt_log, callbacks_generate
from customers.tests.factories import ServiceVisitFactory
from surveys.models import OfficialScore, Program

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")
CALL_AT = dt.datetime(2011, 8, 10, 10, 0, tzinfo=SHANGHAI)


@pytest.fixture
def august(agent_user):
    """Four service callbacks in August 2011: two reached with answers, one no answer, one wrong number."""
    for _ in range(4):
        ServiceVisitFactory(closed_at=dt.datetime(2011, 8, 5, 17, 0, tzinfo=SHANGHAI))
    callbacks_generate(on=dt.date(2011, 8, 8))
    first, second, third, fourth = CallbackTask.objects.order_by("pk")
    # 11.11: 8 and 10, 8C2: 9 → shares 0.8, 1.0, 0.9 → mean 0.9 → MOT 90.0
    attempt_log(task=first, agent=agent_user, outcome="confirmed", answers={"11.11": 8, "8C2": 9}, started_at=CALL_AT)
    attempt_log(task=second, agent=agent_user, outcome="confirmed", answers={"11.11": 10}, started_at=CALL_AT)
    attempt_log(task=third, agent=agent_user, outcome="no_answer", started_at=CALL_AT)
    attempt_log(task=fourth, agent=agent_user, outcome="wrong_number", started_at=CALL_AT)
    OfficialScore.objects.create(program=Program.objects.get(code="CSS"), year=2011, period=8, score=Decimal("85.9"))


def test_the_shadow_score_maps_the_months_answers_onto_the_programs_scale(august):
    (row,) = [r for r in shadow_scores(year=2011) if r.program == "CSS"]
    assert (row.period, row.answers, row.shadow, row.official) == (8, 3, Decimal("90.0"), Decimal("85.9"))
    assert row.gap == Decimal("4.1")


def test_the_reach_rate_counts_tasks_in_which_somebody_answered(august):
    (row,) = reach_by_month(year=2011)
    # A wrong number reached nobody we were looking for: it counts as attempted, not reached.
    assert (row.month, row.attempted, row.reached, row.rate) == (8, 4, 2, Decimal("50.0"))


def test_tasks_by_agent_counts_each_status(august, agent_user):
    rows = {str(r.agent): r.counts for r in tasks_by_agent(year=2011)}
    assert rows[str(agent_user)] == {"done": 3} and rows["None"] == {"open": 1}


def test_the_page_and_its_exports_read_back_cell_by_cell(client, manager_user, august):
    client.force_login(manager_user)
    html = client.get("/callbacks/supervision/", {"year": 2011}).content.decode()
    assert 'data-program="CSS" data-period="8"' in html and "90.0" in html and "85.9" in html
    response = client.get("/callbacks/supervision/", {"year": 2011, "export": "shadow"})
    assert "filename*=UTF-8''" in response["Content-Disposition"] and "2011.xlsx" in response["Content-Disposition"]
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[1] == ("CSS", 8, 3, 90, 85.9, pytest.approx(4.1))
    response = client.get("/callbacks/supervision/", {"year": 2011, "export": "reach"})
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[1] == (8, 4, 2, 50)
    response = client.get("/callbacks/supervision/", {"year": 2011, "export": "answers"})
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    by_code = {r[1]: r for r in rows[1:]}
    assert by_code["11.11"][3 + 7] == 9 and by_code["8C2"][3 + 7] == 9


@pytest.mark.parametrize(
    ("role", "status"), [("staff", 200), ("manager", 200), ("admin", 200), ("agent", 403), ("norole", 403)]
)
def test_supervision_is_for_managers_and_staff(client, cast, role, status):
    client.force_login(cast[role])
    assert client.get("/callbacks/supervision/").status_code == status


def test_a_bad_year_or_export_is_refused_with_a_message(client, manager_user):
    client.force_login(manager_user)
    assert client.get("/callbacks/supervision/", {"year": "20x1"}).status_code == 400
    assert client.get("/callbacks/supervision/", {"export": "everything"}).status_code == 400


def test_the_agents_and_complaints_exports_read_back_cell_by_cell(client, manager_user, agent_user, august):
    client.force_login(manager_user)
    client.cookies["django_language"] = "en"
    rows = list(
        load_workbook(
            io.BytesIO(client.get("/callbacks/supervision/", {"year": 2011, "export": "agents"}).content)
        ).active.iter_rows(values_only=True)
    )
    assert rows[0] == ("Agent", "Open", "In progress", "Done", "Unreachable", "Expired", "Cancelled", "Total")
    by_agent = {row[0]: row[1:] for row in rows[1:]}
    assert by_agent[agent_user.get_full_name()] == (0, 0, 3, 0, 0, 0, 3)
    assert by_agent["Pool (nobody)"] == (1, 0, 0, 0, 0, 0, 1)
    rows = list(
        load_workbook(
            io.BytesIO(client.get("/callbacks/supervision/", {"year": 2011, "export": "complaints"}).content)
        ).active.iter_rows(values_only=True)
    )
    assert rows[0] == ("Status", "Complaints") and rows[1] == ("Open", 0) and rows[-1] == ("Overdue", 0)
