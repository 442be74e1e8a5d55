"""The plan's pages: list, table, timeline, activity page, forms and actions, as each role."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.conf import settings

from care_events.models import CareActivity, CarePlan, CostLine, Kpi, TimeNode
from care_events.tests.factories import CareActivityFactory, CostLineFactory, KpiFactory, TimeNodeFactory

pytestmark = pytest.mark.django_db


def _english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


@pytest.mark.parametrize(
    ("role", "status"), [("staff", 200), ("agent", 200), ("manager", 200), ("admin", 200), ("norole", 403)]
)
def test_who_may_read_the_plan_pages(client, cast, activity, role, status):
    client.force_login(cast[role])
    for url in ("/care/", "/care/plans/2011/", "/care/plans/2011/timeline/", f"/care/activities/{activity.pk}/"):
        assert client.get(url).status_code == status, url


def test_logged_out_is_sent_to_login(client, activity):
    assert client.get("/care/plans/2011/").status_code == 302


def test_an_unknown_year_is_404(client, staff_user, plan):
    client.force_login(staff_user)
    assert client.get("/care/plans/2030/").status_code == 404


@pytest.mark.parametrize(("role", "status"), [("staff", 200), ("admin", 200), ("agent", 403), ("manager", 403)])
def test_who_may_create_a_plan(client, cast, role, status):
    client.force_login(cast[role])
    assert client.get("/care/plans/new/").status_code == status


def test_staff_create_a_plan_and_an_activity(client, staff_user):
    client.force_login(staff_user)
    response = client.post(
        "/care/plans/new/", {"year": 2012, "title": "2012年计划", "total_budget": "80000", "owner": staff_user.pk}
    )
    assert response.status_code == 302 and response["Location"] == "/care/plans/2012/"
    data = {"name": "车友会", "kind": "owner_club", "starts_on": "2012-08-01", "ends_on": "2012-08-02"}
    data |= {"planned_scale": 50, "planned_budget": "6000"}
    response = client.post("/care/plans/2012/activities/new/", data)
    activity = CareActivity.objects.get()
    assert response["Location"] == f"/care/activities/{activity.pk}/"
    assert activity.history.first().history_user == staff_user


def test_an_activity_outside_the_year_is_refused_on_the_form(client, staff_user, plan):
    client.force_login(staff_user)
    _english(client)
    data = {"name": "x", "kind": "other", "starts_on": "2011-12-30", "ends_on": "2012-01-03"}
    data |= {"planned_scale": 1, "planned_budget": "1"}
    response = client.post("/care/plans/2011/activities/new/", data)
    assert response.status_code == 400
    assert "outside the plan&#x27;s year 2011" in response.content.decode()
    assert not CareActivity.objects.exists()


def test_a_negative_budget_on_the_form_is_refused(client, staff_user, plan):
    client.force_login(staff_user)
    data = {"name": "x", "kind": "other", "starts_on": "2011-03-01", "ends_on": "2011-03-01"}
    data |= {"planned_scale": 1, "planned_budget": "-5"}
    assert client.post("/care/plans/2011/activities/new/", data).status_code == 400
    assert not CareActivity.objects.exists()


def test_the_approval_flow_through_the_pages(client, cast, activity, plan):
    client.force_login(cast["staff"])
    assert client.post("/care/plans/2011/approve/").status_code == 403
    client.post("/care/plans/2011/submit/")
    client.force_login(cast["manager"])
    assert client.post("/care/plans/2011/submit/").status_code == 403
    client.post("/care/plans/2011/approve/")
    plan.refresh_from_db()
    assert plan.status == CarePlan.Status.APPROVED and plan.approved_by == cast["manager"]
    page = client.get("/care/plans/2011/").content.decode()
    assert 'data-testid="approved"' in page and 'data-testid="revise"' in page


def test_approving_a_plan_without_activities_says_why(client, cast, plan):
    client.force_login(cast["staff"])
    client.post("/care/plans/2011/submit/")
    client.force_login(cast["manager"])
    _english(client)
    response = client.post("/care/plans/2011/approve/", follow=True)
    assert "A plan without activities cannot be approved" in response.content.decode()
    plan.refresh_from_db()
    assert plan.status == CarePlan.Status.SUBMITTED


def test_a_manager_revises_an_approved_budget_with_a_reason(client, cast, approved_plan):
    client.force_login(cast["staff"])
    assert client.get("/care/plans/2011/revise/").status_code == 403
    client.force_login(cast["manager"])
    assert client.post("/care/plans/2011/revise/", {"new_budget": "1", "reason": ""}).status_code == 400
    response = client.post("/care/plans/2011/revise/", {"new_budget": "150000", "reason": "追加预算"})
    assert response.status_code == 302
    approved_plan.refresh_from_db()
    assert approved_plan.total_budget == Decimal("150000")
    assert "追加预算" in client.get("/care/plans/2011/").content.decode()


def test_the_plan_table_shows_totals_and_flags_overdue_nodes(client, staff_user, plan, activity):
    CostLineFactory(activity=activity, amount=Decimal("25000"))
    TimeNodeFactory(activity=activity, due_on=dt.date(2011, 5, 10))
    client.force_login(staff_user)
    page = client.get("/care/plans/2011/").content.decode()
    assert 'data-testid="overdue-node"' in page
    assert 'data-testid="overdue-count" class="text-danger">1<' in page
    assert re.search(r"data-testid=\"actual-cost\">25000.00<", page)
    timeline = client.get("/care/plans/2011/timeline/").content.decode()
    assert f'data-testid="bar-{activity.pk}"' in timeline and 'data-testid="overdue-node"' in timeline
    assert "<script" not in timeline.split('data-testid="timeline"')[1].split("</main>")[0]


def test_the_plan_page_query_count_does_not_grow_with_activities(
    client, staff_user, plan, django_assert_max_num_queries
):
    for day in range(1, 11):
        a = CareActivityFactory(plan=plan, starts_on=dt.date(2011, 3, day), ends_on=dt.date(2011, 3, day))
        CostLineFactory(activity=a)
        TimeNodeFactory(activity=a, due_on=a.starts_on)
        KpiFactory(activity=a)
    client.force_login(staff_user)
    with django_assert_max_num_queries(16):
        assert client.get("/care/plans/2011/").status_code == 200
    with django_assert_max_num_queries(16):
        assert client.get("/care/plans/2011/timeline/").status_code == 200


def test_the_activity_page_adds_nodes_costs_kpis_and_marks_nodes_done(client, staff_user, activity):
    client.force_login(staff_user)
    url = f"/care/activities/{activity.pk}/"
    assert client.post(url + "node/", {"node-name": "邀约", "node-due_on": "2011-05-10"}).status_code == 302
    node = TimeNode.objects.get()
    assert client.post(url + f"node-done/{node.pk}/").status_code == 302
    node.refresh_from_db()
    assert node.done_at is not None
    client.post(url + "cost/", {"cost-item": "礼品", "cost-amount": "300", "cost-spent_on": "2011-05-10"})
    client.post(url + "kpi/", {"kpi-name": "转介绍", "kpi-source": "typed", "kpi-target": "10"})
    kpi = Kpi.objects.get()
    client.post(url + f"kpi-actual/{kpi.pk}/", {"actual": "8"})
    page = client.get(url).content.decode()
    assert f'data-testid="achievement-{kpi.pk}">80.0%<' in page
    assert re.search(r"data-testid=\"actual-cost\" class=\"\">300.00<", page)
    assert 'id="invitations"' in page
    client.post(url + "status/", {"status": "preparing"})
    activity.refresh_from_db()
    assert activity.status == "preparing"


def test_bad_input_on_the_activity_page_is_refused_at_its_field(client, staff_user, activity):
    client.force_login(staff_user)
    _english(client)
    url = f"/care/activities/{activity.pk}/"
    response = client.post(url + "node/", {"node-name": "邀约", "node-due_on": "2011-06-01"})
    assert response.status_code == 400 and "outside the activity&#x27;s dates" in response.content.decode()
    response = client.post(url + "cost/", {"cost-item": "x", "cost-amount": "-1", "cost-spent_on": "2011-05-10"})
    assert response.status_code == 400
    response = client.post(url + "kpi/", {"kpi-name": "x", "kpi-source": "typed", "kpi-target": ""})
    assert response.status_code == 400
    response = client.post(url + "status/", {"status": "done"})
    assert response.status_code == 400 and 'data-testid="error"' in response.content.decode()
    assert not (TimeNode.objects.exists() or CostLine.objects.exists() or Kpi.objects.exists())


@pytest.mark.parametrize("role", ["agent", "manager"])
def test_readers_cannot_change_an_activity(client, cast, activity, role):
    client.force_login(cast[role])
    url = f"/care/activities/{activity.pk}/"
    assert client.post(url + "node/", {"node-name": "x", "node-due_on": "2011-05-10"}).status_code == 403
    assert client.get(url + "edit/").status_code == 403
    assert 'data-testid="node-form"' not in client.get(url).content.decode()


def test_the_nav_lists_the_care_plans_for_staff(client, staff_user):
    client.force_login(staff_user)
    assert "/care/" in client.get("/").content.decode()
