"""The desk's page of every kind of call (sales, service, complaint follow-up) takes the same queries
for a short queue and a long one: the events behind the calls are fetched per page, not per row."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from callbacks.models import CallbackTask
from callbacks.services import callbacks_generate, complaint_advance, complaint_open
from customers.tests.factories import SalesArchiveFactory, ServiceVisitFactory, VehicleFactory

pytestmark = pytest.mark.django_db


def _calls_of_every_kind(count: int, staff_user) -> None:
    today = timezone.localdate()
    for _ in range(count):
        archive = SalesArchiveFactory(vehicle=VehicleFactory(delivery_date=today - dt.timedelta(days=4)))
        left = timezone.make_aware(dt.datetime.combine(today - dt.timedelta(days=3), dt.time(10)))
        ServiceVisitFactory(closed_at=left)
        complaint = complaint_open(
            customer=archive.customer, description="等待时间太长", department="sales", by=staff_user
        )
        complaint_advance(complaint=complaint, status="resolved", resolution="已致歉", by=staff_user)
    callbacks_generate(on=today)
    # A follow-up falls due the day after the resolution: bring today's forward.
    CallbackTask.objects.filter(kind="complaint_followup").update(due_date=today)


def _page(client) -> tuple[str, int]:
    with CaptureQueriesContext(connection) as queries:
        html = client.get("/callbacks/").content.decode()
    return html, len(queries)


def test_a_page_of_every_kind_of_call_takes_as_many_queries_for_three_calls_as_for_thirty(
    client, agent_user, staff_user
):
    client.force_login(agent_user)
    _calls_of_every_kind(1, staff_user)
    client.get("/callbacks/")
    html, few = _page(client)
    assert len(re.findall(r'data-testid="task"', html)) == 3
    _calls_of_every_kind(9, staff_user)
    html, many = _page(client)
    assert len(re.findall(r'data-testid="task"', html)) == 30
    assert many == few
    # The "why" column names each call's event: the consultant, the repair order, the complaint.
    for task in CallbackTask.objects.select_related("archive__consultant", "visit"):
        if task.archive:
            assert task.archive.consultant.name in html
        elif task.visit:
            assert task.visit.ro_number in html
        else:
            assert f"#{task.complaint_id}" in html
