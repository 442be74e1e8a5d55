"""The plan's approval flow, its locked budget and revisions, and its totals."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from care_events.models import BudgetRevision, CareActivity, CarePlan
from care_events.selectors import plan_totals, plan_view
from care_events.services.activities import activity_create, activity_update, cost_add, kpi_actual_set, kpi_add
from care_events.services.plans import (
    plan_approve,
    plan_budget_revise,
    plan_close,
    plan_create,
    plan_return,
    plan_submit,
    plan_update,
)
from care_events.tests.factories import CareActivityFactory, CarePlanFactory, CostLineFactory, TimeNodeFactory

pytestmark = pytest.mark.django_db


def test_a_plan_is_created_as_a_draft_with_history(staff_user):
    plan = plan_create(
        year=2012, title=" 2012年客户关怀计划 ", total_budget=Decimal("50000"), owner=staff_user, by=staff_user
    )
    assert plan.status == CarePlan.Status.DRAFT
    assert plan.title == "2012年客户关怀计划"
    assert plan.history.first().history_user == staff_user


def test_a_negative_plan_budget_is_refused_and_nothing_stored(staff_user):
    with pytest.raises(ValidationError) as exc:
        plan_create(year=2012, title="x", total_budget=Decimal("-1"), owner=staff_user, by=staff_user)
    assert "total_budget" in exc.value.error_dict
    assert not CarePlan.objects.exists()


def test_a_second_plan_for_the_same_year_is_refused(plan, staff_user):
    with pytest.raises(ValidationError) as exc:
        plan_create(year=2011, title="again", total_budget=Decimal("1"), owner=staff_user, by=staff_user)
    assert "year" in exc.value.error_dict


def test_approval_records_who_and_when(plan, activity, staff_user, manager_user):
    plan_submit(plan=plan, by=staff_user)
    approved = plan_approve(plan=plan, by=manager_user)
    assert approved.status == CarePlan.Status.APPROVED
    assert approved.approved_by == manager_user
    assert approved.approved_at is not None
    assert approved.history.first().history_change_reason == "Approved"


def test_a_plan_without_activities_cannot_be_approved(plan, staff_user, manager_user):
    plan_submit(plan=plan, by=staff_user)
    with pytest.raises(ValidationError, match="without activities"):
        plan_approve(plan=plan, by=manager_user)
    plan.refresh_from_db()
    assert plan.status == CarePlan.Status.SUBMITTED
    assert plan.approved_by is None


def test_a_plan_whose_only_activities_are_cancelled_cannot_be_approved(plan, staff_user, manager_user):
    CareActivityFactory(plan=plan, status=CareActivity.Status.CANCELLED)
    plan_submit(plan=plan, by=staff_user)
    with pytest.raises(ValidationError):
        plan_approve(plan=plan, by=manager_user)


def test_only_a_manager_approves(plan, activity, staff_user):
    plan_submit(plan=plan, by=staff_user)
    with pytest.raises(PermissionDenied):
        plan_approve(plan=plan, by=staff_user)
    plan.refresh_from_db()
    assert plan.status == CarePlan.Status.SUBMITTED


def test_a_draft_cannot_be_approved_before_it_is_submitted(plan, activity, manager_user):
    with pytest.raises(ValidationError, match="not possible now"):
        plan_approve(plan=plan, by=manager_user)


def test_a_submitted_plan_can_be_sent_back_to_draft(plan, staff_user, manager_user):
    plan_submit(plan=plan, by=staff_user)
    assert plan_return(plan=plan, by=manager_user).status == CarePlan.Status.DRAFT


def test_an_approved_plans_budget_changes_only_through_a_revision(approved_plan, staff_user, manager_user):
    with pytest.raises(ValidationError) as exc:
        plan_update(plan=approved_plan, total_budget=Decimal("1"), by=staff_user)
    assert "total_budget" in exc.value.error_dict
    approved_plan.refresh_from_db()
    assert approved_plan.total_budget == Decimal("100000")

    revision = plan_budget_revise(
        plan=approved_plan, new_budget=Decimal("120000"), reason="加开一场车友会", by=manager_user
    )
    approved_plan.refresh_from_db()
    assert approved_plan.total_budget == Decimal("120000")
    assert (revision.old_budget, revision.new_budget, revision.revised_by) == (
        Decimal("100000"),
        Decimal("120000"),
        manager_user,
    )
    assert approved_plan.history.first().history_change_reason == "加开一场车友会"


def test_a_draft_plans_budget_is_edited_freely(plan, staff_user):
    assert plan_update(plan=plan, total_budget=Decimal("5"), by=staff_user).total_budget == Decimal("5")


def test_a_revision_needs_a_reason_and_a_non_negative_budget(approved_plan, manager_user):
    with pytest.raises(ValidationError) as exc:
        plan_budget_revise(plan=approved_plan, new_budget=Decimal("1"), reason="  ", by=manager_user)
    assert "reason" in exc.value.error_dict
    with pytest.raises(ValidationError) as exc:
        plan_budget_revise(plan=approved_plan, new_budget=Decimal("-1"), reason="x", by=manager_user)
    assert "new_budget" in exc.value.error_dict
    assert not BudgetRevision.objects.exists()


def test_a_draft_plan_has_no_revisions(plan, manager_user):
    with pytest.raises(ValidationError):
        plan_budget_revise(plan=plan, new_budget=Decimal("1"), reason="x", by=manager_user)


def test_an_approved_plans_activity_budget_changes_only_through_a_revision(approved_plan, activity, staff_user):
    with pytest.raises(ValidationError) as exc:
        activity_update(activity=activity, planned_budget=Decimal("1"), by=staff_user)
    assert "planned_budget" in exc.value.error_dict
    with pytest.raises(ValidationError):
        activity_create(
            plan=approved_plan,
            name="新活动",
            starts_on=dt.date(2011, 7, 1),
            ends_on=dt.date(2011, 7, 1),
            planned_budget=Decimal("10"),
            by=staff_user,
        )
    revision = plan_budget_revise(
        plan=approved_plan, activity=activity, new_budget=Decimal("25000"), reason="场地涨价", by=staff_user
    )
    activity.refresh_from_db()
    assert activity.planned_budget == Decimal("25000")
    assert revision.activity == activity and revision.old_budget == Decimal("20000")


def test_a_closed_plan_changes_no_more(approved_plan, activity, manager_user, staff_user):
    plan_close(plan=approved_plan, by=manager_user)
    with pytest.raises(ValidationError, match="closed"):
        plan_update(plan=approved_plan, title="x", by=staff_user)
    with pytest.raises(ValidationError, match="closed"):
        cost_add(activity=activity, item="x", amount=Decimal("1"), spent_on=dt.date(2011, 5, 10), by=staff_user)


def test_plan_totals_and_budget_against_actual(plan, staff_user):
    a = CareActivityFactory(plan=plan, planned_budget=Decimal("20000"))
    b = CareActivityFactory(
        plan=plan, planned_budget=Decimal("30000"), starts_on=dt.date(2011, 9, 1), ends_on=dt.date(2011, 9, 1)
    )
    CareActivityFactory(plan=plan, planned_budget=Decimal("9999"), status=CareActivity.Status.CANCELLED)
    CostLineFactory(activity=a, amount=Decimal("12000.50"))
    CostLineFactory(activity=a, amount=Decimal("9000"))
    CostLineFactory(activity=b, amount=Decimal("1000"))
    kpi_a = kpi_add(activity=a, name="新增保养", target=Decimal("50"), by=staff_user)
    kpi_actual_set(kpi=kpi_a, actual=Decimal("40"), by=staff_user)  # 80 %
    kpi_b = kpi_add(activity=b, name="转介绍", target=Decimal("10"), by=staff_user)
    kpi_actual_set(kpi=kpi_b, actual=Decimal("12"), by=staff_user)  # 120 %
    kpi_add(activity=b, name="未填", target=Decimal("10"), by=staff_user)  # no actual: left out of the mean
    TimeNodeFactory(activity=b, due_on=dt.date(2011, 9, 1))

    totals = plan_totals(plan=plan, today=dt.date(2011, 10, 1))

    assert totals.total_budget == Decimal("100000")
    assert totals.planned_budget == Decimal("50000")
    assert totals.actual_cost == Decimal("22000.50")
    assert totals.remaining == Decimal("77999.50")
    assert totals.kpi_achievement == Decimal("100.0")
    assert totals.overdue_nodes == 1
    assert totals.activities == 2
    rows = {r.activity.pk: r for r in plan_view(plan=plan).rows}
    assert rows[a.pk].actual_cost == Decimal("21000.50")
    assert rows[a.pk].over_budget is True and rows[a.pk].remaining == Decimal("-1000.50")
    assert rows[b.pk].remaining == Decimal("29000")


def test_a_plan_without_anything_has_zero_totals(plan):
    totals = plan_totals(plan=plan)
    assert (totals.planned_budget, totals.actual_cost, totals.kpi_achievement, totals.attended) == (0, 0, None, 0)


def test_the_plan_view_counts_queries_not_activities(plan, django_assert_max_num_queries):
    for _n in range(6):
        a = CareActivityFactory(plan=plan)
        CostLineFactory(activity=a)
        TimeNodeFactory(activity=a)
    with django_assert_max_num_queries(5):
        plan_view(plan=plan)


def test_another_plan_year_is_not_mixed_in(plan):
    other = CarePlanFactory(year=2012, owner=plan.owner)
    CostLineFactory(
        activity=CareActivityFactory(plan=other, starts_on=dt.date(2012, 1, 2), ends_on=dt.date(2012, 1, 2))
    )
    assert plan_totals(plan=plan).actual_cost == 0
