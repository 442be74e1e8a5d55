"""A 2011 plan with one activity, for the care tests."""

from __future__ import annotations

import pytest
from django.utils import translation

from care_events.tests.factories import CareActivityFactory, CarePlanFactory


@pytest.fixture
def plan(staff_user):
    return CarePlanFactory(year=2011, owner=staff_user)


@pytest.fixture
def activity(plan):
    return CareActivityFactory(plan=plan)


@pytest.fixture
def approved_plan(plan, activity, staff_user, manager_user):
    from care_events.services.plans import plan_approve, plan_submit

    plan_submit(plan=plan, by=staff_user)
    return plan_approve(plan=plan, by=manager_user)


@pytest.fixture(autouse=True)
def _english_messages():
    """Service-level messages are asserted in English (the code's msgids), whatever the catalogue says."""
    with translation.override("en"):
        yield
