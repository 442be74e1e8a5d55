"""The nightly generation of the callback queue: new tasks, expiry, and work handed back to the pool.

Set-based and idempotent: the candidates of a day are read in a few queries, inserted in bulk and
the unique constraints (one task per event and kind) make a second run, or two runs at once,
create nothing more. A job lock keeps the counts of concurrent runs honest.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from callbacks.models import CallbackKind, CallbackRule, CallbackTask, Complaint
from callbacks.services.reminders import reminders_generate
from customers.models import SalesArchive, ServiceVisit
from dealership_cs.locks import job_lock


@dataclass(frozen=True)
class GenerationResult:
    created: int = 0
    expired: int = 0
    returned: int = 0
    skipped: int = 0
    locked: bool = False

    def line(self) -> str:
        return f"created={self.created} expired={self.expired} returned={self.returned} skipped={self.skipped}"


def working_days_before(day: dt.date, count: int) -> dt.date:
    """The date ``count`` working days (Monday to Friday) before ``day``."""
    while count > 0:
        day -= dt.timedelta(days=1)
        if day.weekday() < 5:
            count -= 1
    return day


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _window(rule: CallbackRule, on: dt.date) -> tuple[dt.date, dt.date]:
    """Event dates [first, last] whose callback is due on ``on`` and not yet expired."""
    return on - dt.timedelta(days=rule.expires_after_days - 1), on - dt.timedelta(days=rule.due_after_days)


def _without_task(queryset: QuerySet, kind: str, field: str) -> QuerySet:
    return queryset.exclude(Exists(CallbackTask.objects.filter(kind=kind, **{field: OuterRef("pk")})))


def _candidates(rule: CallbackRule, on: dt.date) -> list[dict]:
    """The events of the rule's kind due on ``on`` that have no task yet, as task fields."""
    first, last = _window(rule, on)
    rows: list[dict] = []
    if rule.kind == CallbackKind.SALES:
        archives = _without_task(SalesArchive.objects.filter(delivery_date__range=(first, last)), rule.kind, "archive")
        for archive_id, customer_id, vehicle_id, event in archives.values_list(
            "pk", "customer_id", "vehicle_id", "delivery_date"
        ):
            rows.append(
                {"archive_id": archive_id, "customer_id": customer_id, "vehicle_id": vehicle_id, "event": event}
            )
    elif rule.kind == CallbackKind.SERVICE:
        visits = _without_task(
            ServiceVisit.objects.filter(
                closed_at__gte=_day_start(first), closed_at__lt=_day_start(last + dt.timedelta(days=1))
            ),
            rule.kind,
            "visit",
        )
        for visit_id, customer_id, vehicle_id, closed_at in visits.values_list(
            "pk", "customer_id", "vehicle_id", "closed_at"
        ):
            event = timezone.localdate(closed_at)
            rows.append({"visit_id": visit_id, "customer_id": customer_id, "vehicle_id": vehicle_id, "event": event})
    elif rule.kind == CallbackKind.COMPLAINT_FOLLOWUP:
        complaints = _without_task(
            Complaint.objects.filter(
                status__in=(Complaint.Status.RESOLVED, Complaint.Status.CLOSED),
                resolved_at__gte=_day_start(first),
                resolved_at__lt=_day_start(last + dt.timedelta(days=1)),
            ),
            rule.kind,
            "complaint",
        )
        for complaint_id, customer_id, vehicle_id, resolved_at in complaints.values_list(
            "pk", "customer_id", "vehicle_id", "resolved_at"
        ):
            event = timezone.localdate(resolved_at)
            rows.append(
                {"complaint_id": complaint_id, "customer_id": customer_id, "vehicle_id": vehicle_id, "event": event}
            )
    return rows


def _do_not_call_ids(customer_ids: set[int]) -> set[int]:
    from customers.models import Customer

    return set(Customer.objects.filter(pk__in=customer_ids, do_not_call=True).values_list("pk", flat=True))


def complaint_followup_queue(*, complaint: Complaint) -> CallbackTask | None:
    """Queue the follow-up call of a resolved complaint (once; none for a customer who asked not to be called)."""
    rule = CallbackRule.objects.filter(kind=CallbackKind.COMPLAINT_FOLLOWUP).first()
    if rule is None or complaint.resolved_at is None or complaint.customer.do_not_call:
        return None
    event = timezone.localdate(complaint.resolved_at)
    CallbackTask.objects.bulk_create(
        [
            CallbackTask(
                kind=rule.kind,
                rule=rule,
                complaint=complaint,
                customer_id=complaint.customer_id,
                vehicle_id=complaint.vehicle_id,
                event_date=event,
                due_date=event + dt.timedelta(days=rule.due_after_days),
                expires_on=event + dt.timedelta(days=rule.expires_after_days),
            )
        ],
        ignore_conflicts=True,
    )
    return CallbackTask.objects.filter(kind=rule.kind, complaint=complaint).first()


def callbacks_generate(*, on: dt.date | None = None) -> GenerationResult:
    """Create the day's due tasks, expire the lapsed ones and return stale held work to the pool."""
    on = on or timezone.localdate()
    with job_lock("callbacks_generate") as acquired:
        if not acquired:
            return GenerationResult(locked=True)
        return _generate(on)


@transaction.atomic
def _generate(on: dt.date) -> GenerationResult:
    now = timezone.now()
    created = skipped = 0
    # Generated from events here; invitations come from the care plan, reminders below.
    for rule in CallbackRule.objects.filter(
        kind__in=[CallbackKind.SALES, CallbackKind.SERVICE, CallbackKind.COMPLAINT_FOLLOWUP]
    ):
        rows = _candidates(rule, on)
        if not rows:
            continue
        barred = _do_not_call_ids({row["customer_id"] for row in rows})
        tasks = []
        for row in rows:
            if row["customer_id"] in barred:
                skipped += 1
                continue
            event = row.pop("event")
            tasks.append(
                CallbackTask(
                    kind=rule.kind,
                    rule=rule,
                    event_date=event,
                    due_date=event + dt.timedelta(days=rule.due_after_days),
                    expires_on=event + dt.timedelta(days=rule.expires_after_days),
                    created_at=now,
                    **row,
                )
            )
        before = CallbackTask.objects.filter(kind=rule.kind).count()
        CallbackTask.objects.bulk_create(tasks, batch_size=1000, ignore_conflicts=True)
        created += CallbackTask.objects.filter(kind=rule.kind).count() - before

    reminded, barred = reminders_generate(on=on, now=now)
    created, skipped = created + reminded, skipped + barred

    workable = CallbackTask.objects.filter(status__in=CallbackTask.WORKABLE)
    # A customer who asked not to be called is not called, whatever is already queued.
    skipped += workable.filter(customer__do_not_call=True).update(status=CallbackTask.Status.CANCELLED, closed_at=now)
    expired = workable.filter(expires_on__lte=on).update(status=CallbackTask.Status.EXPIRED, closed_at=now)
    # Held work more than one working day overdue goes back to the pool, unless the customer asked
    # to be called back at a time still to come (that call stays with its agent).
    cutoff = working_days_before(on, 1)
    returned = (
        workable.filter(agent__isnull=False, due_date__lt=cutoff)
        .exclude(Q(last_outcome="call_back_later") & Q(next_attempt_at__gte=_day_start(cutoff)))
        .update(agent=None, taken_at=None, status=CallbackTask.Status.OPEN)
    )
    return GenerationResult(created=created, expired=expired, returned=returned, skipped=skipped)
