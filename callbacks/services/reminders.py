"""Lifecycle reminders (birthdays, first and regular maintenance, insurance renewal, inspection),
created by the nightly generation.

A reminder is due ``lead_days`` before its date (the birthday, the anniversary, the inspection or
maintenance date). The run of day D creates the reminders whose due date falls in the rule's window
(D - window, D]: the first run on or after the due date creates it, a reminder whose window passed
with no run is not created late, and the unique constraints make every further run create nothing.
Each kind is read set-based: the window's dates are turned into the few birthdays, delivery dates
or visit dates that lead to them, and the matching rows are read in one query.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from callbacks.models import CallbackKind, CallbackRule, CallbackTask, InspectionStep, ReminderRule
from customers.models import Customer, ServiceVisit, Vehicle

# How far ahead the inspection schedule is unrolled (a car older than this is not reminded).
INSPECTION_HORIZON_YEARS = 40


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` plus ``months``, on the month's last day when the day does not exist (31 Jan + 1 = 28/29 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def sources_for(target: dt.date, months: int) -> list[dt.date]:
    """Every date that ``add_months(date, months)`` turns into ``target`` (several at a month's end)."""
    first = add_months(target.replace(day=1), -months)
    last_day = calendar.monthrange(first.year, first.month)[1]
    if target.day < calendar.monthrange(target.year, target.month)[1]:
        return [first.replace(day=target.day)] if target.day <= last_day else []
    # The target is its month's last day: every day from it to the source month's end lands there.
    return [first.replace(day=day) for day in range(min(target.day, last_day), last_day + 1)]


def anniversary(day: dt.date, year: int) -> dt.date:
    """The date's anniversary in ``year``: a 29 February falls on 28 February in other years."""
    if day.month == 2 and day.day == 29 and not calendar.isleap(year):
        return dt.date(year, 2, 28)
    return day.replace(year=year)


def inspection_offsets(steps: Iterable[InspectionStep]) -> list[int]:
    """Months after delivery of each inspection, from the schedule (every 24 months to year 6, …)."""
    offsets: list[int] = []
    for step in sorted(steps, key=lambda s: s.from_year):
        month = step.from_year * 12 + step.interval_months
        end = (step.to_year if step.to_year is not None else INSPECTION_HORIZON_YEARS) * 12
        while month <= end:
            offsets.append(month)
            month += step.interval_months
    return offsets


def _targets(rule: ReminderRule, on: dt.date) -> list[dt.date]:
    """The dates whose reminder's due date falls in the window ending today."""
    return [on + dt.timedelta(days=rule.lead_days - back) for back in range(rule.window_days)]


def _day_bounds(first: dt.date, last: dt.date) -> tuple[dt.datetime, dt.datetime]:
    start = timezone.make_aware(dt.datetime.combine(first, dt.time.min))
    return start, timezone.make_aware(dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min))


def _birthdays(rule: ReminderRule, on: dt.date) -> list[tuple[int, int | None, dt.date]]:
    targets = _targets(rule, on)
    match = Q()
    for target in targets:
        match |= Q(birthday__month=target.month, birthday__day=target.day)
        if target.month == 2 and target.day == 28 and not calendar.isleap(target.year):
            match |= Q(birthday__month=2, birthday__day=29)
    rows = []
    for customer_id, birthday in Customer.objects.filter(match).values_list("pk", "birthday"):
        for target in targets:
            if birthday < target and anniversary(birthday, target.year) == target:
                rows.append((customer_id, None, target))
                break
    return rows


def _vehicles_delivered_on(dates: set[dt.date]) -> list[tuple[int, int, dt.date]]:
    if not dates:
        return []
    return list(
        Vehicle.objects.filter(delivery_date__in=dates, holder__isnull=False).values_list(
            "pk", "holder_id", "delivery_date"
        )
    )


def _insurance(rule: ReminderRule, on: dt.date) -> list[tuple[int, int | None, dt.date]]:
    targets = _targets(rule, on)
    match = Q()
    for target in targets:
        match |= Q(delivery_date__month=target.month, delivery_date__day=target.day)
        if target.month == 2 and target.day == 28 and not calendar.isleap(target.year):
            match |= Q(delivery_date__month=2, delivery_date__day=29)
    rows = []
    vehicles = Vehicle.objects.filter(match, holder__isnull=False, delivery_date__isnull=False)
    for vehicle_id, holder_id, delivered in vehicles.values_list("pk", "holder_id", "delivery_date"):
        for target in targets:
            if target.year > delivered.year and anniversary(delivered, target.year) == target:
                rows.append((holder_id, vehicle_id, target))
                break
    return rows


def _by_months_after_delivery(targets: list[dt.date], offsets: list[int]) -> list[tuple[int, int, dt.date]]:
    wanted: dict[dt.date, list[dt.date]] = {}
    for target in targets:
        for months in offsets:
            for source in sources_for(target, months):
                wanted.setdefault(source, []).append(target)
    rows = []
    for vehicle_id, holder_id, delivered in _vehicles_delivered_on(set(wanted)):
        target = min(wanted[delivered])
        rows.append((holder_id, vehicle_id, target))
    return rows


def _inspections(rule: ReminderRule, on: dt.date) -> list[tuple[int, int | None, dt.date]]:
    offsets = inspection_offsets(InspectionStep.objects.all())
    return _by_months_after_delivery(_targets(rule, on), offsets)


def _maintained(vehicle_ref) -> Exists:
    return Exists(ServiceVisit.objects.filter(vehicle=vehicle_ref, kind=ServiceVisit.Kind.MAINTENANCE))


def _first_maintenance(rule: ReminderRule, on: dt.date) -> list[tuple[int, int | None, dt.date]]:
    rows = []
    # By time: three months after delivery, unless the car has had its maintenance.
    for holder_id, vehicle_id, target in _by_months_after_delivery(_targets(rule, on), [rule.months or 3]):
        rows.append((holder_id, vehicle_id, target))
    if rows:
        maintained = set(
            ServiceVisit.objects.filter(
                vehicle_id__in=[r[1] for r in rows], kind=ServiceVisit.Kind.MAINTENANCE
            ).values_list("vehicle_id", flat=True)
        )
        rows = [r for r in rows if r[1] not in maintained]
    # By mileage: a visit in the window showing the distance makes it due that day, whichever comes first.
    if rule.mileage_km:
        first, last = on - dt.timedelta(days=rule.window_days - 1), on
        start, end = _day_bounds(first, last)
        visits = (
            ServiceVisit.objects.filter(
                opened_at__gte=start, opened_at__lt=end, mileage__gte=rule.mileage_km, vehicle__holder__isnull=False
            )
            .exclude(_maintained(OuterRef("vehicle")))
            .values_list("vehicle_id", "vehicle__holder_id", "opened_at")
            .order_by("opened_at")
        )
        seen = {r[1] for r in rows}
        for vehicle_id, holder_id, opened_at in visits:
            if vehicle_id in seen:
                continue
            seen.add(vehicle_id)
            # Due at once: the reminder's date is the visit's day, its due date the same.
            rows.append((holder_id, vehicle_id, timezone.localdate(opened_at) + dt.timedelta(days=rule.lead_days)))
    return rows


def _maintenance(rule: ReminderRule, on: dt.date) -> list[tuple[int, int | None, dt.date]]:
    months = rule.months or 6
    wanted: dict[dt.date, dt.date] = {}
    for target in _targets(rule, on):
        for source in sources_for(target, months):
            wanted[source] = target
    if not wanted:
        return []
    start, end = _day_bounds(min(wanted), max(wanted))
    later = ServiceVisit.objects.filter(
        vehicle=OuterRef("vehicle"), kind=ServiceVisit.Kind.MAINTENANCE, opened_at__gt=OuterRef("opened_at")
    )
    visits = (
        ServiceVisit.objects.filter(
            kind=ServiceVisit.Kind.MAINTENANCE, opened_at__gte=start, opened_at__lt=end, vehicle__holder__isnull=False
        )
        .exclude(Exists(later))
        .values_list("vehicle_id", "vehicle__holder_id", "opened_at")
    )
    rows = []
    for vehicle_id, holder_id, opened_at in visits:
        target = wanted.get(timezone.localdate(opened_at))
        if target is not None:
            rows.append((holder_id, vehicle_id, target))
    return rows


FINDERS = {
    CallbackKind.BIRTHDAY: _birthdays,
    CallbackKind.FIRST_MAINTENANCE: _first_maintenance,
    CallbackKind.MAINTENANCE: _maintenance,
    CallbackKind.INSURANCE: _insurance,
    CallbackKind.INSPECTION: _inspections,
}


def _not_reminded_yet(kind: str, rows: list[tuple[int, int | None, dt.date]]) -> list[tuple[int, int | None, dt.date]]:
    """The rows an earlier run has not created yet, read through the kind's unique index.

    Every run reads its rule's whole window, so on an ordinary night all but one day's rows exist
    already; building and inserting them again only to have the unique constraint drop them cost
    most of the night (about 55,000 rows a night on 1,000,000 vehicles, bench/care.py).
    """
    if not rows:
        return rows
    tasks = CallbackTask.objects.filter(kind=kind)
    if kind == CallbackKind.FIRST_MAINTENANCE:  # once in a car's life, whatever the date
        done = set(tasks.filter(vehicle_id__in={r[1] for r in rows}).values_list("vehicle_id", flat=True))
        return [r for r in rows if r[1] not in done]
    dates = {r[2] for r in rows}
    if kind == CallbackKind.BIRTHDAY:  # once per customer and date
        keys = tasks.filter(customer_id__in={r[0] for r in rows}, event_date__in=dates)
        done = set(keys.values_list("customer_id", "event_date"))
        return [r for r in rows if (r[0], r[2]) not in done]
    keys = tasks.filter(vehicle_id__in={r[1] for r in rows}, event_date__in=dates)  # once per vehicle and date
    done = set(keys.values_list("vehicle_id", "event_date"))
    return [r for r in rows if (r[1], r[2]) not in done]


def reminders_generate(*, on: dt.date, now: dt.datetime) -> tuple[int, int]:
    """Create the day's lifecycle reminders; return (created, skipped for do-not-call)."""
    created = skipped = 0
    callback_rules = {r.kind: r for r in CallbackRule.objects.filter(kind__in=list(FINDERS))}
    for rule in ReminderRule.objects.filter(active=True):
        finder, callback_rule = FINDERS.get(rule.kind), callback_rules.get(rule.kind)
        if finder is None or callback_rule is None:
            continue
        rows = _not_reminded_yet(rule.kind, finder(rule, on))
        if not rows:
            continue
        barred = set(
            Customer.objects.filter(pk__in={r[0] for r in rows}, do_not_call=True).values_list("pk", flat=True)
        )
        tasks = []
        for customer_id, vehicle_id, target in rows:
            if customer_id in barred:
                skipped += 1
                continue
            due = target - dt.timedelta(days=rule.lead_days)
            tasks.append(
                CallbackTask(
                    kind=rule.kind,
                    rule=callback_rule,
                    customer_id=customer_id,
                    vehicle_id=vehicle_id,
                    event_date=target,
                    due_date=due,
                    expires_on=due + dt.timedelta(days=rule.expires_after_days),
                    created_at=now,
                )
            )
        # Only new rows are left, and the job lock keeps other runs out: what is sent is created.
        # (The unique constraints still drop a row a run outside the lock may have added.)
        CallbackTask.objects.bulk_create(tasks, batch_size=1000, ignore_conflicts=True)
        created += len(tasks)
    return created, skipped
