"""The callback desk's API: tasks listed and filtered, take (409 naming the holder), calls, complaints."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone
from rest_framework.test import APIClient

from callbacks.models import CallAttempt, CallbackTask, Complaint
from callbacks.services import callbacks_generate, task_take
from customers.tests.factories import SalesArchiveFactory, VehicleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def tasks(db):
    today = timezone.localdate()
    for _ in range(3):
        SalesArchiveFactory(vehicle=VehicleFactory(delivery_date=today - dt.timedelta(days=4)))
    callbacks_generate(on=today)
    return list(CallbackTask.objects.order_by("pk"))


def _api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_the_task_list_has_the_fields_and_filters(agent_user, tasks):
    api = _api(agent_user)
    body = api.get("/api/callback-tasks/").json()
    assert body["count"] == 3
    first = body["results"][0]
    assert {"id", "kind", "status", "vin", "customer", "due_date", "expires_on", "agent"} <= set(first)
    assert first["vin"] == tasks[0].vehicle.vin and first["agent"] is None
    vin_tail = tasks[1].vehicle.vin[-6:]
    assert [t["id"] for t in api.get("/api/callback-tasks/", {"vin": vin_tail}).json()["results"]] == [tasks[1].pk]
    assert api.get("/api/callback-tasks/", {"status": "done"}).json()["count"] == 0
    later = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    assert api.get("/api/callback-tasks/", {"due_before": later, "kind": "sales"}).json()["count"] == 3


def test_take_answers_200_then_409_with_the_holders_name(agent_user, tasks, django_user_model):
    other = django_user_model.objects.create_user("chen.agent", password="x" * 12, first_name="陈")
    other.groups.add(Group.objects.get(name="callback_agent"))
    response = _api(agent_user).post(f"/api/callback-tasks/{tasks[0].pk}/take/")
    assert response.status_code == 200 and response.json()["agent"] == agent_user.pk
    response = _api(other).post(f"/api/callback-tasks/{tasks[0].pk}/take/")
    assert response.status_code == 409
    assert response.json()["holder"] == {"id": agent_user.pk, "name": agent_user.get_full_name()}


def test_logging_a_call_answers_201_and_a_refusal_400_with_nothing_stored(agent_user, tasks):
    api = _api(agent_user)
    url = f"/api/callback-tasks/{tasks[0].pk}/attempts/"
    assert api.post(url, {"outcome": "hung_up"}, format="json").status_code == 400
    response = api.post(url, {"outcome": "confirmed", "answers": {"S1": 9}}, format="json")
    assert response.status_code == 400 and "answers" in response.json()
    past = (timezone.now() - dt.timedelta(hours=1)).isoformat()
    response = api.post(url, {"outcome": "call_back_later", "call_back_at": past}, format="json")
    assert response.status_code == 400 and "call_back_at" in response.json()
    assert not CallAttempt.objects.exists()
    response = api.post(url, {"outcome": "confirmed", "answers": {"S1": 5, "S4": 1}, "note": "交车晚"}, format="json")
    assert response.status_code == 201
    body = response.json()
    assert body["task"]["status"] == "done" and body["attempt"]["answers"] == {"S1": "5.0", "S4": "1.0"}
    assert body["complaint"] == Complaint.objects.get().pk
    assert api.post(url, {"outcome": "refused"}, format="json").status_code == 400


def test_an_agent_lists_only_the_pool_and_their_own_tasks(agent_user, manager_user, tasks, django_user_model):
    other = django_user_model.objects.create_user("chen.agent", password="x" * 12)
    other.groups.add(Group.objects.get(name="callback_agent"))
    task_take(task=tasks[0], agent=other)
    assert _api(agent_user).get("/api/callback-tasks/").json()["count"] == 2
    assert _api(agent_user).get(f"/api/callback-tasks/{tasks[0].pk}/").status_code == 404
    assert _api(manager_user).get("/api/callback-tasks/").json()["count"] == 3


def test_complaints_go_through_their_flow(staff_user, agent_user, tasks):
    customer = tasks[0].customer
    created = _api(agent_user).post(
        "/api/complaints/",
        {"customer": customer.pk, "department": "service", "description": "等候时间太长"},
        format="json",
    )
    assert created.status_code == 201 and created.json()["status"] == "open"
    pk = created.json()["id"]
    api = _api(staff_user)
    assert api.patch(f"/api/complaints/{pk}/", {"status": "closed"}, format="json").status_code == 400
    assert api.patch(f"/api/complaints/{pk}/", {"status": "resolved"}, format="json").status_code == 400
    assert api.patch(f"/api/complaints/{pk}/", {"owner": staff_user.pk}, format="json").status_code == 400
    response = api.patch(
        f"/api/complaints/{pk}/", {"status": "resolved", "resolution": "已安排快速通道"}, format="json"
    )
    assert response.status_code == 200 and response.json()["resolved_at"]
    assert _api(agent_user).patch(f"/api/complaints/{pk}/", {"status": "closed"}, format="json").status_code == 403
    assert Complaint.objects.get(pk=pk).history.count() == 2


def test_questionnaires_are_read_with_their_questions(agent_user):
    body = _api(agent_user).get("/api/questionnaires/", {"status": "in_use"}).json()
    by_code = {v["code"]: v for v in body["results"]}
    assert [q["code"] for q in by_code["service"]["questions"]][:2] == ["8C2", "9A1"]
    assert len(by_code["sales"]["questions"]) == 6


@pytest.mark.parametrize(
    ("role", "listing", "take", "attempt", "complaint"),
    [
        ("staff", 200, 403, 403, 201),
        ("agent", 200, 200, 201, 201),
        ("manager", 200, 403, 403, 403),
        ("admin", 200, 200, 201, 201),
        ("norole", 403, 403, 403, 403),
    ],
)
def test_who_may_do_what_on_the_api(cast, tasks, role, listing, take, attempt, complaint):
    api = _api(cast[role])
    assert api.get("/api/callback-tasks/").status_code == listing
    assert api.post(f"/api/callback-tasks/{tasks[0].pk}/take/").status_code == take
    assert (
        api.post(f"/api/callback-tasks/{tasks[1].pk}/attempts/", {"outcome": "refused"}, format="json").status_code
        == attempt
    )
    body = {"customer": tasks[0].customer_id, "department": "sales", "description": "测试"}
    assert api.post("/api/complaints/", body, format="json").status_code == complaint


def test_a_call_back_time_outside_the_records_years_is_refused(agent_user, tasks):
    response = _api(agent_user).post(
        f"/api/callback-tasks/{tasks[0].pk}/attempts/",
        {"outcome": "call_back_later", "call_back_at": "0982-10-29T10:00:00+08:00"},
        format="json",
    )
    assert response.status_code == 400 and "call_back_at" in response.json()
    assert not CallAttempt.objects.exists()
