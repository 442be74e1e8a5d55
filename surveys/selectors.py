"""What managers read from the official scores: gaps, year to date, weak items, the projection.

All figures are Decimal arithmetic on the stored results (never floats), rounded to two
decimals only when presented. ``program_year`` gathers everything the page and the API's
summary show for one program and year in a handful of queries.

Year to date: the dealer score is the mean of the year's periods weighted by their sample sizes
when every period has one, else the plain mean (``method`` says which); the regional and
national averages and the rank are plain means (the region's samples are not published).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Max, Min

from surveys.models import ANNUAL, ItemScore, OfficialScore, Program, ScoreImport, ScoreItem, Target
from surveys.periods import Period, period_indexes

TWO = Decimal("0.01")
FOUR = Decimal("0.0001")
LOWEST_ITEMS = 4
WEIGHTED, PLAIN = "weighted", "plain"


def q2(value: Decimal | None) -> Decimal | None:
    return None if value is None else value.quantize(TWO, rounding=ROUND_HALF_UP)


def _gap(score: Decimal | None, other: Decimal | None) -> Decimal | None:
    return None if score is None or other is None else score - other


def _plain_mean(values: list[Decimal]) -> Decimal | None:
    return sum(values, Decimal(0)) / len(values) if values else None


def weighted_mean(pairs: list[tuple[Decimal, int | None]]) -> tuple[Decimal | None, str | None]:
    """(mean, method): sample-weighted when every pair has a sample size, else the plain mean."""
    if not pairs:
        return None, None
    if all(n for _score, n in pairs):
        total = sum(n for _score, n in pairs)
        return sum((score * n for score, n in pairs), Decimal(0)) / total, WEIGHTED
    return _plain_mean([score for score, _n in pairs]), PLAIN


def rank_percentile(rank: int | None, dealers: int | None) -> Decimal | None:
    """1 − (rank − 1)/(dealers − 1): 1 for the first dealer, 0 for the last."""
    if rank is None or dealers is None:
        return None
    if dealers <= 1:
        return Decimal(1)
    return (Decimal(1) - Decimal(rank - 1) / Decimal(dealers - 1)).quantize(FOUR, rounding=ROUND_HALF_UP)


# --- the catalogue ------------------------------------------------------------------------------


def catalogue_year(program: Program, year: int) -> int | None:
    """The year whose catalogue applies: ``year`` itself, else the latest earlier, else the earliest later."""
    years = ScoreItem.objects.filter(program=program)
    earlier = years.filter(year__lte=year).aggregate(y=Max("year"))["y"]
    if earlier is not None:
        return earlier
    return years.filter(year__gt=year).aggregate(y=Min("year"))["y"]


def catalogue_for(program: Program, year: int, *, active_only: bool = True) -> list[ScoreItem]:
    """The program's items that apply in ``year``, in catalogue order."""
    source_year = catalogue_year(program, year)
    if source_year is None:
        return []
    items = ScoreItem.objects.filter(program=program, year=source_year)
    if active_only:
        items = items.filter(active=True)
    return list(items.order_by("order", "code"))


def item_by_code(program: Program, year: int, code: str) -> ScoreItem | None:
    """The catalogue item with this code in ``year`` (codes compared as normalised)."""
    source_year = catalogue_year(program, year)
    if source_year is None:
        return None
    return ScoreItem.objects.filter(program=program, year=source_year, code__iexact=code).first()


# --- targets ------------------------------------------------------------------------------------


def phased_targets(target: Target | None, program: Program) -> dict[int, Decimal]:
    """Each regular period's target score: the annual target, or its custom percentage of it."""
    if target is None or target.score is None:
        return {}
    indexes = period_indexes(program.period_kind)
    if target.phasing == Target.Phasing.CUSTOM:
        percents = {phase.period: phase.percent for phase in target.phases.all()}
        return {index: q2(target.score * percents[index] / 100) for index in indexes if index in percents}
    return dict.fromkeys(indexes, target.score)


# --- the summary --------------------------------------------------------------------------------


@dataclass
class PeriodRow:
    period: Period
    result: OfficialScore | None
    target: Decimal | None = None
    change: Decimal | None = None

    @property
    def score(self) -> Decimal | None:
        return self.result.score if self.result else None

    @property
    def regional_avg(self) -> Decimal | None:
        return self.result.regional_avg if self.result else None

    @property
    def gap_regional(self) -> Decimal | None:
        return _gap(self.score, self.regional_avg)

    @property
    def gap_target(self) -> Decimal | None:
        return _gap(self.score, self.target)

    @property
    def percentile(self) -> Decimal | None:
        return rank_percentile(self.result.rank, self.result.dealers) if self.result else None


@dataclass
class YearToDate:
    score: Decimal | None
    method: str | None
    regional_avg: Decimal | None
    national_avg: Decimal | None
    rank: Decimal | None
    periods: int
    sample_n: int | None
    target: Decimal | None

    @property
    def gap_regional(self) -> Decimal | None:
        return _gap(self.score, self.regional_avg)

    @property
    def gap_target(self) -> Decimal | None:
        return _gap(self.score, self.target)


@dataclass
class ItemRow:
    item: ScoreItem
    score: Decimal | None
    regional_avg: Decimal | None
    method: str | None
    official: bool  # the manufacturer's full-year item score, not computed by us
    target: Decimal | None = None
    below_regional: bool = False
    lowest: bool = False

    @property
    def gap(self) -> Decimal | None:
        return _gap(self.score, self.regional_avg)

    @property
    def gap_target(self) -> Decimal | None:
        return _gap(self.score, self.target)


@dataclass
class Projection:
    """What the rest of the year must average to reach the annual target score."""

    ACHIEVED, MISSED = "achieved", "missed"
    SECURED, REACHABLE, UNREACHABLE = "secured", "reachable", "unreachable"
    NO_TARGET = "no_target"

    status: str
    target: Decimal | None = None
    required: Decimal | None = None
    remaining: list[Period] = field(default_factory=list)
    method: str | None = None
    scale_max: Decimal | None = None

    @property
    def reachable(self) -> bool | None:
        if self.status == self.NO_TARGET:
            return None
        return self.status in (self.ACHIEVED, self.SECURED, self.REACHABLE)


@dataclass
class ProgramYear:
    program: Program
    year: int
    periods: list[PeriodRow]
    ytd: YearToDate
    official_year: OfficialScore | None
    target: Target | None
    items: list[ItemRow]
    projection: Projection

    @property
    def weak_below_regional(self) -> list[ItemRow]:
        rows = [row for row in self.items if row.below_regional]
        return sorted(rows, key=lambda row: row.gap)

    @property
    def lowest_items(self) -> list[ItemRow]:
        return [row for row in self._by_score() if row.lowest]

    def _by_score(self) -> list[ItemRow]:
        return sorted((row for row in self.items if row.score is not None), key=lambda row: row.score)

    @property
    def item_targets(self) -> bool:
        return any(row.target is not None for row in self.items)


def year_to_date(results: list[OfficialScore], target: Decimal | None = None) -> YearToDate:
    score, method = weighted_mean([(r.score, r.sample_n) for r in results])
    regional = [r.regional_avg for r in results if r.regional_avg is not None]
    national = [r.national_avg for r in results if r.national_avg is not None]
    ranks = [Decimal(r.rank) for r in results if r.rank is not None]
    samples = [r.sample_n for r in results]
    return YearToDate(
        score=score,
        method=method,
        regional_avg=_plain_mean(regional),
        national_avg=_plain_mean(national),
        rank=_plain_mean(ranks),
        periods=len(results),
        sample_n=sum(samples) if results and all(samples) else None,
        target=target,
    )


def required_average(
    program: Program, year: int, results: list[OfficialScore], target_score: Decimal | None
) -> Projection:
    """The average the periods after the latest reported one need for the year to reach the target.

    With sample sizes known for every reported period, each remaining period is expected to
    bring the reported periods' mean sample, and the year is the sample-weighted mean; otherwise
    every period counts once. Reachable when the average needed is within the program's scale.
    """
    scale = program.scale_max
    if target_score is None:
        return Projection(status=Projection.NO_TARGET, scale_max=scale)
    indexes = period_indexes(program.period_kind)
    last = max((r.period for r in results), default=0)
    remaining = [program.period(year, index) for index in indexes if index > last]
    pairs = [(r.score, r.sample_n) for r in results]
    ytd, method = weighted_mean(pairs)
    if not remaining:
        status = Projection.ACHIEVED if ytd is not None and ytd >= target_score else Projection.MISSED
        return Projection(status=status, target=target_score, method=method, scale_max=scale)
    if method == WEIGHTED:
        reported_n = sum(n for _s, n in pairs)
        expected_n = Decimal(reported_n) / len(pairs)
        future_n = expected_n * len(remaining)
        needed = (target_score * (reported_n + future_n) - sum((s * n for s, n in pairs), Decimal(0))) / future_n
    else:
        method = PLAIN
        needed = (target_score * (len(pairs) + len(remaining)) - sum((s for s, _n in pairs), Decimal(0))) / len(
            remaining
        )
    if needed <= 0:
        status = Projection.SECURED
    elif needed <= scale:
        status = Projection.REACHABLE
    else:
        status = Projection.UNREACHABLE
    return Projection(
        status=status, target=target_score, required=q2(needed), remaining=remaining, method=method, scale_max=scale
    )


def _item_rows(program: Program, year: int, target: Target | None, lowest: int) -> list[ItemRow]:
    catalogue = catalogue_for(program, year)
    if not catalogue:
        return []
    scores = ItemScore.objects.filter(program=program, year=year).order_by("period")
    by_item: dict[int, list[ItemScore]] = {}
    for row in scores:
        by_item.setdefault(row.item_id, []).append(row)
    item_targets = {t.item_id: t.score for t in target.item_targets.all()} if target else {}
    rows: list[ItemRow] = []
    for item in catalogue:
        found = by_item.get(item.id, [])
        annual = next((r for r in found if r.period == ANNUAL), None)
        if annual is not None:
            score, regional, method, official = annual.score, annual.regional_avg, None, True
        else:
            regular = [r for r in found if r.period != ANNUAL]
            score, method = weighted_mean([(r.score, r.sample_n) for r in regular])
            regional = _plain_mean([r.regional_avg for r in regular if r.regional_avg is not None])
            official = False
        rows.append(ItemRow(item, score, regional, method, official, target=item_targets.get(item.id)))
    for row in rows:
        row.below_regional = row.gap is not None and row.gap < 0
    order = {row.item.id: position for position, row in enumerate(rows)}
    scored = sorted((row for row in rows if row.score is not None), key=lambda r: (r.score, order[r.item.id]))
    for row in scored[:lowest]:
        row.lowest = True
    return rows


def program_year(program: Program, year: int, *, lowest: int = LOWEST_ITEMS, items: bool = True) -> ProgramYear:
    """Everything the scores page and ``/api/scores/summary/`` show for a program and year.

    ``items=False`` leaves the item table out (the overview does not show it).
    """
    target = Target.objects.filter(program=program, year=year).prefetch_related("phases", "item_targets").first()
    phased = phased_targets(target, program)
    results = list(OfficialScore.objects.filter(program=program, year=year).select_related("program"))
    by_index = {r.period: r for r in results}
    regular = [r for r in results if r.period != ANNUAL]
    regular.sort(key=lambda r: r.period)
    previous = (
        OfficialScore.objects.filter(program=program, year=year - 1, period=program.periods_per_year).first()
        if 1 in by_index
        else None
    )
    rows: list[PeriodRow] = []
    for index in period_indexes(program.period_kind):
        result = by_index.get(index)
        row = PeriodRow(program.period(year, index), result, target=phased.get(index))
        before = by_index.get(index - 1) if index > 1 else previous
        if result is not None and before is not None:
            row.change = result.score - before.score
        rows.append(row)
    target_score = target.score if target else None
    return ProgramYear(
        program=program,
        year=year,
        periods=rows,
        ytd=year_to_date(regular, target_score),
        official_year=by_index.get(ANNUAL) if program.periods_per_year > 1 else None,
        target=target,
        items=_item_rows(program, year, target, lowest) if items else [],
        projection=required_average(program, year, regular, target_score),
    )


@dataclass
class ProgramCard:
    """One line of the overview: the program's year and its latest reported period."""

    summary: ProgramYear
    latest: PeriodRow | None

    @property
    def program(self) -> Program:
        return self.summary.program


def scores_overview(programs, year: int) -> list[ProgramCard]:
    """Each program's year (without items) and its latest reported period, for the overview."""
    cards = []
    for program in programs:
        summary = program_year(program, year, items=False)
        latest = next((row for row in reversed(summary.periods) if row.result), None)
        cards.append(ProgramCard(summary, latest))
    return cards


def overview_years() -> tuple[list[int], int | None]:
    """The years with any result or target (newest first), and the latest year with results."""
    scored = set(OfficialScore.objects.values_list("year", flat=True).distinct())
    targeted = set(Target.objects.values_list("year", flat=True).distinct())
    return sorted(scored | targeted, reverse=True), max(scored, default=None)


def score_years(program: Program) -> list[int]:
    """The years with results or targets for the program, newest first."""
    years = set(OfficialScore.objects.filter(program=program).values_list("year", flat=True))
    years |= set(Target.objects.filter(program=program).values_list("year", flat=True))
    return sorted(years, reverse=True)


def latest_year(program: Program) -> int | None:
    return OfficialScore.objects.filter(program=program).aggregate(y=Max("year"))["y"]


# --- What the pages look up ---------------------------------------------------------------------


def program_for(user, code: str) -> Program | None:
    """The program with this code (any case, spaces ignored) if the user may see it."""
    return Program.objects.visible_to(user).filter(code=code.strip().upper()).first()


def active_programs(user) -> list[Program]:
    """The programs the user may see that are still reported, in the catalogue's order."""
    return list(Program.objects.visible_to(user).filter(active=True))


def entered_periods(program: Program, year: int) -> set[int]:
    """The periods of the year (their index) that have an official result."""
    return set(OfficialScore.objects.filter(program=program, year=year).values_list("period", flat=True))


def period_scores(program: Program, period: Period) -> tuple[OfficialScore | None, list[ItemScore]]:
    """A period's stored result and item scores, as the entry form starts from them."""
    lookup = {"program": program, "year": period.year, "period": period.index}
    return OfficialScore.objects.filter(**lookup).first(), list(ItemScore.objects.filter(**lookup))


def period_result(program: Program, period: Period) -> OfficialScore | None:
    """A period's stored result, if any."""
    return OfficialScore.objects.filter(program=program, year=period.year, period=period.index).first()


def target_for(program: Program, year: int) -> Target | None:
    """The year's target with its phases and item targets, if one is set."""
    return Target.objects.filter(program=program, year=year).prefetch_related("phases", "item_targets").first()


def recent_score_imports(user, limit: int) -> list[ScoreImport]:
    """The latest result-sheet imports the user may see, newest first, with who uploaded them."""
    return list(ScoreImport.objects.visible_to(user).select_related("uploaded_by")[:limit])
