"""Callback authenticity (电访真实性), measured from the sales callbacks' outcomes."""

from __future__ import annotations

import datetime as dt

import pytest

from callbacks.models import CallbackTask
from callbacks.selectors import CallbackVerification, sales_callback_verification
from callbacks.services import attempt_log, callbacks_generate
from customers.tests.factories import SalesArchiveFactory, StaffFactory, VehicleFactory

pytestmark = pytest.mark.django_db
AUGUST = dt.date(2011, 8, 1)


def _tasks(count: int, consultant) -> list[CallbackTask]:
    for _ in range(count):
        SalesArchiveFactory(vehicle=VehicleFactory(delivery_date=dt.date(2011, 8, 2)), consultant=consultant)
    callbacks_generate(on=dt.date(2011, 8, 5))
    return list(CallbackTask.objects.filter(archive__consultant=consultant).order_by("pk"))


def test_twenty_archives_fifteen_confirmed_three_failed_two_unanswered(agent_user):
    liu = StaffFactory(name="刘洋")
    outcomes = ["confirmed"] * 15 + ["wrong_number"] * 2 + ["not_buyer"] + ["no_answer"] * 2
    for task, outcome in zip(_tasks(20, liu), outcomes, strict=True):
        attempt_log(task=task, agent=agent_user, outcome=outcome)
    result = sales_callback_verification(start=AUGUST, end=dt.date(2011, 9, 1))
    assert result == {(AUGUST, liu.pk): CallbackVerification(verified=15, failed=3)}
    verification = result[(AUGUST, liu.pk)]
    checked = verification.verified + verification.failed
    assert checked == 18 and round(36 * verification.verified / checked, 2) == 30.00


def test_a_confirmation_after_no_answer_verifies_and_a_refusal_is_not_counted(agent_user):
    wang = StaffFactory(name="王强")
    retried, wrong, refused = _tasks(3, wang)
    attempt_log(task=retried, agent=agent_user, outcome="no_answer")
    attempt_log(task=retried, agent=agent_user, outcome="confirmed")
    attempt_log(task=wrong, agent=agent_user, outcome="wrong_number")
    attempt_log(task=refused, agent=agent_user, outcome="refused")
    result = sales_callback_verification(start=AUGUST, end=dt.date(2011, 9, 1))
    assert result == {(AUGUST, wang.pk): CallbackVerification(verified=1, failed=1)}


def test_deliveries_outside_the_range_are_not_counted(agent_user):
    (task,) = _tasks(1, StaffFactory())
    attempt_log(task=task, agent=agent_user, outcome="confirmed")
    assert sales_callback_verification(start=dt.date(2011, 9, 1), end=dt.date(2011, 10, 1)) == {}
