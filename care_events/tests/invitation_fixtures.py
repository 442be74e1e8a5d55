"""Records the invitation tests share: a plan and an activity in the future, customers with cars."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from care_events.models import CareActivity, CarePlan


def make_activity(owner, *, starts_in_days: int = 20, status: str = "planned", kind: str = "owner_club", **extra):
    starts = timezone.localdate() + dt.timedelta(days=starts_in_days)
    plan, _ = CarePlan.objects.get_or_create(
        year=starts.year,
        defaults={"title": f"{starts.year}年客户关怀计划", "total_budget": Decimal("100000"), "owner": owner},
    )
    return CareActivity.objects.create(
        plan=plan,
        name=extra.pop("name", "车友会自驾游"),
        kind=kind,
        starts_on=starts,
        ends_on=starts,
        status=status,
        **extra,
    )
