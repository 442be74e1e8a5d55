"""The demo's invitations: finished 2011 activities get attendance and satisfaction; loading twice adds nothing."""

from __future__ import annotations

import datetime as dt

import pytest

from care_events import demo_invitations
from care_events.models import CareActivity, Invitation, Kpi
from care_events.tests.invitation_fixtures import make_activity
from customers.tests.factories import VehicleFactory

pytestmark = pytest.mark.django_db


def test_the_demo_fills_attendance_and_satisfaction_once(staff_user):
    VehicleFactory.create_batch(30)
    activity = make_activity(staff_user, status="done")
    CareActivity.objects.filter(pk=activity.pk).update(starts_on=dt.date(2011, 5, 10), ends_on=dt.date(2011, 5, 10))
    activity.plan.year = 2011
    activity.plan.save()
    Kpi.objects.create(activity=activity, name="到场人数", source="attendance", target=10)
    first = demo_invitations.load()
    count = Invitation.objects.filter(activity=activity).count()
    assert count > 0 and "invitations=" in first
    assert Invitation.objects.filter(activity=activity, checked_in_at__isnull=False).exists()
    assert not Invitation.objects.filter(task__isnull=True).exists()
    assert Kpi.objects.get(activity=activity).actual == Invitation.objects.filter(checked_in_at__isnull=False).count()
    assert demo_invitations.load() == "invitations: nothing to add"
    assert Invitation.objects.count() == count
