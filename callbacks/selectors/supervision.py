"""What supervisors read: tasks by status and agent, the reach rate, answers by question and month,
complaints by status, and the shadow score set beside the official one.

Each read is one or two grouped queries over the year, whatever the number of agents or questions.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.contrib.auth import get_user_model
from django.db.models import Avg, Count, Exists, OuterRef, Q
from django.db.models.functions import ExtractMonth
from django.utils import timezone

from callbacks.models import (
    REACHED_OUTCOMES,
    Answer,
    CallAttempt,
    CallbackKind,
    CallbackTask,
    Complaint,
    Question,
)
from surveys.models import OfficialScore, Program

# Which program a callback's answers shadow, and the questionnaire kind that feeds it.
SHADOWED = {CallbackKind.SERVICE: "CSS", CallbackKind.SALES: "SSI"}
ONE_DP = Decimal("0.1")


def _year_bounds(year: int) -> tuple[dt.datetime, dt.datetime]:
    start = timezone.make_aware(dt.datetime(year, 1, 1))
    return start, timezone.make_aware(dt.datetime(year + 1, 1, 1))


@dataclass
class AgentRow:
    agent: object
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def tasks_by_agent(*, year: int) -> list[AgentRow]:
    """Tasks due in the year per agent (the pool as ``None``) and status."""
    rows: dict[int | None, AgentRow] = {}
    grouped = (
        CallbackTask.objects.filter(due_date__year=year).values("agent", "status").annotate(n=Count("pk")).order_by()
    )
    agents = {u.pk: u for u in get_user_model().objects.filter(pk__in={g["agent"] for g in grouped if g["agent"]})}
    for g in grouped:
        row = rows.setdefault(g["agent"], AgentRow(agent=agents.get(g["agent"])))
        row.counts[g["status"]] = g["n"]
    return sorted(rows.values(), key=lambda r: (r.agent is None, str(r.agent or "")))


@dataclass(frozen=True)
class ReachRow:
    month: int
    attempted: int
    reached: int

    @property
    def rate(self) -> Decimal | None:
        if not self.attempted:
            return None
        return (Decimal(100) * self.reached / self.attempted).quantize(ONE_DP, ROUND_HALF_UP)


def reach_by_month(*, year: int) -> list[ReachRow]:
    """Per month of the first call: tasks attempted, and those in which somebody answered (reach rate)."""
    start, end = _year_bounds(year)
    reached = CallAttempt.objects.filter(task=OuterRef("pk"), outcome__in=REACHED_OUTCOMES)
    first_call = CallAttempt.objects.filter(task=OuterRef("pk"), started_at__gte=start, started_at__lt=end)
    grouped = (
        CallbackTask.objects.filter(attempt_count__gt=0, due_date__year=year)
        .filter(Exists(first_call))
        .annotate(month=ExtractMonth("due_date"), was_reached=Exists(reached))
        .values("month")
        .annotate(attempted=Count("pk"), reached=Count("pk", filter=Q(was_reached=True)))
        .order_by("month")
    )
    return [ReachRow(g["month"], g["attempted"], g["reached"]) for g in grouped]


@dataclass
class QuestionRow:
    code: str
    text: str
    kind: str
    maximum: int | None
    by_month: dict[int, tuple[Decimal, int]] = field(default_factory=dict)


def answers_by_question(*, year: int) -> list[QuestionRow]:
    """The mean answer and the number of answers per question code and month (scale questions only)."""
    start, end = _year_bounds(year)
    grouped = (
        Answer.objects.filter(attempt__started_at__gte=start, attempt__started_at__lt=end, value__isnull=False)
        .annotate(month=ExtractMonth("attempt__started_at"))
        .values("question__code", "question__scale", "attempt__task__kind", "month")
        .annotate(mean=Avg("value"), n=Count("pk"))
        .order_by("attempt__task__kind", "question__code", "month")
    )
    texts = dict(Question.objects.filter(version__status="in_use").values_list("code", "text"))
    rows: dict[tuple[str, str], QuestionRow] = {}
    for g in grouped:
        key = (g["attempt__task__kind"], g["question__code"])
        row = rows.setdefault(
            key,
            QuestionRow(
                code=g["question__code"],
                text=texts.get(g["question__code"], ""),
                kind=g["attempt__task__kind"],
                maximum=Question.SCALE_MAX.get(g["question__scale"]),
            ),
        )
        row.by_month[g["month"]] = (Decimal(g["mean"]).quantize(Decimal("0.01"), ROUND_HALF_UP), g["n"])
    return list(rows.values())


@dataclass(frozen=True)
class ComplaintCounts:
    by_status: dict[str, int]
    overdue: int


def complaint_counts(*, now=None) -> ComplaintCounts:
    now = now or timezone.now()
    by_status = dict(Complaint.objects.values_list("status").annotate(n=Count("pk")).order_by())
    return ComplaintCounts(by_status=by_status, overdue=Complaint.objects.overdue(now).count())


@dataclass(frozen=True)
class ShadowRow:
    program: str
    period: int
    answers: int
    shadow: Decimal | None
    official: Decimal | None

    @property
    def gap(self) -> Decimal | None:
        if self.shadow is None or self.official is None:
            return None
        return self.shadow - self.official


def shadow_scores(*, year: int) -> list[ShadowRow]:
    """Our own callbacks' answers mapped onto each program's scale, per the program's period.

    An answer of ``v`` on a question scored 1–``max`` counts ``v / max`` of the program's scale
    (4 of 5 on a sales question is 800 of SSI's 1000; 9 of 10 on a service question is 90 of MOT's
    100); a period's shadow score is the mean over every scale answer of its calls. The official
    score of the same program and period is read beside it, never recomputed.
    """
    start, end = _year_bounds(year)
    programs = {p.code: p for p in Program.objects.filter(code__in=SHADOWED.values())}
    rows: list[ShadowRow] = []
    for kind, code in SHADOWED.items():
        program = programs.get(code)
        if program is None:
            continue
        per_period = 3 if program.period_kind == "quarter" else 1
        sums: dict[int, list] = defaultdict(lambda: [Decimal(0), 0])
        grouped = (
            Answer.objects.filter(
                attempt__task__kind=kind,
                attempt__started_at__gte=start,
                attempt__started_at__lt=end,
                value__isnull=False,
                question__scale__in=[Question.Scale.FIVE, Question.Scale.TEN],
            )
            .annotate(month=ExtractMonth("attempt__started_at"))
            .values("month", "question__scale")
            .annotate(total=Avg("value"), n=Count("pk"))
            .order_by()
        )
        for g in grouped:
            period = (g["month"] - 1) // per_period + 1
            share = Decimal(g["total"]) / Question.SCALE_MAX[g["question__scale"]]
            sums[period][0] += share * g["n"]
            sums[period][1] += g["n"]
        official = dict(
            OfficialScore.objects.filter(program=program, year=year, period__gte=1).values_list("period", "score")
        )
        for period in sorted(set(sums) | set(official)):
            total, n = sums.get(period, (Decimal(0), 0))
            shadow = (total / n * program.scale_max).quantize(ONE_DP, ROUND_HALF_UP) if n else None
            rows.append(ShadowRow(code, period, n, shadow, official.get(period)))
    return rows


def years_with_tasks() -> list[int]:
    """The years the desk has tasks in, newest first (the page's year switch)."""
    return sorted({d.year for d in CallbackTask.objects.dates("due_date", "year")}, reverse=True)
