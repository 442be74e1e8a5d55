"""Who a care activity invites: the segment's candidate set, its counts and a preview of its first rows.

One query builds the candidate set: every criterion is a filter or an ``EXISTS`` subquery on the
customer, so choosing 50,000 of 1,000,000 customers never loads them into Python; the invitation
service inserts straight from this set (``INSERT … SELECT``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from callbacks.models import Complaint
from care_events.models import CareActivity, Invitation
from customers.models import Customer, ServiceVisit, Vehicle

PREVIEW_ROWS = 20


@dataclass(frozen=True)
class Segment:
    """The criteria of an invitation segment; a criterion left as None (or "") is not applied."""

    vehicle_model: str = ""
    delivered_from: dt.date | None = None
    delivered_to: dt.date | None = None
    # No service visit in the last N months (a customer who never came counts too).
    no_visit_months: int | None = None
    birthday_month: int | None = None
    # Attended (True) or did not attend (False) an earlier activity of this kind.
    earlier_kind: str = ""
    attended_earlier: bool | None = None
    has_open_complaint: bool | None = None

    @property
    def has_vehicle_criteria(self) -> bool:
        return bool(self.vehicle_model or self.delivered_from or self.delivered_to)


@dataclass(frozen=True)
class SegmentRow:
    customer_id: int
    name: str
    mobile: str
    vehicle_model: str
    plate: str
    delivered_on: dt.date | None
    last_visit: dt.datetime | None


@dataclass(frozen=True)
class SegmentPreview:
    matched: int  # every customer the criteria select
    already_invited: int  # of those, invited to this activity before
    do_not_call: int  # of the rest, excluded because they asked not to be called
    to_invite: int
    rows: list[SegmentRow] = field(default_factory=list)


def months_before(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` calendar months earlier (the month's last day when it is shorter)."""
    month_index = day.year * 12 + day.month - 1 - months
    year, month = divmod(month_index, 12)
    month += 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, min(day.day, candidate))
        except ValueError:
            continue
    raise ValueError(day)  # pragma: no cover - every month has a 28th


def _matching_vehicles(segment: Segment) -> QuerySet:
    vehicles = Vehicle.objects.filter(holder=OuterRef("pk"))
    if segment.vehicle_model:
        vehicles = vehicles.filter(model_name__icontains=segment.vehicle_model.strip())
    if segment.delivered_from:
        vehicles = vehicles.filter(delivery_date__gte=segment.delivered_from)
    if segment.delivered_to:
        vehicles = vehicles.filter(delivery_date__lte=segment.delivered_to)
    return vehicles


def segment_customers(*, activity: CareActivity, segment: Segment, today: dt.date | None = None) -> QuerySet:
    """Every customer the segment's criteria select (do-not-call and already invited included)."""
    today = today or timezone.localdate()
    customers = Customer.objects.all()
    if segment.has_vehicle_criteria:
        # Model and delivery dates must hold for one and the same car the customer holds.
        customers = customers.filter(Exists(_matching_vehicles(segment)))
    if segment.no_visit_months is not None:
        since = months_before(today, segment.no_visit_months)
        start = timezone.make_aware(dt.datetime.combine(since, dt.time.min))
        # Two EXISTS rather than one with an OR across the visit–vehicle join: each uses its own
        # foreign-key index (with the OR, every customer read every visit; bench/care.py).
        recent = ServiceVisit.objects.filter(opened_at__gte=start)
        customers = customers.exclude(Exists(recent.filter(customer=OuterRef("pk")))).exclude(
            Exists(recent.filter(vehicle__holder=OuterRef("pk")))
        )
    if segment.birthday_month:
        customers = customers.filter(birthday__month=segment.birthday_month)
    if segment.earlier_kind and segment.attended_earlier is not None:
        attended = Invitation.objects.filter(
            customer=OuterRef("pk"),
            activity__kind=segment.earlier_kind,
            activity__starts_on__lt=activity.starts_on,
            checked_in_at__isnull=False,
        ).exclude(activity=activity)
        customers = customers.filter(Exists(attended) if segment.attended_earlier else ~Exists(attended))
    if segment.has_open_complaint is not None:
        unresolved = Complaint.objects.filter(customer=OuterRef("pk"), status__in=Complaint.UNRESOLVED)
        customers = customers.filter(Exists(unresolved) if segment.has_open_complaint else ~Exists(unresolved))
    return customers


def invitable_customers(*, activity: CareActivity, segment: Segment, today: dt.date | None = None) -> QuerySet:
    """The customers an invite would create invitations for: selected, callable, not yet invited."""
    already = Invitation.objects.filter(activity=activity, customer=OuterRef("pk"))
    return (
        segment_customers(activity=activity, segment=segment, today=today)
        .filter(do_not_call=False)
        .exclude(Exists(already))
    )


def invitation_vehicle(segment: Segment) -> Subquery:
    """The car an invitation is about: the segment's matching car, else the customer's latest delivered."""
    vehicles = (
        _matching_vehicles(segment) if segment.has_vehicle_criteria else Vehicle.objects.filter(holder=OuterRef("pk"))
    )
    return Subquery(vehicles.order_by("-delivery_date", "-id").values("pk")[:1])


def segment_counts(*, activity: CareActivity, segment: Segment, today: dt.date | None = None) -> dict[str, int]:
    """Matched, already invited and do-not-call counts in one query."""
    already = Invitation.objects.filter(activity=activity, customer=OuterRef("pk"))
    counts = (
        segment_customers(activity=activity, segment=segment, today=today)
        .annotate(invited=Exists(already))
        .aggregate(
            matched=Count("pk"),
            already_invited=Count("pk", filter=Q(invited=True)),
            do_not_call=Count("pk", filter=Q(invited=False, do_not_call=True)),
        )
    )
    return {key: counts[key] or 0 for key in ("matched", "already_invited", "do_not_call")}


def segment_preview(
    *, activity: CareActivity, segment: Segment, limit: int = PREVIEW_ROWS, today: dt.date | None = None
) -> SegmentPreview:
    """The segment's counts and its first rows (name, phone, car, plate, delivery, last visit): two queries."""
    counts = segment_counts(activity=activity, segment=segment, today=today)
    vehicle = invitation_vehicle(segment)

    def from_vehicle(column: str) -> Subquery:
        return Subquery(Vehicle.objects.filter(pk=OuterRef("x_vehicle")).values(column)[:1])

    def last_visit(**match) -> Subquery:
        visits = ServiceVisit.objects.filter(**match).order_by("-opened_at").values("opened_at")[:1]
        return Subquery(visits)

    # The later of the customer's own visits and their cars' visits, each read through its index;
    # Coalesce keeps GREATEST from answering NULL on SQLite when one side has none.
    by_customer, by_car = last_visit(customer=OuterRef("pk")), last_visit(vehicle__holder=OuterRef("pk"))
    latest_visit = Greatest(Coalesce(by_customer, by_car), Coalesce(by_car, by_customer))
    rows = (
        invitable_customers(activity=activity, segment=segment, today=today)
        .annotate(x_vehicle=vehicle)
        .annotate(
            x_model=from_vehicle("model_name"),
            x_plate=from_vehicle("plate"),
            x_delivered=from_vehicle("delivery_date"),
            x_last_visit=latest_visit,
        )
        .order_by("pk")
        .values_list("pk", "name", "mobile", "x_model", "x_plate", "x_delivered", "x_last_visit")[:limit]
    )
    return SegmentPreview(
        matched=counts["matched"],
        already_invited=counts["already_invited"],
        do_not_call=counts["do_not_call"],
        to_invite=counts["matched"] - counts["already_invited"] - counts["do_not_call"],
        rows=[
            SegmentRow(pk, name, mobile, model or "", plate or "", delivered, last)
            for (pk, name, mobile, model, plate, delivered, last) in rows
        ],
    )


def invitation_call_reasons(tasks: list) -> dict[int, str]:
    """The callback desk's "why" of invitation calls: the activity's name and date, in one query."""
    rows = Invitation.objects.filter(task_id__in=[task.pk for task in tasks]).values_list(
        "task_id", "activity__name", "activity__starts_on"
    )
    return {task_id: f"{name} · {starts_on:%Y-%m-%d}" for task_id, name, starts_on in rows}


def customer_invitation_events(customer) -> list[dict]:
    """The customer's invitations and attendance, for the customer's timeline."""
    from django.urls import reverse
    from django.utils.translation import gettext as _

    events: list[dict] = []
    for invitation in Invitation.objects.filter(customer=customer).select_related("activity"):
        activity = invitation.activity
        parts = [activity.name, f"{activity.starts_on:%Y-%m-%d}", str(invitation.get_reply_display())]
        if invitation.checked_in_at:
            parts.append(str(_("attended")))
        if invitation.satisfaction:
            parts.append(_("satisfaction %(score)s/5") % {"score": invitation.satisfaction})
        events.append(
            {
                "at": invitation.invited_at,
                "kind": "care_invitation",
                "label": _("Care invitation"),
                "object": invitation,
                "text": " · ".join(parts),
                "url": reverse("care_events:activity_invitations", args=[activity.pk]),
            }
        )
    return events


@dataclass(frozen=True)
class InvitationCounts:
    invited: int = 0
    coming: int = 0
    not_coming: int = 0
    no_answer: int = 0
    pending: int = 0
    attended: int = 0
    walk_ins: int = 0
    with_feedback: int = 0
    satisfaction: float | None = None  # the attendees' mean, 1–5

    @property
    def attendance_rate(self) -> float | None:
        """Attended of those invited, in % (as the attendance-rate KPI counts it)."""
        return round(100 * self.attended / self.invited, 1) if self.invited else None


def invitation_counts(activity: CareActivity) -> InvitationCounts:
    """The activity's invitations by reply, attendance and feedback, in one query."""
    from django.db.models import Avg

    counts = Invitation.objects.filter(activity=activity).aggregate(
        invited=Count("pk"),
        coming=Count("pk", filter=Q(reply=Invitation.Reply.COMING)),
        not_coming=Count("pk", filter=Q(reply=Invitation.Reply.NOT_COMING)),
        no_answer=Count("pk", filter=Q(reply=Invitation.Reply.NO_ANSWER)),
        pending=Count("pk", filter=Q(reply=Invitation.Reply.PENDING)),
        attended=Count("pk", filter=Q(checked_in_at__isnull=False)),
        walk_ins=Count("pk", filter=Q(task__isnull=True, checked_in_at__isnull=False)),
        with_feedback=Count("pk", filter=Q(satisfaction__isnull=False)),
        satisfaction=Avg("satisfaction"),
    )
    mean = counts.pop("satisfaction")
    return InvitationCounts(**counts, satisfaction=round(float(mean), 2) if mean is not None else None)


def activity_invitations(activity: CareActivity, *, reply: str = "", attended: bool | None = None) -> QuerySet:
    """The activity's invitations with customer, car and call joined, for lists and the attendee export."""
    invitations = Invitation.objects.filter(activity=activity).select_related("customer", "vehicle", "task")
    if reply:
        invitations = invitations.filter(reply=reply)
    if attended is not None:
        invitations = invitations.filter(checked_in_at__isnull=not attended)
    return invitations.order_by("customer__name", "id")


def check_in_search(activity: CareActivity, query: str, *, limit: int = 30) -> tuple[list, list]:
    """The check-in desk's search by name, phone or plate: (invitations, walk-in candidates), two queries."""
    query = query.strip()
    if not query:
        return list(activity_invitations(activity).filter(checked_in_at__isnull=True)[:limit]), []
    match = Q(name__icontains=query) | Q(mobile__contains=query) | Q(phone2__contains=query)
    match |= Q(Exists(Vehicle.objects.filter(holder=OuterRef("pk"), plate__icontains=query)))
    customers = Customer.objects.filter(match)
    invited = list(activity_invitations(activity).filter(customer__in=customers)[:limit])
    seen = {i.customer_id for i in invited}
    walk_ins = [c for c in customers.exclude(care_invitations__activity=activity).order_by("name", "pk")[:limit]]
    return invited, [c for c in walk_ins if c.pk not in seen]
