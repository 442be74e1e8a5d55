"""Reads of the accuracy grade for the page, the API and the export: only the stored roll-up.

Nothing here looks at archives, invoices or discrepancies: the nightly run (reports.services)
stores each month's counts in AccuracyScore, and every figure below is derived from those counts.
A month's item score is points × matched / checked; the year to date adds up the months' checked
and matched per item first. Scores are rounded to two decimals only for display, and a total is
the sum of the unrounded item scores, rounded once.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db.models import Count, Max, Q, Sum
from django.utils.translation import gettext as _

from reports.models import (
    AccuracyItem,
    AccuracyMonth,
    AccuracyReopening,
    AccuracyRule,
    AccuracyScore,
    ReconcileRequest,
)

CENT = Decimal("0.01")
MONTH_RE = re.compile(r"^(\d{4})-(\d{1,2})$")


def parse_month(text: str) -> date:
    """'2011-08' → date(2011, 8, 1); a ValidationError for anything else."""
    match = MONTH_RE.match((text or "").strip())
    if match:
        year, month = int(match[1]), int(match[2])
        if 2000 <= year <= 2100 and 1 <= month <= 12:
            return date(year, month, 1)
    raise ValidationError(_("Give the month as YYYY-MM, e.g. 2011-08."), code="bad_month")


def rounded(value: Decimal | None, places: Decimal = CENT) -> Decimal | None:
    return None if value is None else value.quantize(places, ROUND_HALF_UP)


@dataclass(frozen=True)
class ItemFigures:
    """One item over a period (a month or the year to date), with the year's target and averages."""

    item: str
    points: Decimal
    checked: int
    matched: int
    failed: int
    pending: int
    target: Decimal | None = None
    regional: Decimal | None = None
    national: Decimal | None = None
    # The dealer's own result of the year before, from the year's rules.
    last_year: Decimal | None = None

    @property
    def label(self) -> str:
        return str(AccuracyItem(self.item).label)

    @property
    def measurable(self) -> bool:
        return self.checked > 0

    @property
    def exact_rate(self) -> Decimal | None:
        return Decimal(self.matched) / Decimal(self.checked) if self.checked else None

    @property
    def exact_score(self) -> Decimal | None:
        rate = self.exact_rate
        return None if rate is None else self.points * rate

    @property
    def rate(self) -> Decimal | None:
        return rounded(self.exact_rate, Decimal("0.000001"))

    @property
    def rate_percent(self) -> Decimal | None:
        rate = self.exact_rate
        return None if rate is None else rounded(rate * 100, Decimal("0.1"))

    @property
    def score(self) -> Decimal | None:
        return rounded(self.exact_score)

    def _gap(self, reference: Decimal | None) -> Decimal | None:
        score = self.exact_score
        return None if score is None or reference is None else rounded(score - reference)

    @property
    def gap_to_target(self) -> Decimal | None:
        return self._gap(self.target)

    @property
    def gap_to_regional(self) -> Decimal | None:
        return self._gap(self.regional)

    @property
    def below_target(self) -> bool:
        score = self.exact_score
        return score is not None and self.target is not None and score < self.target


@dataclass(frozen=True)
class PeriodFigures:
    """The five items and the total of one period."""

    items: list[ItemFigures]

    def item(self, key: str) -> ItemFigures:
        return next(figures for figures in self.items if figures.item == key)

    @property
    def partial(self) -> bool:
        return any(not figures.measurable for figures in self.items)

    @property
    def missing_items(self) -> list[ItemFigures]:
        return [figures for figures in self.items if not figures.measurable]

    @property
    def points(self) -> Decimal:
        return sum((figures.points for figures in self.items), Decimal("0"))

    @property
    def measured_points(self) -> Decimal:
        return sum((figures.points for figures in self.items if figures.measurable), Decimal("0"))

    @property
    def total(self) -> Decimal | None:
        """The sum of the unrounded scores of the measurable items, rounded once; None if none is."""
        scores = [figures.exact_score for figures in self.items if figures.measurable]
        return rounded(sum(scores, Decimal("0"))) if scores else None

    def _sum(self, attribute: str) -> Decimal | None:
        values = [getattr(figures, attribute) for figures in self.items]
        return None if any(value is None for value in values) else sum(values, Decimal("0"))

    @property
    def target(self) -> Decimal | None:
        return self._sum("target")

    @property
    def regional(self) -> Decimal | None:
        return self._sum("regional")

    @property
    def national(self) -> Decimal | None:
        return self._sum("national")

    @property
    def last_year(self) -> Decimal | None:
        return self._sum("last_year")

    def _gap(self, reference: Decimal | None) -> Decimal | None:
        # A partial total against a full target would read as a huge shortfall: no gap then.
        total = self.total
        return None if self.partial or total is None or reference is None else rounded(total - reference)

    @property
    def gap_to_target(self) -> Decimal | None:
        return self._gap(self.target)

    @property
    def gap_to_regional(self) -> Decimal | None:
        return self._gap(self.regional)

    @property
    def below_target(self) -> bool:
        gap = self.gap_to_target
        return gap is not None and gap < 0


@dataclass(frozen=True)
class ConsultantFigures:
    consultant_id: int
    name: str
    month: PeriodFigures | None
    year_to_date: PeriodFigures


@dataclass(frozen=True)
class Benchmarks:
    """A year's targets and the manufacturer's published averages (the latest year that has them)."""

    target: dict[str, Decimal | None]
    regional: dict[str, Decimal | None]
    national: dict[str, Decimal | None]
    averages_year: int | None
    # The dealer's previous-year result per item, as the year's own rules carry it.
    last_year: dict[str, Decimal | None] = field(default_factory=dict)


@dataclass(frozen=True)
class AccuracyReport:
    """What the accuracy page, its export and the API show for one month."""

    month: date
    accuracy_month: AccuracyMonth | None
    benchmarks: Benchmarks
    figures: PeriodFigures | None
    year_to_date: PeriodFigures | None
    ytd_months: list[date] = field(default_factory=list)
    consultants: list[ConsultantFigures] = field(default_factory=list)

    @property
    def reconciled(self) -> bool:
        return self.accuracy_month is not None and self.accuracy_month.reconciled_at is not None

    @property
    def item_rows(self) -> list[tuple[ItemFigures, ItemFigures]]:
        """Each item's month and year-to-date figures side by side (the page's and the export's rows)."""
        if self.figures is None or self.year_to_date is None:
            return []
        return list(zip(self.figures.items, self.year_to_date.items, strict=True))


def _benchmarks(year: int) -> Benchmarks:
    """Targets and last year's result of the year itself; averages of the year, else of the latest earlier year.

    The manufacturer publishes a year's averages only after it ends, so a year is compared with
    the last averages known (DOMAIN.md's table: 2010 averages beside the 2011 targets).
    """
    rules = list(AccuracyRule.objects.filter(year__lte=year).order_by("-year"))
    own = rules[0] if rules and rules[0].year == year else None
    target = {item: own.target(item) if own else None for item in AccuracyItem.values}
    last_year = {item: own.last_year(item) if own else None for item in AccuracyItem.values}
    with_averages = next(
        (rule for rule in rules if any(rule.regional(item) is not None for item in AccuracyItem.values)), None
    )
    regional = {item: with_averages.regional(item) if with_averages else None for item in AccuracyItem.values}
    national = {item: with_averages.national(item) if with_averages else None for item in AccuracyItem.values}
    return Benchmarks(target, regional, national, with_averages.year if with_averages else None, last_year)


def _period(counts: dict[str, dict], benchmarks: Benchmarks) -> PeriodFigures:
    """Item figures from {item: {"points", "checked", "matched", "failed", "pending"}}."""
    items = []
    for item in AccuracyItem.values:
        row = counts.get(item, {})
        items.append(
            ItemFigures(
                item=item,
                points=row.get("points") or Decimal("0"),
                checked=row.get("checked") or 0,
                matched=row.get("matched") or 0,
                failed=row.get("failed") or 0,
                pending=row.get("pending") or 0,
                target=benchmarks.target[item],
                regional=benchmarks.regional[item],
                national=benchmarks.national[item],
                last_year=benchmarks.last_year.get(item),
            )
        )
    return PeriodFigures(items)


COUNT_FIELDS = ("checked", "matched", "failed", "pending")


def accuracy_month_api(month: date) -> dict | None:
    """The API's view of one month, from the stored dealer-level rows: two queries.

    None when the month was never reconciled.
    """
    accuracy_month = AccuracyMonth.objects.filter(month=month, reconciled_at__isnull=False).first()
    if accuracy_month is None:
        return None
    rows = AccuracyScore.objects.filter(month=accuracy_month, consultant__isnull=True).values(
        "item", "points", *COUNT_FIELDS, "rate", "score"
    )
    by_item = {row["item"]: row for row in rows}
    items = {}
    for item in AccuracyItem.values:
        row = by_item.get(item)
        if row is None:
            items[item] = {"points": None, "checked": 0, "matched": 0, "rate": None, "score": None}
            continue
        items[item] = {
            "points": _points(row["points"]),
            "checked": row["checked"],
            "matched": row["matched"],
            "rate": _number(row["rate"]),
            "score": _number(row["score"]),
        }
    return {
        "month": month.strftime("%Y-%m"),
        "frozen": accuracy_month.frozen,
        "items": items,
        "total": _number(accuracy_month.total),
        "partial": accuracy_month.partial,
    }


def _number(value: Decimal | None) -> float | None:
    """A Decimal as a JSON number: 38.0 for a score, 0.95 for a rate."""
    return None if value is None else float(value)


def _points(value: Decimal) -> int | float:
    """Points as the manufacturer writes them: 40, or 2.5 if a rule ever has halves."""
    return int(value) if value == value.to_integral_value() else float(value)


def accuracy_report(month: date, *, consultants: bool = True) -> AccuracyReport:
    """The month and the year to date (January to this month), dealer level and per consultant."""
    accuracy_month = AccuracyMonth.objects.filter(month=month).first()
    benchmarks = _benchmarks(month.year)
    if accuracy_month is None or accuracy_month.reconciled_at is None:
        return AccuracyReport(month, accuracy_month, benchmarks, None, None)
    # The year to date: the sums of the months' counts, one aggregate over the stored rows.
    year_rows = (
        AccuracyScore.objects.filter(
            month__month__gte=date(month.year, 1, 1), month__month__lte=month, month__reconciled_at__isnull=False
        )
        .values("consultant_id", "item")
        .annotate(points=Max("points"), **{name: Sum(name) for name in COUNT_FIELDS})
    )
    ytd: dict[int | None, dict[str, dict]] = defaultdict(dict)
    for row in year_rows:
        ytd[row["consultant_id"]][row["item"]] = row
    ytd_months = list(
        AccuracyMonth.objects.filter(month__gte=date(month.year, 1, 1), month__lte=month, reconciled_at__isnull=False)
        .order_by("month")
        .values_list("month", flat=True)
    )
    this_month: dict[int | None, dict[str, dict]] = defaultdict(dict)
    names: dict[int, str] = {}
    for score in AccuracyScore.objects.filter(month=accuracy_month).select_related("consultant"):
        this_month[score.consultant_id][score.item] = {name: getattr(score, name) for name in ("points", *COUNT_FIELDS)}
        if score.consultant_id is not None:
            names[score.consultant_id] = score.consultant.name
    report_consultants: list[ConsultantFigures] = []
    if consultants:
        missing = set(ytd) - set(names) - {None}
        if missing:
            from dealership_cs.models import Staff

            names.update(dict(Staff.objects.filter(pk__in=missing).values_list("pk", "name")))
        for consultant_id in sorted((c for c in ytd if c is not None), key=lambda c: (names.get(c, ""), c)):
            report_consultants.append(
                ConsultantFigures(
                    consultant_id=consultant_id,
                    name=names.get(consultant_id, ""),
                    month=_period(this_month[consultant_id], benchmarks) if consultant_id in this_month else None,
                    year_to_date=_period(ytd[consultant_id], benchmarks),
                )
            )
    return AccuracyReport(
        month=month,
        accuracy_month=accuracy_month,
        benchmarks=benchmarks,
        figures=_period(this_month[None], benchmarks),
        year_to_date=_period(ytd[None], benchmarks),
        ytd_months=ytd_months,
        consultants=report_consultants,
    )


def accuracy_months() -> list[AccuracyMonth]:
    """Every reconciled month, newest first (the month selector)."""
    return list(AccuracyMonth.objects.filter(reconciled_at__isnull=False).order_by("-month"))


def latest_reconciled_month() -> date | None:
    return (
        AccuracyMonth.objects.filter(reconciled_at__isnull=False)
        .order_by("-month")
        .values_list("month", flat=True)
        .first()
    )


def accuracy_default_month(today: date) -> date:
    """The month the page and the API open on: the latest with figures, never an empty one.

    The latest reconciled month with archives checked or pending; else the latest month with
    archives (reconciled or not); else the latest reconciled month; else this month. A month
    holding only OMD invoices no archive accounts for has nothing to score.
    """
    with_figures = (
        AccuracyScore.objects.filter(consultant__isnull=True, item=AccuracyItem.TIMELINESS)
        .filter(Q(checked__gt=0) | Q(pending__gt=0), month__reconciled_at__isnull=False)
        .order_by("-month__month")
        .values_list("month__month", flat=True)
        .first()
    )
    if with_figures is not None:
        return with_figures
    from customers.models import SalesArchive

    delivered = SalesArchive.objects.filter(delivery_date__lte=today).aggregate(latest=Max("delivery_date"))["latest"]
    if delivered is not None:
        return delivered.replace(day=1)
    return latest_reconciled_month() or today.replace(day=1)


def accuracy_month_known(month: date) -> bool:
    """Whether the month has ever been reconciled (has a stored row)."""
    return AccuracyMonth.objects.filter(month=month).exists()


def accuracy_month_snapshot(accuracy_month: AccuracyMonth) -> dict:
    """The month's dealer-level figures and its current discrepancies by type, as JSON.

    What a reopening records when the month is reopened and again when it freezes.
    """
    from customers.models import Discrepancy

    items = {
        row["item"]: {"checked": row["checked"], "matched": row["matched"], "score": _text(row["score"])}
        for row in AccuracyScore.objects.filter(month=accuracy_month, consultant__isnull=True).values(
            "item", "checked", "matched", "score"
        )
    }
    discrepancies = dict(
        Discrepancy.objects.filter(month=accuracy_month.month)
        .exclude(status=Discrepancy.Status.CLOSED)
        .order_by()
        .values_list("type")
        .annotate(n=Count("id"))
        .values_list("type", "n")
    )
    total = AccuracyMonth.objects.filter(pk=accuracy_month.pk).values_list("total", flat=True).first()
    return {"total": _text(total), "items": items, "discrepancies": discrepancies}


def _text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


@dataclass(frozen=True)
class Change:
    """One figure before a reopening and after it (or now, while the month is still open)."""

    key: str
    label: str
    before: object
    after: object

    @property
    def changed(self) -> bool:
        return self.before != self.after


@dataclass(frozen=True)
class ReopeningFigures:
    """A reopening of the month with what changed in between: item scores, total, discrepancies by type."""

    reopening: AccuracyReopening
    scores: list[Change]
    discrepancies: list[Change]

    @property
    def changed(self) -> bool:
        return any(change.changed for change in self.scores + self.discrepancies)


def accuracy_reopenings(accuracy_month: AccuracyMonth | None) -> list[ReopeningFigures]:
    """The month's reopenings, newest first; an open one is compared with the figures as they are now."""
    if accuracy_month is None:
        return []
    from customers.models import Discrepancy

    reopenings = list(accuracy_month.reopenings.select_related("reopened_by"))
    now = accuracy_month_snapshot(accuracy_month) if any(r.is_open for r in reopenings) else None
    result = []
    for reopening in reopenings:
        before, after = reopening.before or {}, reopening.after if reopening.after is not None else now or {}
        scores = [
            Change(
                item,
                str(AccuracyItem(item).label),
                _decimal((before.get("items") or {}).get(item, {}).get("score")),
                _decimal((after.get("items") or {}).get(item, {}).get("score")),
            )
            for item in AccuracyItem.values
        ]
        scores.append(Change("total", _("Total"), _decimal(before.get("total")), _decimal(after.get("total"))))
        counts_before, counts_after = before.get("discrepancies") or {}, after.get("discrepancies") or {}
        discrepancies = [
            Change(value, str(label), counts_before.get(value, 0), counts_after.get(value, 0))
            for value, label in Discrepancy.Type.choices
            if counts_before.get(value) or counts_after.get(value)
        ]
        result.append(ReopeningFigures(reopening, scores, discrepancies))
    return result


def _decimal(text: str | None) -> Decimal | None:
    return None if text is None else Decimal(text)


def reconcile_request_latest(month: date) -> ReconcileRequest | None:
    """The month's latest "reconcile now" request, with who asked."""
    return ReconcileRequest.objects.filter(month=month).select_related("requested_by").order_by("-requested_at").first()


@dataclass(frozen=True)
class OpenMonth:
    """A reconciled month that is not frozen, with its latest "reconcile now" request (if any)."""

    accuracy_month: AccuracyMonth
    request: ReconcileRequest | None


def accuracy_open_months() -> list[OpenMonth]:
    """Every reconciled month not frozen, newest first, each with its latest request: two queries."""
    months = list(AccuracyMonth.objects.filter(frozen=False, reconciled_at__isnull=False).order_by("-month"))
    latest: dict[date, ReconcileRequest] = {}
    for request in ReconcileRequest.objects.filter(month__in=[m.month for m in months]).order_by("requested_at"):
        latest[request.month] = request
    return [OpenMonth(month, latest.get(month.month)) for month in months]
