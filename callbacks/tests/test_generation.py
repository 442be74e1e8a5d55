"""The nightly queue: due and expiry both ways, idempotence, do-not-call, work returned to the pool."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command

from callbacks.models import CallbackRule, CallbackTask
from callbacks.services import callbacks_generate
from callbacks.services.generation import working_days_before
from customers.tests.factories import SalesArchiveFactory, ServiceVisitFactory, VehicleFactory

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")
S = CallbackTask.Status


def _archive(delivered: dt.date, **extra):
    return SalesArchiveFactory(vehicle=VehicleFactory(delivery_date=delivered), **extra)


def test_the_seeded_rules_are_the_departments():
    sales, service = CallbackRule.objects.get(kind="sales"), CallbackRule.objects.get(kind="service")
    assert (sales.due_after_days, sales.expires_after_days, sales.max_attempts) == (3, 15, 3)
    assert (service.due_after_days, service.expires_after_days) == (2, 10)
    assert sales.questionnaire.versions.get(status="in_use").questions.count() == 6
    assert service.questionnaire.versions.get(status="in_use").questions.count() == 8


def test_a_sales_callback_is_due_three_days_after_delivery_and_not_before():
    archive = _archive(dt.date(2011, 8, 1))
    assert callbacks_generate(on=dt.date(2011, 8, 3)).created == 0
    result = callbacks_generate(on=dt.date(2011, 8, 4))
    assert result.created == 1
    task = CallbackTask.objects.get()
    assert (task.archive, task.customer, task.vehicle) == (archive, archive.customer, archive.vehicle)
    assert (task.due_date, task.expires_on, task.status) == (dt.date(2011, 8, 4), dt.date(2011, 8, 16), S.OPEN)


def test_a_delivery_whose_callback_has_expired_creates_no_task():
    _archive(dt.date(2011, 8, 1))
    assert callbacks_generate(on=dt.date(2011, 8, 16)).created == 0  # day 15: expired
    assert callbacks_generate(on=dt.date(2011, 8, 15)).created == 1  # day 14: the last day


def test_a_service_callback_follows_the_local_day_the_car_left():
    # 23:30 in Shanghai on 1 August is still 1 August there (15:30 UTC).
    ServiceVisitFactory(closed_at=dt.datetime(2011, 8, 1, 23, 30, tzinfo=SHANGHAI))
    ServiceVisitFactory(closed_at=None)
    assert callbacks_generate(on=dt.date(2011, 8, 2)).created == 0
    assert callbacks_generate(on=dt.date(2011, 8, 3)).created == 1
    task = CallbackTask.objects.get()
    assert task.kind == "service" and task.event_date == dt.date(2011, 8, 1) and task.expires_on == dt.date(2011, 8, 11)


def test_generating_twice_for_the_same_day_creates_nothing_more():
    for day in (1, 2, 3):
        _archive(dt.date(2011, 8, day))
    first = callbacks_generate(on=dt.date(2011, 8, 6))
    second = callbacks_generate(on=dt.date(2011, 8, 6))
    assert (first.created, second.created) == (3, 0)
    assert CallbackTask.objects.count() == 3


def test_open_tasks_past_their_expiry_expire_and_done_ones_stay():
    _archive(dt.date(2011, 8, 1))
    _archive(dt.date(2011, 8, 2))
    callbacks_generate(on=dt.date(2011, 8, 5))
    done = CallbackTask.objects.get(archive__delivery_date=dt.date(2011, 8, 2))
    CallbackTask.objects.filter(pk=done.pk).update(status=S.DONE)
    result = callbacks_generate(on=dt.date(2011, 8, 16))
    assert result.expired == 1
    assert set(CallbackTask.objects.values_list("status", flat=True)) == {S.EXPIRED, S.DONE}
    assert callbacks_generate(on=dt.date(2011, 8, 16)).expired == 0


def test_a_do_not_call_customer_gets_no_task_and_queued_ones_are_cancelled(agent_user):
    barred = _archive(dt.date(2011, 8, 1))
    barred.customer.do_not_call, barred.customer.do_not_call_reason = True, "客户要求"
    barred.customer.save()
    _archive(dt.date(2011, 8, 1))
    result = callbacks_generate(on=dt.date(2011, 8, 4))
    assert (result.created, result.skipped) == (1, 1)
    queued = CallbackTask.objects.get()
    queued.customer.do_not_call, queued.customer.do_not_call_reason = True, "投诉后要求"
    queued.customer.save()
    # The first customer's delivery is skipped again, and the queued call is cancelled.
    assert callbacks_generate(on=dt.date(2011, 8, 5)).skipped == 2
    assert CallbackTask.objects.get().status == S.CANCELLED


def test_held_work_more_than_one_working_day_overdue_returns_to_the_pool(agent_user):
    _archive(dt.date(2011, 8, 1))  # due Thursday 4 August
    callbacks_generate(on=dt.date(2011, 8, 4))
    CallbackTask.objects.update(agent=agent_user, status=S.IN_PROGRESS)
    # Friday: one working day overdue, still held. Monday: Friday was the one day; held since Thursday.
    assert callbacks_generate(on=dt.date(2011, 8, 5)).returned == 0
    assert callbacks_generate(on=dt.date(2011, 8, 8)).returned == 1
    task = CallbackTask.objects.get()
    assert (task.agent, task.status) == (None, S.OPEN)


def test_working_days_skip_the_weekend():
    assert working_days_before(dt.date(2011, 8, 8), 1) == dt.date(2011, 8, 5)  # Monday → Friday
    assert working_days_before(dt.date(2011, 8, 5), 1) == dt.date(2011, 8, 4)


def test_the_command_prints_the_counts_line(capsys):
    _archive(dt.date(2011, 8, 1))
    call_command("generate_callbacks", "--date", "2011-08-04")
    assert capsys.readouterr().out.strip().splitlines()[-1] == "created=1 expired=0 returned=0 skipped=0"
