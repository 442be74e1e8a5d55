"""An activity's dates, status, nodes, staff, costs and KPIs; bad input is refused with nothing stored."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from care_events.models import CareActivity, CostLine, Invitation, Kpi, StaffAssignment, TimeNode
from care_events.selectors import activity_view, overdue_nodes
from care_events.services.activities import (
    activity_create,
    activity_status_set,
    activity_update,
    cost_add,
    kpi_actual_set,
    kpi_add,
    kpi_refresh,
    node_add,
    node_mark_done,
    staff_assign,
)
from care_events.tests.factories import TimeNodeFactory
from customers.tests.factories import CustomerFactory, StaffFactory

pytestmark = pytest.mark.django_db


def _create(plan, by, **overrides):
    fields = {
        "name": "夏季空调检查",
        "kind": CareActivity.Kind.SEASONAL_CHECK,
        "starts_on": dt.date(2011, 6, 1),
        "ends_on": dt.date(2011, 6, 30),
        "planned_scale": 300,
        "planned_budget": Decimal("15000"),
    }
    return activity_create(plan=plan, by=by, **{**fields, **overrides})


def test_an_activity_is_created_with_the_plans_nine_columns(plan, staff_user):
    activity = _create(
        plan,
        staff_user,
        time_nodes_text="5月20日前邀约",
        key_elements="空调免费检测",
        method="到店",
        content="检测+洗车",
        staff_text="服务顾问2人",
        measures="到场率≥60%",
    )
    assert activity.plan == plan and activity.status == CareActivity.Status.PLANNED
    assert activity.history.first().history_user == staff_user


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"starts_on": dt.date(2011, 6, 30), "ends_on": dt.date(2011, 6, 1)}, "ends_on"),
        ({"starts_on": dt.date(2010, 12, 30)}, "starts_on"),
        ({"ends_on": dt.date(2012, 1, 2)}, "ends_on"),
        ({"planned_budget": Decimal("-1")}, "planned_budget"),
        ({"planned_scale": -5}, "planned_scale"),
    ],
    ids=[
        "ends-before-start",
        "starts-before-the-plan-year",
        "ends-after-the-plan-year",
        "negative-budget",
        "negative-scale",
    ],
)
def test_bad_activity_input_is_refused_at_its_field_and_nothing_stored(plan, staff_user, overrides, field):
    with pytest.raises(ValidationError) as exc:
        _create(plan, staff_user, **overrides)
    assert field in exc.value.error_dict
    assert not CareActivity.objects.exists()


def test_an_activity_ending_before_it_starts_says_so(plan, staff_user):
    with pytest.raises(ValidationError) as exc:
        _create(plan, staff_user, starts_on=dt.date(2011, 6, 30), ends_on=dt.date(2011, 6, 1))
    assert exc.value.message_dict["ends_on"] == ["An activity cannot end before it starts."]


def test_moving_an_activity_out_of_its_year_is_refused(activity, staff_user):
    with pytest.raises(ValidationError):
        activity_update(activity=activity, ends_on=dt.date(2012, 1, 1), by=staff_user)
    activity.refresh_from_db()
    assert activity.ends_on == dt.date(2011, 5, 12)


def test_status_follows_the_activitys_life(activity, staff_user):
    activity_status_set(activity=activity, status="preparing", by=staff_user)
    activity_status_set(activity=activity, status="running", by=staff_user)
    assert activity_status_set(activity=activity, status="done", by=staff_user).status == "done"
    with pytest.raises(ValidationError) as exc:
        activity_status_set(activity=activity, status="planned", by=staff_user)
    assert "status" in exc.value.error_dict


def test_a_planned_activity_cannot_be_done_without_running(activity, staff_user):
    with pytest.raises(ValidationError):
        activity_status_set(activity=activity, status="done", by=staff_user)


def test_a_time_node_outside_the_activitys_dates_is_refused(activity, staff_user):
    with pytest.raises(ValidationError) as exc:
        node_add(activity=activity, name="邀约", due_on=dt.date(2011, 5, 9), by=staff_user)
    assert "outside the activity's dates" in exc.value.message_dict["due_on"][0]
    assert not TimeNode.objects.exists()


def test_a_time_node_records_its_responsible_and_is_ticked_once(activity, staff_user):
    person = StaffFactory()
    node = node_add(activity=activity, name="场地确认", due_on=dt.date(2011, 5, 10), responsible=person, by=staff_user)
    done = node_mark_done(node=node, by=staff_user)
    first = done.done_at
    assert first is not None
    assert node_mark_done(node=node, by=staff_user).done_at == first
    assert node_mark_done(node=node, by=staff_user, done=False).done_at is None


def test_overdue_nodes_are_the_open_ones_past_their_date(activity, staff_user):
    late = TimeNodeFactory(activity=activity, name="late", due_on=dt.date(2011, 5, 10))
    TimeNodeFactory(activity=activity, name="done", due_on=dt.date(2011, 5, 10), done_at=timezone.now())
    TimeNodeFactory(activity=activity, name="today", due_on=dt.date(2011, 5, 11))
    today = dt.date(2011, 5, 11)
    assert list(overdue_nodes(user=staff_user, today=today)) == [late]
    flags = {r.node.name: r.overdue for r in activity_view(activity=activity, today=today).nodes}
    assert flags == {"late": True, "done": False, "today": False}


def test_a_cancelled_activitys_nodes_are_not_overdue(activity, staff_user):
    TimeNodeFactory(activity=activity, due_on=dt.date(2011, 5, 10))
    activity_status_set(activity=activity, status="cancelled", by=staff_user)
    assert not overdue_nodes(user=staff_user, today=dt.date(2011, 6, 1)).exists()
    assert not activity_view(activity=activity, today=dt.date(2011, 6, 1)).nodes[0].overdue


def test_a_staff_member_is_assigned_once_per_activity(activity, staff_user):
    person = StaffFactory()
    staff_assign(activity=activity, staff=person, task="签到", by=staff_user)
    with pytest.raises(ValidationError):
        staff_assign(activity=activity, staff=person, task="again", by=staff_user)
    assert StaffAssignment.objects.count() == 1


def test_a_negative_cost_is_refused(activity, staff_user):
    with pytest.raises(ValidationError) as exc:
        cost_add(activity=activity, item="礼品", amount=Decimal("-0.01"), spent_on=dt.date(2011, 5, 10), by=staff_user)
    assert "amount" in exc.value.error_dict
    assert not CostLine.objects.exists()


def test_costs_make_budget_against_actual(activity, staff_user):
    cost_add(activity=activity, item="礼品", amount=Decimal("15000"), spent_on=dt.date(2011, 5, 10), by=staff_user)
    cost_add(activity=activity, item="餐饮", amount=Decimal("7000"), spent_on=dt.date(2011, 5, 11), by=staff_user)
    row = activity_view(activity=activity)
    assert row.actual_cost == Decimal("22000")
    assert row.remaining == Decimal("-2000") and row.over_budget


@pytest.mark.parametrize("target", [None, "", Decimal("0"), Decimal("-3")])
def test_a_kpi_without_a_target_is_refused(activity, staff_user, target):
    with pytest.raises(ValidationError) as exc:
        kpi_add(activity=activity, name="到场人数", target=target, by=staff_user)
    assert "target" in exc.value.error_dict
    assert not Kpi.objects.exists()


def test_a_typed_kpis_achievement_is_actual_over_target(activity, staff_user):
    kpi = kpi_add(activity=activity, name="新增保养台次", target=Decimal("40"), unit="台", by=staff_user)
    assert kpi.achievement is None
    assert kpi_actual_set(kpi=kpi, actual=Decimal("30"), by=staff_user).achievement == Decimal("75.0")


def test_an_automatic_kpis_actual_is_not_typed(activity, staff_user):
    kpi = kpi_add(activity=activity, name="到场人数", target=Decimal("80"), source=Kpi.Source.ATTENDANCE, by=staff_user)
    with pytest.raises(ValidationError):
        kpi_actual_set(kpi=kpi, actual=Decimal("1"), by=staff_user)


def _invite(activity, n, *, checked_in=0, satisfaction=()):
    rows = []
    for i in range(n):
        rows.append(
            Invitation.objects.create(
                activity=activity,
                customer=CustomerFactory(),
                checked_in_at=timezone.now() if i < checked_in else None,
                satisfaction=satisfaction[i] if i < len(satisfaction) else None,
            )
        )
    return rows


def test_kpis_fill_themselves_from_attendance_and_feedback(activity, staff_user):
    attendance = kpi_add(
        activity=activity, name="到场", target=Decimal("3"), source=Kpi.Source.ATTENDANCE, by=staff_user
    )
    rate = kpi_add(
        activity=activity, name="到场率", target=Decimal("50"), source=Kpi.Source.ATTENDANCE_RATE, by=staff_user
    )
    happy = kpi_add(
        activity=activity, name="满意度", target=Decimal("90"), source=Kpi.Source.SATISFACTION, by=staff_user
    )
    typed = kpi_add(activity=activity, name="转介绍", target=Decimal("5"), by=staff_user)
    assert (attendance.actual, rate.actual, happy.actual) == (Decimal("0"), None, None)

    _invite(activity, 8, checked_in=3, satisfaction=(5, 4, 4))
    kpi_refresh(activity)

    for kpi in (attendance, rate, happy, typed):
        kpi.refresh_from_db()
    assert attendance.actual == Decimal("3") and attendance.achievement == Decimal("100.0")
    assert rate.actual == Decimal("37.50") and rate.unit == "%"  # 3 of 8 invited
    assert happy.actual == Decimal("86.67")  # mean 4.33 of 5
    assert typed.actual is None


def test_kpi_refresh_twice_changes_nothing_more(activity, staff_user):
    kpi_add(activity=activity, name="到场", target=Decimal("3"), source=Kpi.Source.ATTENDANCE, by=staff_user)
    _invite(activity, 2, checked_in=1)
    assert len(kpi_refresh(activity)) == 1
    assert kpi_refresh(activity) == []


def test_attendance_counts_in_the_plan_and_activity(activity, staff_user):
    _invite(activity, 4, checked_in=2)
    row = activity_view(activity=activity)
    assert (row.invited, row.attended) == (4, 2)
