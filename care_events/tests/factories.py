"""Factories for the care plan's records."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from care_events.models import CareActivity, CarePlan, CostLine, Kpi, TimeNode


class CarePlanFactory(DjangoModelFactory):
    class Meta:
        model = CarePlan
        django_get_or_create = ("year",)

    year = 2011
    title = factory.LazyAttribute(lambda o: f"{o.year}年客户关怀计划")
    total_budget = Decimal("100000")


class CareActivityFactory(DjangoModelFactory):
    class Meta:
        model = CareActivity

    plan = None
    name = factory.Sequence(lambda n: f"免费检测日 {n}")
    kind = CareActivity.Kind.FREE_INSPECTION
    starts_on = dt.date(2011, 5, 10)
    ends_on = dt.date(2011, 5, 12)
    planned_scale = 100
    planned_budget = Decimal("20000")


class TimeNodeFactory(DjangoModelFactory):
    class Meta:
        model = TimeNode

    name = "邀约完成"
    due_on = dt.date(2011, 5, 10)


class CostLineFactory(DjangoModelFactory):
    class Meta:
        model = CostLine

    item = "场地布置"
    amount = Decimal("1000")
    spent_on = dt.date(2011, 5, 10)


class KpiFactory(DjangoModelFactory):
    class Meta:
        model = Kpi

    name = "到场人数"
    target = Decimal("80")
