"""The desk's pages: the queue, taking a task, logging a call, complaints; who is refused."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.utils import timezone

from callbacks.models import CallAttempt, CallbackTask, Complaint
from callbacks.services import callbacks_generate, task_take
from customers.tests.factories import SalesArchiveFactory, VehicleFactory

pytestmark = pytest.mark.django_db
S = CallbackTask.Status


@pytest.fixture
def tasks(db):
    today = timezone.localdate()
    for _ in range(3):
        SalesArchiveFactory(vehicle=VehicleFactory(delivery_date=today - dt.timedelta(days=4)))
    callbacks_generate(on=today)
    return list(CallbackTask.objects.order_by("pk"))


def _ids(html: str) -> list[int]:
    import re

    return [int(i) for i in re.findall(r'data-testid="task" data-id="(\d+)"', html)]


def test_the_queue_lists_mine_first_then_the_pool(client, agent_user, tasks):
    task_take(task=tasks[2], agent=agent_user)
    client.force_login(agent_user)
    html = client.get("/callbacks/").content.decode()
    assert _ids(html) == [tasks[2].pk, tasks[0].pk, tasks[1].pk]
    assert 'data-testid="count-mine">' in html and tasks[2].customer.mobile in html


def test_the_queue_hides_calls_not_yet_due_or_waiting_for_a_retry(client, agent_user, tasks):
    CallbackTask.objects.filter(pk=tasks[0].pk).update(next_attempt_at=timezone.now() + dt.timedelta(hours=2))
    CallbackTask.objects.filter(pk=tasks[1].pk).update(due_date=timezone.localdate() + dt.timedelta(days=1))
    client.force_login(agent_user)
    assert _ids(client.get("/callbacks/").content.decode()) == [tasks[2].pk]


def test_the_queue_takes_a_fixed_number_of_queries(client, agent_user, tasks, django_assert_max_num_queries):
    client.force_login(agent_user)
    with django_assert_max_num_queries(12):
        client.get("/callbacks/")
    for _ in range(10):
        SalesArchiveFactory(vehicle=VehicleFactory(delivery_date=timezone.localdate() - dt.timedelta(days=4)))
    callbacks_generate(on=timezone.localdate())
    with django_assert_max_num_queries(12):
        assert len(_ids(client.get("/callbacks/").content.decode())) == 13


def test_taking_a_task_opens_the_call_screen_and_a_held_one_names_the_holder(
    client, agent_user, manager_user, tasks, django_user_model
):
    from django.contrib.auth.models import Group

    other = django_user_model.objects.create_user("chen.agent", password="x" * 12, first_name="陈")
    other.groups.add(Group.objects.get(name="callback_agent"))
    client.force_login(agent_user)
    response = client.post(f"/callbacks/tasks/{tasks[0].pk}/take/")
    assert response.status_code == 302 and response["Location"] == f"/callbacks/tasks/{tasks[0].pk}/"
    client.force_login(other)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.post(f"/callbacks/tasks/{tasks[0].pk}/take/", follow=True)
    assert "already taken by" in response.content.decode()
    assert CallbackTask.objects.get(pk=tasks[0].pk).agent == agent_user


def test_logging_a_reached_call_with_a_low_answer_opens_a_complaint(client, agent_user, tasks):
    task = tasks[0]
    client.force_login(agent_user)
    page = client.get(f"/callbacks/tasks/{task.pk}/").content.decode()
    assert 'data-testid="questionnaire"' in page and 'data-question="S1"' in page
    version = task.rule.questionnaire.versions.get(status="in_use")
    s1, s4 = version.questions.get(code="S1"), version.questions.get(code="S4")
    data = {"outcome": "confirmed", f"answer_{s1.pk}": "5", f"answer_{s4.pk}": "1", "note": "客户说交车晚了"}
    response = client.post(f"/callbacks/tasks/{task.pk}/", data)
    assert response.status_code == 302 and response["Location"] == "/callbacks/"
    attempt = CallAttempt.objects.get()
    assert attempt.outcome == "confirmed" and attempt.answers.count() == 2
    complaint = Complaint.objects.get()
    assert complaint.attempt == attempt and "S4" in complaint.description
    assert CallbackTask.objects.get(pk=task.pk).status == S.DONE


def test_a_refused_call_shows_the_reason_and_stores_nothing(client, agent_user, tasks):
    client.force_login(agent_user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    past = (timezone.localtime() - dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(f"/callbacks/tasks/{tasks[0].pk}/", {"outcome": "call_back_later", "call_back_at": past})
    assert response.status_code == 400 and "in the past" in response.content.decode()
    response = client.post(f"/callbacks/tasks/{tasks[0].pk}/", {"outcome": "hung_up"})
    assert response.status_code == 400
    assert not CallAttempt.objects.exists()


def test_answers_to_an_unreached_call_are_ignored(client, agent_user, tasks):
    task = tasks[0]
    question = task.rule.questionnaire.versions.get(status="in_use").questions.first()
    client.force_login(agent_user)
    client.post(f"/callbacks/tasks/{task.pk}/", {"outcome": "no_answer", f"answer_{question.pk}": "5"})
    attempt = CallAttempt.objects.get()
    assert attempt.outcome == "no_answer" and attempt.answers.count() == 0


@pytest.mark.parametrize(
    ("role", "desk", "take", "log"),
    [("staff", 200, 403, 403), ("agent", 200, 302, 302), ("manager", 200, 403, 403), ("norole", 403, 403, 403)],
)
def test_who_may_see_the_desk_take_and_log(client, cast, tasks, role, desk, take, log):
    client.force_login(cast[role])
    assert client.get("/callbacks/").status_code == desk
    assert client.post(f"/callbacks/tasks/{tasks[0].pk}/take/").status_code == take
    assert client.post(f"/callbacks/tasks/{tasks[1].pk}/", {"outcome": "refused"}).status_code == log


def test_an_agent_cannot_open_another_agents_task(client, agent_user, manager_user, tasks, django_user_model):
    from django.contrib.auth.models import Group

    other = django_user_model.objects.create_user("chen.agent", password="x" * 12)
    other.groups.add(Group.objects.get(name="callback_agent"))
    task_take(task=tasks[0], agent=other)
    client.force_login(agent_user)
    assert client.get(f"/callbacks/tasks/{tasks[0].pk}/").status_code == 404
    client.force_login(manager_user)
    assert client.get(f"/callbacks/tasks/{tasks[0].pk}/").status_code == 200


def test_complaints_list_overdue_first_and_staff_move_them_along(client, staff_user, agent_user, tasks):
    from callbacks.services import complaint_open

    customer = tasks[0].customer
    fresh = complaint_open(customer=customer, description="服务态度", department="service", by=agent_user)
    late = complaint_open(customer=customer, description="交车延误", department="sales", by=agent_user)
    Complaint.objects.filter(pk=late.pk).update(resolution_due_at=timezone.now() - dt.timedelta(hours=1))
    client.force_login(staff_user)
    html = client.get("/callbacks/complaints/").content.decode()
    assert html.index(f'data-id="{late.pk}" data-overdue="1"') < html.index(f'data-id="{fresh.pk}" data-overdue="0"')
    response = client.post(f"/callbacks/complaints/{fresh.pk}/", {"status": "resolved", "resolution": ""})
    assert response.status_code == 400 and Complaint.objects.get(pk=fresh.pk).status == "open"
    response = client.post(f"/callbacks/complaints/{fresh.pk}/", {"status": "resolved", "resolution": "已道歉"})
    assert response.status_code == 302 and Complaint.objects.get(pk=fresh.pk).status == "resolved"
    assert CallbackTask.objects.filter(kind="complaint_followup", complaint=fresh).exists()
    client.force_login(agent_user)
    assert client.post(f"/callbacks/complaints/{late.pk}/", {"status": "acknowledged"}).status_code == 403


def test_staff_take_a_walk_in_complaint(client, staff_user, tasks):
    customer = tasks[0].customer
    client.force_login(staff_user)
    response = client.post(
        f"/callbacks/complaints/new/{customer.pk}/",
        {"source": "walk_in", "department": "service", "severity": "high", "description": "洗车不干净"},
    )
    complaint = Complaint.objects.get()
    assert response.status_code == 302 and complaint.source == "walk_in"
    assert complaint.resolution_due_at == complaint.opened_at + dt.timedelta(hours=24)
    assert client.post(f"/callbacks/complaints/new/{customer.pk}/", {"department": "service"}).status_code == 400


def test_the_customer_page_timeline_shows_calls_and_complaints(client, staff_user, agent_user, tasks):
    from callbacks.services import attempt_log

    task = tasks[0]
    logged = attempt_log(task=task, agent=agent_user, outcome="confirmed", answers={"S4": 1})
    client.force_login(staff_user)
    html = client.get(f"/customers/{task.customer_id}/").content.decode()
    assert 'data-kind="call"' in html and f"/callbacks/tasks/{task.pk}/" in html
    assert 'data-kind="complaint"' in html and f"/callbacks/complaints/{logged.complaint.pk}/" in html
