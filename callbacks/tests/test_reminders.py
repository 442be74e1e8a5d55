"""Lifecycle reminders: each rule's due dates, the window, idempotence, do-not-call, the API by kind."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from rest_framework.test import APIClient

from callbacks.models import CallbackTask, InspectionStep, ReminderRule
from callbacks.services import callbacks_generate
from callbacks.services.reminders import add_months, anniversary, inspection_offsets, sources_for
from customers.tests.factories import CustomerFactory, ServiceVisitFactory, VehicleFactory

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")
D = dt.date


def _reminders(kind: str) -> list[tuple]:
    return list(CallbackTask.objects.filter(kind=kind).values_list("event_date", "due_date").order_by("event_date"))


# --- date arithmetic ---------------------------------------------------------------------------------


def test_months_are_added_to_the_months_last_day_when_the_day_does_not_exist():
    assert add_months(D(2011, 1, 31), 1) == D(2011, 2, 28)
    assert add_months(D(2012, 1, 31), 1) == D(2012, 2, 29)
    assert add_months(D(2011, 8, 15), 6) == D(2012, 2, 15)
    assert sources_for(D(2011, 2, 28), 1) == [D(2011, 1, 28), D(2011, 1, 29), D(2011, 1, 30), D(2011, 1, 31)]
    assert sources_for(D(2011, 2, 15), 1) == [D(2011, 1, 15)]


def test_a_leap_day_has_its_anniversary_on_28_february_in_other_years():
    assert anniversary(D(1980, 2, 29), 2011) == D(2011, 2, 28)
    assert anniversary(D(1980, 2, 29), 2012) == D(2012, 2, 29)


def test_the_inspection_schedule_steps_at_6_and_15_years():
    offsets = inspection_offsets(InspectionStep.objects.all())
    years = [m / 12 for m in offsets]
    assert years[:5] == [2, 4, 6, 7, 8]
    assert years[years.index(15) - 1 : years.index(15) + 3] == [14, 15, 15.5, 16]


# --- each rule ----------------------------------------------------------------------------------------


def test_a_birthday_greeting_is_due_seven_days_before_and_created_by_the_first_run_in_the_window():
    CustomerFactory(birthday=D(1975, 8, 20))
    assert callbacks_generate(on=D(2011, 8, 12)).created == 0  # due 13 August: not yet
    # No run on the 13th: the 15th is still in the 7-day window.
    assert callbacks_generate(on=D(2011, 8, 15)).created == 1
    assert _reminders("birthday") == [(D(2011, 8, 20), D(2011, 8, 13))]
    assert callbacks_generate(on=D(2011, 8, 16)).created == 0


def test_a_reminder_whose_window_passed_without_a_run_is_not_created_late():
    CustomerFactory(birthday=D(1975, 8, 20))
    assert callbacks_generate(on=D(2011, 8, 20)).created == 0  # due the 13th; window 13–19
    assert _reminders("birthday") == []


def test_a_29_february_birthday_is_greeted_on_28_february_in_other_years():
    CustomerFactory(birthday=D(1980, 2, 29))
    callbacks_generate(on=D(2011, 2, 21))
    callbacks_generate(on=D(2012, 2, 22))
    assert _reminders("birthday") == [(D(2011, 2, 28), D(2011, 2, 21)), (D(2012, 2, 29), D(2012, 2, 22))]


def test_insurance_is_due_thirty_days_before_each_delivery_anniversary():
    VehicleFactory(delivery_date=D(2010, 9, 30))
    assert callbacks_generate(on=D(2010, 8, 31)).created == 0  # the delivery itself is no anniversary
    callbacks_generate(on=D(2011, 8, 31))
    assert _reminders("insurance") == [(D(2011, 9, 30), D(2011, 8, 31))]


@pytest.mark.parametrize(
    ("delivered", "inspection"),
    [
        (D(2009, 9, 30), D(2011, 9, 30)),  # 2 years
        (D(2005, 9, 30), D(2011, 9, 30)),  # 6 years: the last two-yearly one
        (D(2004, 9, 30), D(2011, 9, 30)),  # 7 years: yearly from year 6
        (D(1996, 9, 30), D(2011, 9, 30)),  # 15 years: the last yearly one
        (D(1996, 3, 30), D(2011, 9, 30)),  # 15½ years: every six months after 15
    ],
)
def test_an_inspection_reminder_follows_the_schedule_by_age(delivered, inspection):
    VehicleFactory(delivery_date=delivered)
    callbacks_generate(on=inspection - dt.timedelta(days=30))
    assert _reminders("inspection") == [(inspection, inspection - dt.timedelta(days=30))]


@pytest.mark.parametrize("delivered", [D(2008, 9, 30), D(2003, 3, 30)])
def test_no_inspection_falls_between_the_schedules_dates(delivered):
    # On 30 September 2011 a car of 3 years (two-yearly until 6) or of 8½ years (yearly until 15) has none.
    VehicleFactory(delivery_date=delivered)
    callbacks_generate(on=D(2011, 8, 31))
    assert _reminders("inspection") == []


def test_the_first_maintenance_is_due_three_months_after_delivery_unless_maintained():
    due = VehicleFactory(delivery_date=D(2011, 5, 20))
    done = VehicleFactory(delivery_date=D(2011, 5, 20))
    ServiceVisitFactory(vehicle=done, kind="maintenance", opened_at=dt.datetime(2011, 7, 1, 9, tzinfo=SHANGHAI))
    callbacks_generate(on=D(2011, 8, 13))
    assert list(
        CallbackTask.objects.filter(kind="first_maintenance").values_list("vehicle", "event_date", "due_date")
    ) == [(due.pk, D(2011, 8, 20), D(2011, 8, 13))]


def test_the_first_maintenance_is_due_at_once_when_a_visit_shows_4500_km_and_only_once():
    car = VehicleFactory(delivery_date=D(2011, 6, 1))
    ServiceVisitFactory(
        vehicle=car, kind="repair", mileage=4600, opened_at=dt.datetime(2011, 7, 10, 9, tzinfo=SHANGHAI)
    )
    callbacks_generate(on=D(2011, 7, 11))
    (task,) = CallbackTask.objects.filter(kind="first_maintenance")
    assert task.due_date == D(2011, 7, 10)
    callbacks_generate(on=D(2011, 8, 25))  # the three-month date's window: it was reminded already
    assert CallbackTask.objects.filter(kind="first_maintenance").count() == 1


def test_regular_maintenance_is_due_six_months_after_the_last_maintenance_visit():
    car = VehicleFactory(delivery_date=D(2009, 1, 10))
    ServiceVisitFactory(vehicle=car, kind="maintenance", opened_at=dt.datetime(2011, 1, 15, 9, tzinfo=SHANGHAI))
    later = VehicleFactory(delivery_date=D(2009, 1, 10))
    ServiceVisitFactory(vehicle=later, kind="maintenance", opened_at=dt.datetime(2011, 1, 15, 9, tzinfo=SHANGHAI))
    ServiceVisitFactory(vehicle=later, kind="maintenance", opened_at=dt.datetime(2011, 4, 2, 9, tzinfo=SHANGHAI))
    callbacks_generate(on=D(2011, 7, 8))
    assert list(CallbackTask.objects.filter(kind="maintenance").values_list("vehicle", "event_date")) == [
        (car.pk, D(2011, 7, 15))
    ]


# --- the nightly job ------------------------------------------------------------------------------------


def test_running_the_same_night_twice_creates_each_reminder_once():
    CustomerFactory(birthday=D(1975, 8, 20))
    VehicleFactory(delivery_date=D(2010, 9, 12))
    first = callbacks_generate(on=D(2011, 8, 13))
    second = callbacks_generate(on=D(2011, 8, 13))
    assert (first.created, second.created) == (2, 0)


def test_do_not_call_is_respected_and_counted_as_skipped():
    CustomerFactory(birthday=D(1975, 8, 20), do_not_call=True, do_not_call_reason="不接受回访")
    result = callbacks_generate(on=D(2011, 8, 13))
    assert (result.created, result.skipped) == (0, 1)


def test_an_inactive_rule_creates_nothing():
    ReminderRule.objects.filter(kind="birthday").update(active=False)
    CustomerFactory(birthday=D(1975, 8, 20))
    assert callbacks_generate(on=D(2011, 8, 13)).created == 0


def test_the_api_lists_reminders_by_kind(manager_user):
    CustomerFactory(birthday=D(1975, 8, 20))
    VehicleFactory(delivery_date=D(2010, 9, 12))
    callbacks_generate(on=D(2011, 8, 13))
    api = APIClient()
    api.force_authenticate(manager_user)
    assert api.get("/api/callback-tasks/", {"kind": "birthday"}).json()["count"] == 1
    assert api.get("/api/callback-tasks/", {"kind": "insurance"}).json()["count"] == 1


def test_reminder_rules_are_read_by_every_role_and_changed_by_administrators(cast):
    rule = ReminderRule.objects.get(kind="insurance")
    for role in ("staff", "agent", "manager"):
        api = APIClient()
        api.force_authenticate(cast[role])
        assert api.get("/api/reminder-rules/").json()["count"] == 5
        assert api.patch(f"/api/reminder-rules/{rule.pk}/", {"lead_days": 20}, format="json").status_code == 403
    api = APIClient()
    api.force_authenticate(cast["admin"])
    response = api.patch(f"/api/reminder-rules/{rule.pk}/", {"lead_days": 20, "window_days": 0}, format="json")
    assert response.status_code == 400 and ReminderRule.objects.get(pk=rule.pk).lead_days == 30
    assert api.patch(f"/api/reminder-rules/{rule.pk}/", {"lead_days": 20}, format="json").json()["lead_days"] == 20
    assert ReminderRule.objects.get(pk=rule.pk).history.first().history_user == cast["admin"]
