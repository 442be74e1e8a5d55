"""Demo invitations: the 2011 plan's finished activities get their invited customers, replies,
check-ins and feedback, so attendance and satisfaction KPIs have numbers. Called by care_events.demo.

Deterministic (a seeded random) and idempotent: an activity that already has invitations is left alone.
"""

from __future__ import annotations

import datetime as dt
import random

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from callbacks.models import CallbackKind, CallbackRule, CallbackTask, CallOutcome
from care_events.models import CareActivity, Invitation
from care_events.services.activities import kpi_refresh
from customers.models import Customer

SEED = 2011
PER_ACTIVITY = 40
NOTES = ["讲解很专业", "希望多办几次", "等待时间有点长", "礼品很实用", "场地停车不方便", ""]


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


@transaction.atomic
def load() -> str:
    rule = CallbackRule.objects.filter(kind=CallbackKind.INVITATION).first()
    activities = CareActivity.objects.filter(plan__year=2011, status=CareActivity.Status.DONE).exclude(
        invitations__isnull=False
    )
    if rule is None or not activities.exists():
        return "invitations: nothing to add"
    rng = random.Random(SEED)
    by = get_user_model().objects.filter(groups__name="cs_staff").first()
    customers = list(Customer.objects.filter(do_not_call=False).order_by("pk")[: PER_ACTIVITY * 4])
    invited = attended = 0
    for activity in activities:
        chosen = rng.sample(customers, min(len(customers), activity.planned_scale or PER_ACTIVITY, PER_ACTIVITY))
        invited_on = activity.starts_on - dt.timedelta(days=14)
        for customer in chosen:
            vehicle = customer.vehicles.order_by("-delivery_date", "-id").first()
            roll = rng.random()
            reply = (
                Invitation.Reply.COMING
                if roll < 0.6
                else Invitation.Reply.NOT_COMING
                if roll < 0.85
                else Invitation.Reply.NO_ANSWER
            )
            task = CallbackTask.objects.create(
                kind=CallbackKind.INVITATION,
                rule=rule,
                customer=customer,
                vehicle=vehicle,
                event_date=activity.starts_on,
                due_date=invited_on,
                expires_on=activity.starts_on,
                status=CallbackTask.Status.UNREACHABLE
                if reply == Invitation.Reply.NO_ANSWER
                else CallbackTask.Status.DONE,
                attempt_count=rule.max_attempts if reply == Invitation.Reply.NO_ANSWER else 1,
                last_outcome=CallOutcome.NO_ANSWER if reply == Invitation.Reply.NO_ANSWER else CallOutcome.CONFIRMED,
                created_at=_at(invited_on, 9),
                closed_at=_at(invited_on + dt.timedelta(days=2), 16),
            )
            came = reply == Invitation.Reply.COMING and rng.random() < 0.8
            Invitation.objects.create(
                activity=activity,
                customer=customer,
                vehicle=vehicle,
                task=task,
                invited_at=_at(invited_on, 9),
                invited_by=by,
                reply=reply,
                replied_at=_at(invited_on + dt.timedelta(days=2), 16),
                checked_in_at=_at(activity.starts_on, 9, rng.randrange(60)) if came else None,
                satisfaction=rng.choice([3, 4, 4, 5, 5, 5]) if came and rng.random() < 0.9 else None,
                feedback=rng.choice(NOTES) if came else "",
            )
            invited += 1
            attended += came
        kpi_refresh(activity)
    return f"invitations={invited} attended={attended}"
