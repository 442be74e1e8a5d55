"""The demo plan: an approved 2011 plan with every kind of activity, loaded once."""

from __future__ import annotations

import pytest

from care_events import demo
from care_events.models import CareActivity, CarePlan
from care_events.selectors import plan_totals

pytestmark = pytest.mark.django_db


def test_the_demo_plan_loads_once_with_each_kind_done_and_overdue_work(staff_user, manager_user):
    demo.load()
    demo.load()
    plan = CarePlan.objects.get()
    assert plan.status == CarePlan.Status.APPROVED and plan.approved_by == manager_user
    kinds = set(CareActivity.objects.values_list("kind", flat=True))
    assert kinds == set(CareActivity.Kind.values)
    totals = plan_totals(plan=plan)
    assert totals.actual_cost > 0 and totals.overdue_nodes > 0 and totals.kpi_achievement is not None
    assert CareActivity.objects.filter(status=CareActivity.Status.DONE).exists()
