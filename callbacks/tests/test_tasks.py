"""The nightly generation task: scheduled, and safe to run twice."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings

from callbacks.models import CallbackTask
from callbacks.tasks import callbacks_generate_task
from customers.tests.factories import SalesArchiveFactory, VehicleFactory

pytestmark = pytest.mark.django_db


def test_generation_is_scheduled_nightly_by_name():
    entries = [e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == "callbacks.generate"]
    assert len(entries) == 1 and entries[0]["schedule"].hour == {2}


def test_the_task_run_twice_for_a_day_creates_the_tasks_once():
    SalesArchiveFactory(vehicle=VehicleFactory(delivery_date=dt.date(2011, 8, 1)))
    first = callbacks_generate_task("2011-08-04")
    second = callbacks_generate_task("2011-08-04")
    assert (first["created"], second["created"]) == (1, 0)
    assert CallbackTask.objects.count() == 1
