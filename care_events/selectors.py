"""Reads of the care plan: totals, budget against actual, overdue nodes, KPI achievement, the timeline.

Each page calls one of these and gets dataclasses; the counts are done in the database, a fixed
number of queries per page whatever the number of activities.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Prefetch, Q, Sum
from django.utils import timezone

from care_events.models import CareActivity, CarePlan, CostLine, Kpi, StaffAssignment, TimeNode

ZERO = Decimal("0")


def _mean(values: list[Decimal]) -> Decimal | None:
    if not values:
        return None
    return (sum(values) / len(values)).quantize(Decimal("0.1"))


@dataclass
class NodeRow:
    node: TimeNode
    overdue: bool


@dataclass
class ActivityRow:
    """One activity with what its pages show beside the plan's columns."""

    activity: CareActivity
    nodes: list[NodeRow]
    staff: list[StaffAssignment]
    kpis: list[Kpi]
    actual_cost: Decimal
    invited: int
    attended: int

    @property
    def remaining(self) -> Decimal:
        return self.activity.planned_budget - self.actual_cost

    @property
    def over_budget(self) -> bool:
        return self.actual_cost > self.activity.planned_budget

    @property
    def overdue_nodes(self) -> int:
        return sum(1 for row in self.nodes if row.overdue)

    @property
    def kpi_achievement(self) -> Decimal | None:
        return _mean([kpi.achievement for kpi in self.kpis if kpi.achievement is not None])


@dataclass
class PlanTotals:
    total_budget: Decimal
    planned_budget: Decimal  # the activities' budgets, cancelled ones left out
    actual_cost: Decimal
    invited: int
    attended: int
    kpi_achievement: Decimal | None  # the mean of every KPI's actual ÷ target that has an actual
    overdue_nodes: int
    activities: int

    @property
    def unplanned_budget(self) -> Decimal:
        return self.total_budget - self.planned_budget

    @property
    def remaining(self) -> Decimal:
        return self.total_budget - self.actual_cost

    @property
    def over_budget(self) -> bool:
        return self.actual_cost > self.total_budget

    @property
    def spent_percent(self) -> Decimal | None:
        if not self.total_budget:
            return None
        return (self.actual_cost * 100 / self.total_budget).quantize(Decimal("0.1"))


@dataclass
class PlanView:
    plan: CarePlan
    rows: list[ActivityRow]
    totals: PlanTotals
    today: dt.date


def _activities(activities, today: dt.date) -> list[ActivityRow]:
    queryset = (
        activities.annotate(
            invited=Count("invitations", distinct=True),
            attended=Count("invitations", filter=Q(invitations__checked_in_at__isnull=False), distinct=True),
        )
        .prefetch_related(
            Prefetch("nodes", queryset=TimeNode.objects.select_related("responsible")),
            Prefetch("staff", queryset=StaffAssignment.objects.select_related("staff").order_by("id")),
            "kpis",
        )
    )
    # A Sum over costs joined beside the invitations would count each cost once per invitation:
    # the costs are summed in a query of their own.
    rows = list(queryset)
    costs = dict(
        CostLine.objects.filter(activity__in=[a.pk for a in rows])
        .values_list("activity")
        .annotate(total=Sum("amount"))
        .values_list("activity", "total")
    )
    return [
        ActivityRow(
            activity=a,
            nodes=[
                NodeRow(node=n, overdue=a.status != CareActivity.Status.CANCELLED and n.is_overdue(today))
                for n in a.nodes.all()
            ],
            staff=list(a.staff.all()),
            kpis=list(a.kpis.all()),
            actual_cost=costs.get(a.pk) or ZERO,
            invited=a.invited,
            attended=a.attended,
        )
        for a in rows
    ]


def _totals(plan: CarePlan, rows: list[ActivityRow]) -> PlanTotals:
    live = [r for r in rows if r.activity.status != CareActivity.Status.CANCELLED]
    achievements = [k.achievement for r in rows for k in r.kpis if k.achievement is not None]
    return PlanTotals(
        total_budget=plan.total_budget,
        planned_budget=sum((r.activity.planned_budget for r in live), ZERO),
        actual_cost=sum((r.actual_cost for r in rows), ZERO),
        invited=sum(r.invited for r in rows),
        attended=sum(r.attended for r in rows),
        kpi_achievement=_mean(achievements),
        overdue_nodes=sum(r.overdue_nodes for r in rows),
        activities=len(live),
    )


def plan_view(*, plan: CarePlan, today: dt.date | None = None) -> PlanView:
    """The plan with every activity's nodes, staff, KPIs, cost and attendance, and the plan's totals."""
    today = today or timezone.localdate()
    rows = _activities(CareActivity.objects.filter(plan=plan).order_by("starts_on", "id"), today)
    return PlanView(plan=plan, rows=rows, totals=_totals(plan, rows), today=today)


def plan_totals(*, plan: CarePlan, today: dt.date | None = None) -> PlanTotals:
    return plan_view(plan=plan, today=today).totals


def activity_view(*, activity: CareActivity, today: dt.date | None = None) -> ActivityRow:
    """One activity as its page shows it: nodes (overdue flagged), staff, KPIs, budget against actual."""
    today = today or timezone.localdate()
    return _activities(CareActivity.objects.filter(pk=activity.pk), today)[0]


def overdue_nodes(*, user, today: dt.date | None = None):
    """Open milestones past their due date, the oldest first (served by the partial index on open nodes)."""
    today = today or timezone.localdate()
    return (
        TimeNode.objects.visible_to(user)
        .filter(done_at__isnull=True, due_on__lt=today)
        .exclude(activity__status=CareActivity.Status.CANCELLED)
        .select_related("activity__plan", "responsible")
        .order_by("due_on", "id")
    )


@dataclass
class PlanSummary:
    plan: CarePlan
    activities: int
    planned_budget: Decimal
    actual_cost: Decimal


def plan_list(*, user) -> list[PlanSummary]:
    """Every plan with its activity count, planned budget and actual cost, in three queries."""
    plans = list(CarePlan.objects.visible_to(user).select_related("owner", "approved_by"))
    live = ~Q(status=CareActivity.Status.CANCELLED)
    by_plan = {
        row["plan"]: row
        for row in CareActivity.objects.filter(plan__in=plans)
        .filter(live)
        .values("plan")
        .annotate(n=Count("id"), budget=Sum("planned_budget"))
    }
    costs = dict(
        CostLine.objects.filter(activity__plan__in=plans)
        .values("activity__plan")
        .annotate(total=Sum("amount"))
        .values_list("activity__plan", "total")
    )
    return [
        PlanSummary(
            plan=p,
            activities=by_plan.get(p.pk, {}).get("n", 0),
            planned_budget=by_plan.get(p.pk, {}).get("budget") or ZERO,
            actual_cost=costs.get(p.pk) or ZERO,
        )
        for p in plans
    ]


# The timeline


@dataclass
class TimelineMark:
    label: str
    date: dt.date
    left: float  # % of the year's width
    overdue: bool
    done: bool


@dataclass
class TimelineBar:
    row: ActivityRow
    left: float
    width: float
    marks: list[TimelineMark] = field(default_factory=list)


@dataclass
class TimelineMonth:
    number: int
    left: float
    width: float


@dataclass
class Timeline:
    months: list[TimelineMonth]
    bars: list[TimelineBar]
    today_left: float | None


def _position(day: dt.date, year: int) -> float:
    start = dt.date(year, 1, 1)
    days = 366 if calendar.isleap(year) else 365
    return round((day - start).days * 100 / days, 3)


def plan_timeline(view: PlanView) -> Timeline:
    """The year as twelve month columns with a bar per activity and a mark per time node (no script)."""
    year = view.plan.year
    days = 366 if calendar.isleap(year) else 365
    months = []
    for month in range(1, 13):
        first = dt.date(year, month, 1)
        length = calendar.monthrange(year, month)[1]
        months.append(TimelineMonth(number=month, left=_position(first, year), width=round(length * 100 / days, 3)))
    bars = []
    for row in view.rows:
        a = row.activity
        left = _position(a.starts_on, year)
        width = max(round(((a.ends_on - a.starts_on).days + 1) * 100 / days, 3), 0.6)
        marks = [
            TimelineMark(
                label=r.node.name,
                date=r.node.due_on,
                left=_position(r.node.due_on, year),
                overdue=r.overdue,
                done=r.node.done_at is not None,
            )
            for r in row.nodes
            if r.node.due_on.year == year
        ]
        bars.append(TimelineBar(row=row, left=left, width=width, marks=marks))
    today_left = _position(view.today, year) if view.today.year == year else None
    return Timeline(months=months, bars=bars, today_left=today_left)
