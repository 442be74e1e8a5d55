"""factory_boy factories for customer records, shared by every test module that needs them.

Values are valid and canonical (what the validators would store), unique per sequence, and
deterministic, so a test only spells out what it is about. The factories write straight to
the table (no service, no full_clean); build records through the services when the service
itself is under test.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import factory
from factory.django import DjangoModelFactory

from customers.models import Customer, SalesArchive, ServiceVisit, Vehicle
from customers.validators import vin_with_check_digit
from dealership_cs.models import Staff

SHANGHAI = ZoneInfo("Asia/Shanghai")


class StaffFactory(DjangoModelFactory):
    """A sales consultant (销售顾问) by default."""

    class Meta:
        model = Staff

    name = factory.Sequence(lambda n: f"顾问{n}")
    department = Staff.Department.SALES
    position = Staff.Position.SALES_CONSULTANT


class CustomerFactory(DjangoModelFactory):
    class Meta:
        model = Customer

    # Customer.save() derives name_key from the name.
    name = factory.Sequence(lambda n: f"客户{n}")
    mobile = factory.Sequence(lambda n: f"139{n:08d}")


class VehicleFactory(DjangoModelFactory):
    class Meta:
        model = Vehicle

    # A Shanghai-Volkswagen-style VIN whose 9th character is the right check digit.
    vin = factory.Sequence(lambda n: vin_with_check_digit(f"LSVAU2180N2{n:06d}"))
    plate = factory.Sequence(lambda n: f"鲁N{n:05d}")
    model_name = "朗逸"
    delivery_date = date(2011, 3, 15)
    holder = factory.SubFactory(CustomerFactory)


class SalesArchiveFactory(DjangoModelFactory):
    class Meta:
        model = SalesArchive

    vehicle = factory.SubFactory(VehicleFactory)
    customer = factory.LazyAttribute(lambda o: o.vehicle.holder)
    consultant = factory.SubFactory(StaffFactory)
    delivery_date = factory.LazyAttribute(lambda o: o.vehicle.delivery_date or date(2011, 3, 15))
    invoice_number = factory.Sequence(lambda n: f"{n + 1:08d}")
    invoice_date = date(2011, 3, 10)
    invoice_amount = Decimal("129800.00")
    invoice_name = factory.LazyAttribute(lambda o: o.customer.name)
    archive_phone = factory.LazyAttribute(lambda o: o.customer.mobile)


class ServiceVisitFactory(DjangoModelFactory):
    class Meta:
        model = ServiceVisit

    ro_number = factory.Sequence(lambda n: f"RO2011{n:05d}")
    vehicle = factory.SubFactory(VehicleFactory)
    customer = factory.LazyAttribute(lambda o: o.vehicle.holder)
    advisor = factory.SubFactory(
        StaffFactory,
        department=Staff.Department.SERVICE,
        position=Staff.Position.SERVICE_ADVISOR,
    )
    opened_at = datetime(2011, 6, 1, 9, 0, tzinfo=SHANGHAI)
    mileage = 7500
