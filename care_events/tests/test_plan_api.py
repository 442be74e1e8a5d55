"""/api/care-plans/ and /api/care-activities/: the same services as the pages, the same roles."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from care_events.models import CareActivity, CarePlan, CostLine, Kpi, TimeNode
from care_events.tests.factories import CareActivityFactory, CostLineFactory, KpiFactory, TimeNodeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return APIClient()


@pytest.mark.parametrize(
    ("role", "status"), [("staff", 200), ("agent", 200), ("manager", 200), ("admin", 200), ("norole", 403)]
)
def test_who_may_read_plans_and_activities(api, cast, activity, role, status):
    api.force_authenticate(cast[role])
    assert api.get("/api/care-plans/").status_code == status
    assert api.get("/api/care-activities/").status_code == status


def test_anonymous_is_refused(api, activity):
    assert api.get("/api/care-plans/").status_code in (401, 403)


def test_an_activity_reads_with_its_nodes_staff_costs_and_kpis(api, staff_user, activity):
    TimeNodeFactory(activity=activity, due_on=dt.date(2011, 5, 10))
    CostLineFactory(activity=activity, amount=Decimal("500"))
    KpiFactory(activity=activity, target=Decimal("50"), actual=Decimal("40"))
    api.force_authenticate(staff_user)
    body = api.get(f"/api/care-activities/{activity.pk}/").json()
    assert body["nodes"][0]["overdue"] is True
    assert body["costs"][0]["amount"] == "500.00" and body["actual_cost"] == "500.00"
    assert body["kpis"][0]["achievement"] == "80.0"


def test_the_activity_list_query_count_is_flat(api, staff_user, plan, django_assert_max_num_queries):
    for day in range(1, 11):
        a = CareActivityFactory(plan=plan, starts_on=dt.date(2011, 4, day), ends_on=dt.date(2011, 4, day))
        TimeNodeFactory(activity=a, due_on=a.starts_on)
        CostLineFactory(activity=a)
        KpiFactory(activity=a)
    api.force_authenticate(staff_user)
    with django_assert_max_num_queries(12):
        assert len(api.get("/api/care-activities/").json()["results"]) == 10


@pytest.mark.parametrize(("role", "status"), [("staff", 201), ("admin", 201), ("agent", 403), ("manager", 403)])
def test_who_may_create_an_activity(api, cast, plan, role, status):
    api.force_authenticate(cast[role])
    data = {"plan": plan.pk, "name": "讲座", "kind": "lecture", "starts_on": "2011-04-01", "ends_on": "2011-04-01"}
    assert api.post("/api/care-activities/", data).status_code == status


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"starts_on": "2011-04-02", "ends_on": "2011-04-01"}, "ends_on"),
        ({"starts_on": "2011-04-01", "ends_on": "2012-04-01"}, "ends_on"),
        ({"starts_on": "2011-04-01", "ends_on": "2011-04-01", "planned_budget": "-1"}, "planned_budget"),
        ({"starts_on": "2011-04-01", "ends_on": "2011-04-01", "planned_scale": -1}, "planned_scale"),
    ],
)
def test_bad_activities_answer_400_at_their_field(api, staff_user, plan, data, field):
    api.force_authenticate(staff_user)
    response = api.post("/api/care-activities/", {"plan": plan.pk, "name": "x", "kind": "other", **data})
    assert response.status_code == 400 and field in response.json()
    assert not CareActivity.objects.exists()


def test_nodes_costs_and_kpis_are_added_through_the_services(api, staff_user, activity):
    api.force_authenticate(staff_user)
    base = f"/api/care-activities/{activity.pk}"
    assert api.post(f"{base}/nodes/", {"name": "邀约", "due_on": "2011-06-01"}).status_code == 400
    assert api.post(f"{base}/nodes/", {"name": "邀约", "due_on": "2011-05-11"}).status_code == 201
    assert api.post(f"{base}/costs/", {"item": "x", "amount": "-1", "spent_on": "2011-05-10"}).status_code == 400
    assert api.post(f"{base}/costs/", {"item": "x", "amount": "10", "spent_on": "2011-05-10"}).status_code == 201
    response = api.post(f"{base}/kpis/", {"name": "到场", "source": "typed"})
    assert response.status_code == 400 and "target" in response.json()
    assert api.post(f"{base}/kpis/", {"name": "到场", "target": "10"}).status_code == 201
    kpi = Kpi.objects.get()
    assert api.post(f"{base}/kpis/{kpi.pk}/actual/", {"actual": "5"}).json()["achievement"] == "50.0"
    node = TimeNode.objects.get()
    assert api.post(f"{base}/nodes/{node.pk}/done/").json()["nodes"][0]["done_at"] is not None
    assert api.post(f"{base}/status/", {"status": "done"}).status_code == 400
    assert api.post(f"{base}/status/", {"status": "preparing"}).json()["status"] == "preparing"
    assert (TimeNode.objects.count(), CostLine.objects.count(), Kpi.objects.count()) == (1, 1, 1)


def test_readers_cannot_add_to_an_activity(api, agent_user, activity):
    api.force_authenticate(agent_user)
    assert (
        api.post(
            f"/api/care-activities/{activity.pk}/costs/", {"item": "x", "amount": "1", "spent_on": "2011-05-10"}
        ).status_code
        == 403
    )


def test_the_approval_flow_and_revision_through_the_api(api, cast, plan, activity):
    api.force_authenticate(cast["staff"])
    assert api.post(f"/api/care-plans/{plan.pk}/approve/").status_code == 403
    assert api.post(f"/api/care-plans/{plan.pk}/submit/").json()["status"] == "submitted"
    api.force_authenticate(cast["manager"])
    assert api.post(f"/api/care-plans/{plan.pk}/submit/").status_code == 403
    body = api.post(f"/api/care-plans/{plan.pk}/approve/").json()
    assert body["status"] == "approved" and body["approved_by"] == cast["manager"].pk
    api.force_authenticate(cast["staff"])
    assert api.patch(f"/api/care-plans/{plan.pk}/", {"total_budget": "1"}).status_code == 400
    assert api.post(f"/api/care-plans/{plan.pk}/revise/", {"new_budget": "1", "reason": "x"}).status_code == 403
    api.force_authenticate(cast["manager"])
    assert api.post(f"/api/care-plans/{plan.pk}/revise/", {"new_budget": "1", "reason": ""}).status_code == 400
    assert (
        api.post(f"/api/care-plans/{plan.pk}/revise/", {"new_budget": "90000", "reason": "压缩"}).json()["total_budget"]
        == "90000.00"
    )


def test_approving_a_plan_without_activities_answers_400(api, cast, plan):
    api.force_authenticate(cast["staff"])
    api.post(f"/api/care-plans/{plan.pk}/submit/")
    api.force_authenticate(cast["manager"])
    response = api.post(f"/api/care-plans/{plan.pk}/approve/")
    assert response.status_code == 400 and "detail" in response.json()
    assert CarePlan.objects.get().status == "submitted"


def test_a_plan_is_created_through_the_api(api, staff_user):
    api.force_authenticate(staff_user)
    data = {"year": 2013, "title": "2013", "total_budget": "-1", "owner": staff_user.pk}
    assert api.post("/api/care-plans/", data).status_code == 400
    data["total_budget"] = "1000"
    assert api.post("/api/care-plans/", data).status_code == 201
    assert api.post("/api/care-plans/", data).status_code == 400  # one plan per year
