"""The demo desk: 2011's callbacks measured in the accuracy grade, and a live queue in every state."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from callbacks.models import CallAttempt, CallbackTask, CallOutcome, Complaint
from reports.models import AccuracyScore

pytestmark = pytest.mark.django_db


def test_the_demo_desk_is_alive_in_every_state_measures_accuracy_and_loads_once():
    call_command("load_demo", stdout=StringIO())
    today = timezone.localdate()
    live = CallbackTask.objects.filter(due_date__gt=today - timedelta(days=10))
    assert set(live.values_list("status", flat=True)) == set(CallbackTask.Status.values)
    assert live.filter(status__in=CallbackTask.WORKABLE, due_date__lte=today).exists()
    assert set(CallAttempt.objects.values_list("outcome", flat=True)) == set(CallOutcome.values)
    assert Complaint.objects.filter(status="open").exists() and Complaint.objects.filter(status="resolved").exists()
    scores = AccuracyScore.objects.filter(item="callback", consultant__isnull=True, month__month__year=2011)
    assert scores.count() == 12 and all(s.score is not None and s.checked > 0 for s in scores)

    before = (CallbackTask.objects.count(), CallAttempt.objects.count(), Complaint.objects.count())
    call_command("load_demo", stdout=StringIO())
    assert (CallbackTask.objects.count(), CallAttempt.objects.count(), Complaint.objects.count()) == before
