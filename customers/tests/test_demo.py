"""The demo data set: loads, loads again without creating anything, and holds only valid values."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from customers.models import Customer, ImportBatch, PhoneCorrection, SalesArchive, ServiceVisit, Vehicle
from customers.selectors import shared_phones
from customers.validators import normalize_phone, normalize_plate, normalize_vin
from dealership_cs.models import Staff

pytestmark = pytest.mark.django_db

MODELS = (Customer, Vehicle, SalesArchive, ServiceVisit, PhoneCorrection, ImportBatch, Staff)


def _counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


@pytest.fixture
def demo():
    call_command("load_demo", stdout=StringIO())


def test_loading_the_demo_twice_creates_nothing_the_second_time(demo):
    first = _counts()
    call_command("load_demo", stdout=StringIO())
    assert _counts() == first
    assert first["Customer"] >= 250 and first["Vehicle"] >= 300 and first["ServiceVisit"] >= 500


def test_every_demo_vin_is_valid(demo):
    for vin in Vehicle.objects.values_list("vin", flat=True):
        assert normalize_vin(vin) == vin


def test_every_demo_phone_is_valid_and_canonical(demo):
    phones = [
        *Customer.objects.values_list("mobile", flat=True),
        *Customer.objects.exclude(phone2="").values_list("phone2", flat=True),
        *Vehicle.objects.exclude(user_phone="").values_list("user_phone", flat=True),
        *SalesArchive.objects.values_list("archive_phone", flat=True),
        *PhoneCorrection.objects.values_list("old_value", flat=True),
        *PhoneCorrection.objects.values_list("new_value", flat=True),
    ]
    assert phones
    for phone in phones:
        assert normalize_phone(phone) == phone


def test_every_demo_plate_is_valid(demo):
    for plate in Vehicle.objects.exclude(plate="").values_list("plate", flat=True):
        assert normalize_plate(plate) == plate


def test_demo_rows_carry_the_demo_import_batch(demo):
    batch = ImportBatch.objects.get(note="demo data")
    assert not Customer.objects.exclude(batch=batch).exists()
    assert not Vehicle.objects.exclude(batch=batch).exists()
    assert batch.counts["customers"] == Customer.objects.count()


def test_demo_has_the_flaws_the_data_quality_pages_show(demo):
    assert shared_phones()[0]["customers"] == 4
    assert Customer.objects.filter(do_not_call=True).exists()
    assert PhoneCorrection.objects.filter(status=PhoneCorrection.Status.PENDING).count() >= 2
