"""The nightly reminders send only what an earlier night has not created (bench/care.py, "Reading the figures")."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from callbacks.models import CallbackTask
from callbacks.services import callbacks_generate
from customers.tests.factories import CustomerFactory, VehicleFactory

pytestmark = pytest.mark.django_db
D = dt.date


def _task_inserts(captured) -> list[str]:
    # PostgreSQL: INSERT … ON CONFLICT DO NOTHING; SQLite: INSERT OR IGNORE.
    return [q["sql"] for q in captured.captured_queries if q["sql"].startswith("INSERT") and "callbacktask" in q["sql"]]


def test_a_night_inserts_only_the_reminders_no_earlier_night_created():
    # Birthday due 13 August (window of 7 days: every night to the 19th reads it again).
    CustomerFactory(birthday=D(1975, 8, 20))
    VehicleFactory(delivery_date=D(2010, 9, 12))  # insurance due 13 August as well
    assert callbacks_generate(on=D(2011, 8, 13)).created == 2
    with CaptureQueriesContext(connection) as captured:
        result = callbacks_generate(on=D(2011, 8, 14))
    assert result.created == 0
    assert _task_inserts(captured) == []
    assert CallbackTask.objects.filter(kind__in=["birthday", "insurance"]).count() == 2


def test_a_night_counts_what_it_created_beside_what_earlier_nights_did():
    CustomerFactory(birthday=D(1975, 8, 20))
    callbacks_generate(on=D(2011, 8, 13))
    CustomerFactory(birthday=D(1980, 8, 21))  # due the 14th: new that night
    assert callbacks_generate(on=D(2011, 8, 14)).created == 1
    assert CallbackTask.objects.filter(kind="birthday").count() == 2
