"""The one API base: every viewset derives from it, its rows are the model's visible_to, its errors 400/409."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from unittest import mock

import pytest
from django.db.models import ProtectedError
from django.utils import timezone
from rest_framework.test import APIClient

from callbacks.services import callbacks_generate, complaint_open
from customers.models import Discrepancy, OmdImport, OmdInvoice, PhoneCorrection
from customers.tests.factories import SalesArchiveFactory, ServiceVisitFactory, StaffFactory
from dealership_cs.api.base import BaseViewSet
from dealership_cs.api.urls import router
from dealership_cs.errors import Conflict
from surveys.models import Program
from surveys.services import target_save
from surveys.tests.domain_2010 import load_mot_items_2010, load_ssi_2010

REGISTERED = [(prefix, viewset) for prefix, viewset, _basename in router.registry]


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def one_of_each(db, admin_user):
    """At least one row behind every registered list, so that an empty list means "filtered out"."""
    # Delivered four days ago: the callback generation makes a task for it.
    archive = SalesArchiveFactory(vehicle__delivery_date=timezone.localdate() - timedelta(days=4))
    callbacks_generate(on=timezone.localdate())
    complaint_open(customer=archive.customer, description="等候时间太长", department="service", by=admin_user)
    ServiceVisitFactory()
    PhoneCorrection.objects.create(customer=archive.customer, new_value="13912345678", proposed_by=admin_user)
    OmdImport.objects.create(file_name="omd.xlsx", sha256="0" * 64, uploaded_by=admin_user)
    OmdInvoice.objects.create(
        invoice_number="12345678",
        invoice_date=date(2011, 8, 1),
        customer_name="张伟",
        customer_name_key="张伟",
        vin=archive.vehicle.vin,
        amount=Decimal("129800.00"),
    )
    seen = timezone.now()
    Discrepancy.objects.create(
        type=Discrepancy.Type.MISSING_IN_OMD,
        month=date(2011, 3, 1),
        archive=archive,
        first_seen_at=seen,
        last_seen_at=seen,
    )
    load_ssi_2010()
    load_mot_items_2010()
    target_save(program=Program.objects.get(code="SSI"), year=2010, score=900)
    from care_events.models import CareActivity, CarePlan

    plan = CarePlan.objects.create(year=2011, title="2011", total_budget=Decimal("1000"), owner=admin_user)
    activity = CareActivity.objects.create(
        plan=plan, name="免费检测日", starts_on=date(2011, 5, 1), ends_on=date(2011, 5, 1)
    )
    activity.invitations.create(customer=archive.customer)


def test_every_registered_viewset_derives_from_the_one_base():
    assert REGISTERED
    strays = [viewset.__name__ for _prefix, viewset in REGISTERED if not issubclass(viewset, BaseViewSet)]
    assert strays == []


@pytest.mark.parametrize(("prefix", "viewset"), REGISTERED, ids=[prefix for prefix, _viewset in REGISTERED])
def test_every_list_holds_exactly_the_rows_visible_to_lets_through(api, admin_user, one_of_each, prefix, viewset):
    api.force_authenticate(admin_user)
    listed = api.get(f"/api/{prefix}/")
    assert listed.status_code == 200 and listed.json()["count"] > 0, f"no {prefix} row to hide: add one above"

    queryset_class = type(viewset.queryset)
    seen = []

    def nothing_visible(self, user):
        seen.append(user.pk)
        return self.none()

    with mock.patch.object(queryset_class, "visible_to", nothing_visible, create=False):
        hidden = api.get(f"/api/{prefix}/")
        some_row = viewset.queryset.model._default_manager.order_by("pk").values_list("pk", flat=True).first()
        opened = api.get(f"/api/{prefix}/{some_row}/")
    assert hidden.status_code == 200 and hidden.json()["count"] == 0 and hidden.json()["results"] == []
    assert opened.status_code == 404
    assert admin_user.pk in seen


def test_a_conflict_a_service_raises_answers_409_with_its_reason(api, admin_user):
    person = StaffFactory(name="刘洋")
    api.force_authenticate(admin_user)
    clash = Conflict("刘洋 is on leave.", code="on_leave", details={"until": "2011-09-01"})
    with mock.patch("dealership_cs.services.staff_update", side_effect=clash):
        response = api.patch(f"/api/staff/{person.pk}/", {"phone": "13812345678"}, format="json")
    assert response.status_code == 409
    assert response.json() == {"detail": "刘洋 is on leave.", "code": "on_leave", "until": "2011-09-01"}


def test_a_delete_the_database_protects_answers_409_not_500(api, admin_user):
    person = StaffFactory(name="刘洋")
    archive = SalesArchiveFactory(consultant=person)
    api.force_authenticate(admin_user)
    protected = ProtectedError("protected", {archive})
    with mock.patch("dealership_cs.services.staff_delete", side_effect=protected):
        response = api.delete(f"/api/staff/{person.pk}/")
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "protected" and body["records"] == [
        {"label": str(archive._meta.verbose_name_plural), "count": 1}
    ]


def test_a_refusal_by_field_answers_400_at_that_field(api, admin_user):
    from django.core.exceptions import ValidationError

    person = StaffFactory(name="刘洋")
    api.force_authenticate(admin_user)
    refusal = ValidationError({"phone": ["Not a number we can call."]})
    with mock.patch("dealership_cs.services.staff_update", side_effect=refusal):
        response = api.patch(f"/api/staff/{person.pk}/", {"phone": "13812345678"}, format="json")
    assert response.status_code == 400 and response.json() == {"phone": ["Not a number we can call."]}
