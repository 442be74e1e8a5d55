"""Every outcome's effect on the task, the questionnaire's answers and the complaints they open."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from callbacks.models import Answer, CallAttempt, CallbackTask, Complaint
from callbacks.services import TaskHeld, attempt_log, callbacks_generate, complaint_advance, task_take
from customers.models import PhoneCorrection
from customers.tests.factories import SalesArchiveFactory, VehicleFactory

pytestmark = pytest.mark.django_db
S = CallbackTask.Status


@pytest.fixture
def task(db):
    SalesArchiveFactory(vehicle=VehicleFactory(delivery_date=dt.date(2011, 8, 1)))
    callbacks_generate(on=dt.date(2011, 8, 4))
    return CallbackTask.objects.get()


def test_no_answer_is_retried_after_the_delay_then_the_task_is_unreachable(task, agent_user):
    for attempt in (1, 2):
        logged = attempt_log(task=task, agent=agent_user, outcome="no_answer")
        assert (logged.task.status, logged.task.attempt_count, logged.task.agent) == (S.OPEN, attempt, None)
        assert logged.task.next_attempt_at > timezone.now() + dt.timedelta(hours=3)
    busy = attempt_log(task=task, agent=agent_user, outcome="busy")
    assert busy.task.status == S.UNREACHABLE and busy.task.closed_at is not None


def test_call_back_later_keeps_the_task_with_the_agent_at_the_given_time(task, agent_user):
    later = timezone.now() + dt.timedelta(days=1)
    logged = attempt_log(task=task, agent=agent_user, outcome="call_back_later", call_back_at=later)
    assert (logged.task.status, logged.task.agent, logged.task.next_attempt_at) == (S.IN_PROGRESS, agent_user, later)


@pytest.mark.parametrize("outcome", ["wrong_number", "out_of_service", "not_buyer"])
def test_a_wrong_or_mismatched_number_closes_the_task_and_asks_staff_to_check_the_phone(task, agent_user, outcome):
    logged = attempt_log(task=task, agent=agent_user, outcome=outcome)
    assert logged.task.status == S.DONE
    correction = PhoneCorrection.objects.get()
    assert correction.customer == task.customer and correction.old_value == task.customer.mobile
    assert correction.status == PhoneCorrection.Status.PENDING and f"#{task.pk}" in correction.reason


def test_refused_closes_the_task_and_does_nothing_else(task, agent_user):
    assert attempt_log(task=task, agent=agent_user, outcome="refused").task.status == S.DONE
    assert not PhoneCorrection.objects.exists() and not Complaint.objects.exists()


def test_confirmed_answers_are_stored_against_the_version_asked_and_credited_to_the_consultant(task, agent_user):
    logged = attempt_log(task=task, agent=agent_user, outcome="confirmed", answers={"S1": 5, "S3": "4", "S4": ""})
    assert logged.task.status == S.DONE and logged.complaint is None
    version = task.rule.questionnaire.versions.get(status="in_use")
    assert logged.attempt.questionnaire_version == version
    answers = {a.question.code: (a.value, a.staff) for a in Answer.objects.select_related("question")}
    consultant = task.archive.consultant
    assert answers == {"S1": (5, consultant), "S3": (4, consultant)}


def test_a_low_answer_opens_a_complaint_from_the_call(task, agent_user):
    logged = attempt_log(task=task, agent=agent_user, outcome="confirmed", answers={"S1": 5, "S4": 2})
    complaint = logged.complaint
    assert complaint is not None and complaint.attempt == logged.attempt
    assert (complaint.source, complaint.department, complaint.status) == ("callback", "sales", "open")
    assert "S4" in complaint.description
    assert complaint.response_due_at == complaint.opened_at + dt.timedelta(hours=24)


@pytest.mark.parametrize(
    ("answers", "field"),
    [({"S1": 6}, "answers"), ({"S1": 0}, "answers"), ({"S1": 2.5}, "answers"), ({"11.11": 3}, "answers")],
)
def test_an_answer_outside_its_scale_or_not_in_the_version_is_refused_and_nothing_stored(
    task, agent_user, answers, field
):
    with pytest.raises(ValidationError) as error:
        attempt_log(task=task, agent=agent_user, outcome="confirmed", answers=answers)
    assert field in error.value.message_dict
    assert not CallAttempt.objects.exists()
    assert CallbackTask.objects.get().attempt_count == 0


def test_bad_calls_are_refused_with_a_reason(task, agent_user, manager_user):
    with pytest.raises(ValidationError):
        attempt_log(task=task, agent=agent_user, outcome="hung_up")
    with pytest.raises(ValidationError):
        attempt_log(
            task=task, agent=agent_user, outcome="call_back_later", call_back_at=timezone.now() - dt.timedelta(hours=1)
        )
    task_take(task=task, agent=agent_user)
    with pytest.raises(TaskHeld):
        attempt_log(task=task, agent=manager_user, outcome="no_answer")
    attempt_log(task=task, agent=agent_user, outcome="refused")
    with pytest.raises(ValidationError):
        attempt_log(task=task, agent=agent_user, outcome="confirmed")
    assert CallAttempt.objects.count() == 1


def test_taking_a_task_someone_holds_names_the_holder(task, agent_user, manager_user):
    assert task_take(task=task, agent=agent_user).agent == agent_user
    with pytest.raises(TaskHeld) as held:
        task_take(task=task, agent=manager_user)
    assert held.value.holder == agent_user


def test_a_complaint_is_resolved_only_with_its_resolution_and_then_closes(task, agent_user, staff_user):
    complaint = attempt_log(task=task, agent=agent_user, outcome="confirmed", answers={"S2": 1}).complaint
    with pytest.raises(ValidationError):
        complaint_advance(complaint=complaint, status="resolved", by=staff_user)
    with pytest.raises(ValidationError):
        complaint_advance(complaint=complaint, status="closed", by=staff_user)
    complaint = complaint_advance(
        complaint=complaint, status="resolved", resolution="已向客户道歉并补充讲解", by=staff_user
    )
    assert complaint.resolved_at is not None and complaint.history.count() == 2
    assert complaint_advance(complaint=complaint, status="closed", by=staff_user).status == "closed"


def test_resolving_a_complaint_queues_its_follow_up_callback(task, agent_user, staff_user):
    complaint = attempt_log(task=task, agent=agent_user, outcome="confirmed", answers={"S2": 1}).complaint
    complaint_advance(complaint=complaint, status="resolved", resolution="已处理", by=staff_user)
    followup = CallbackTask.objects.get(kind="complaint_followup")
    resolved_on = timezone.localdate(Complaint.objects.get().resolved_at)
    assert followup.complaint == complaint and followup.customer == task.customer
    assert followup.due_date == resolved_on + dt.timedelta(days=1)
    # The nightly generation finds it queued already.
    assert callbacks_generate(on=resolved_on + dt.timedelta(days=1)).created == 0
    assert CallbackTask.objects.filter(kind="complaint_followup").count() == 1


def test_an_overdue_complaint_is_flagged(task, agent_user):
    complaint = attempt_log(task=task, agent=agent_user, outcome="confirmed", answers={"S2": 1}).complaint
    later = complaint.opened_at + dt.timedelta(hours=25)
    assert complaint.is_overdue(later) and Complaint.objects.overdue(later).get() == complaint
    assert not complaint.is_overdue(complaint.opened_at + dt.timedelta(hours=23))


def test_staff_apply_a_wrong_number_proposal_only_with_the_right_number(client, task, agent_user, staff_user):
    attempt_log(task=task, agent=agent_user, outcome="wrong_number")
    correction = PhoneCorrection.objects.get()
    client.force_login(staff_user)
    assert 'data-testid="new-value"' in client.get("/customers/phone-corrections/").content.decode()
    client.post(f"/customers/phone-corrections/{correction.pk}/apply/")
    correction.refresh_from_db()
    assert correction.status == "pending" and task.customer.mobile == type(task.customer).objects.get().mobile
    client.post(f"/customers/phone-corrections/{correction.pk}/apply/", {"new_value": "+86 138-0534-1234"})
    correction.refresh_from_db()
    assert (correction.status, correction.new_value) == ("applied", "13805341234")
    task.customer.refresh_from_db()
    assert task.customer.mobile == "13805341234"


@pytest.mark.parametrize("status", [S.EXPIRED, S.CANCELLED, S.UNREACHABLE, S.DONE])
def test_no_call_is_logged_on_a_closed_task(task, agent_user, status):
    CallbackTask.objects.filter(pk=task.pk).update(status=status)
    with pytest.raises(ValidationError):
        attempt_log(task=task, agent=agent_user, outcome="confirmed", answers={"S1": 5})
    assert not CallAttempt.objects.exists() and not Answer.objects.exists()
    assert CallbackTask.objects.get(pk=task.pk).attempt_count == 0
