"""Every page of the callback desk, as each role and as a user without one."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from callbacks.models import CallbackTask
from callbacks.services import callbacks_generate, complaint_open
from customers.tests.factories import SalesArchiveFactory, VehicleFactory

pytestmark = pytest.mark.django_db

# page → expected status for staff, agent, manager, admin, no role
PAGES = {
    "/callbacks/": (200, 200, 200, 200, 403),
    "/callbacks/tasks/": (200, 200, 200, 200, 403),
    "/callbacks/tasks/{task}/": (200, 200, 200, 200, 403),
    "/callbacks/complaints/": (200, 200, 200, 200, 403),
    "/callbacks/complaints/{complaint}/": (200, 200, 200, 200, 403),
    "/callbacks/complaints/new/{customer}/": (200, 200, 403, 200, 403),
    "/callbacks/supervision/": (200, 403, 200, 200, 403),
    "/callbacks/rules/": (200, 200, 200, 200, 403),
}


@pytest.fixture
def objects(admin_user):
    SalesArchiveFactory(vehicle=VehicleFactory(delivery_date=timezone.localdate() - dt.timedelta(days=4)))
    callbacks_generate(on=timezone.localdate())
    task = CallbackTask.objects.get()
    complaint = complaint_open(customer=task.customer, description="测试", department="sales", by=admin_user)
    return {"task": task.pk, "complaint": complaint.pk, "customer": task.customer_id}


@pytest.mark.parametrize("page", PAGES)
def test_each_role_gets_each_page_or_is_refused(client, cast, objects, page):
    url = page.format(**objects)
    for role, expected in zip(("staff", "agent", "manager", "admin", "norole"), PAGES[page], strict=True):
        client.force_login(cast[role])
        assert client.get(url).status_code == expected, (role, url)
    client.logout()
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith("/login/")
