"""The accuracy roll-up: reconcile the open months, store each month's item scores, freeze months.

Reads below: the archives' discrepancies (customers.reconciliation.matching) and the callback outcomes
(callbacks.selectors). Nothing here is recomputed by a view: pages and the API read the stored
AccuracyMonth and AccuracyScore rows.
"""

from __future__ import annotations

import hashlib
import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from callbacks.selectors import sales_callback_verification
from customers.reconciliation.matching import (
    FAILS,
    INPUT_COLUMNS,
    OUTPUT_COLUMNS,
    ReconcileScope,
    accuracy_counts,
    deadlines_passed,
    discrepancies_reconcile,
    tables_fingerprint,
)
from dealership_cs.locks import job_lock
from reports.models import AccuracyItem, AccuracyMonth, AccuracyRule, AccuracyScore, ReconcileRun

logger = logging.getLogger(__name__)
LOCK_NAME = "reports.accuracy_reconcile"
CENT = Decimal("0.01")


def month_start(day: date) -> date:
    return day.replace(day=1)


def next_month(month: date) -> date:
    return date(month.year + (month.month == 12), month.month % 12 + 1, 1)


def freeze_date(month: date, rule: AccuracyRule) -> date:
    return next_month(month).replace(day=rule.freeze_day)


@dataclass
class RunResult:
    ran: bool
    months: list[date] = field(default_factory=list)
    frozen: list[date] = field(default_factory=list)
    found: int = 0
    created: int = 0
    updated: int = 0
    closed: int = 0
    # Nothing changed since the previous run: its results were kept, nothing was recomputed.
    unchanged: bool = False

    def as_dict(self) -> dict:
        """A plain summary (the task's return value, the command's output)."""
        return {
            "ran": self.ran,
            "unchanged": self.unchanged,
            "months": [m.strftime("%Y-%m") for m in self.months],
            "frozen": [m.strftime("%Y-%m") for m in self.frozen],
            "found": self.found,
            "created": self.created,
            "updated": self.updated,
            "closed": self.closed,
        }


def _rule_for(year: int, rules: dict[int, AccuracyRule]) -> AccuracyRule:
    if year in rules:
        return rules[year]
    # A year without its own rule uses the latest earlier one (the manufacturer rarely changes them);
    # history imported from before the first rule uses the first rule, rather than stopping the
    # nightly run for every month.
    earlier = [y for y in rules if y < year]
    if earlier:
        return rules[max(earlier)]
    if rules:
        return rules[min(rules)]
    raise ValidationError(_("There is no accuracy rule for %(year)s; add one in the administration.") % {"year": year})


def _data_months() -> list[date]:
    """Every month that has archives (by delivery) or OMD invoices (by invoice date)."""
    from customers.models import OmdInvoice, SalesArchive

    months = {d.replace(day=1) for d in SalesArchive.objects.dates("delivery_date", "month")}
    months |= {d.replace(day=1) for d in OmdInvoice.objects.dates("invoice_date", "month")}
    return sorted(months)


def _scopes(months: list[date], rules: dict[int, AccuracyRule]) -> list[ReconcileScope]:
    """Contiguous runs of months of the same year, each with that year's rule."""
    scopes: list[ReconcileScope] = []
    for month in sorted(months):
        rule = _rule_for(month.year, rules)
        last = scopes[-1] if scopes else None
        if last and last.end == month and last.start.year == month.year:
            scopes[-1] = ReconcileScope(last.start, next_month(month), last.deadline_days, last.amount_tolerance)
        else:
            scopes.append(ReconcileScope(month, next_month(month), rule.deadline_days, rule.amount_tolerance))
    return scopes


def accuracy_reconcile(*, month: date | None = None, today: date | None = None, freeze: bool = True) -> RunResult:
    """Reconcile every open month (or one month), store the roll-up, freeze months past their freeze day.

    Takes a lock: a second run while one holds it returns at once with ``ran=False``.
    """
    today = today or timezone.localdate()
    with job_lock(LOCK_NAME) as acquired:
        if not acquired:
            logger.info("accuracy reconciliation already running; this run does nothing")
            return RunResult(ran=False)
        return _run(month=month, today=today, freeze=freeze)


@transaction.atomic
def _run(*, month: date | None, today: date, freeze: bool) -> RunResult:
    rules = {rule.year: rule for rule in AccuracyRule.objects.all()}
    frozen = set(AccuracyMonth.objects.filter(frozen=True).values_list("month", flat=True))
    if month is not None:
        month = month_start(month)
        if month in frozen:
            raise ValidationError(
                _("%(month)s is frozen; an administrator must reopen it first.") % {"month": month.strftime("%Y-%m")}
            )
        months = [month]
    else:
        months = [m for m in _data_months() if m not in frozen and m <= month_start(today)]
    result = RunResult(ran=True, months=months)
    if not months:
        return result
    started = timezone.now()
    scopes = _scopes(months, rules)
    # The inputs' digest is taken before reading them for the findings: a change committed in
    # between makes the next run recompute, never the other way round.
    inputs = _inputs_digest(rules, months)
    last = ReconcileRun.objects.order_by("-finished_at", "-id").first()
    outputs = _outputs_digest() if last is not None and last.inputs == inputs else None
    if (
        last is not None
        and outputs == last.outputs
        and not deadlines_passed(scopes=scopes, since=last.today, today=today)
    ):
        # Same archives, invoices, rules and open months, and no deadline passed since: the stored
        # discrepancies and scores are what a recomputation would produce.
        result.unchanged, result.found = True, last.found
        now = timezone.now()
        AccuracyMonth.objects.filter(month__in=months).update(reconciled_at=now)
    else:
        found = discrepancies_reconcile(scopes=scopes, today=today)
        result.found, result.created = found.found, found.created
        result.updated, result.closed = found.updated, found.closed
        counts = accuracy_counts(scopes=scopes, today=today)
        now = timezone.now()
        _store_months(scopes, rules, counts, now)
    if freeze and month is None:
        for candidate in AccuracyMonth.objects.filter(
            frozen=False, reconciled_at__isnull=False, month__in=months
        ).order_by("month"):
            if today >= freeze_date(candidate.month, _rule_for(candidate.month.year, rules)):
                candidate.frozen, candidate.frozen_at = True, now
                candidate.save(update_fields=["frozen", "frozen_at"])
                result.frozen.append(candidate.month)
    ReconcileRun.objects.create(
        started_at=started,
        finished_at=timezone.now(),
        today=today,
        months=[m.isoformat() for m in months],
        frozen=[m.isoformat() for m in result.frozen],
        skipped=result.unchanged,
        found=result.found,
        created=result.created,
        updated=result.updated,
        closed=result.closed,
        inputs=inputs,
        outputs=outputs if result.unchanged else _outputs_digest(),
    )
    return result


def _inputs_digest(rules: dict[int, AccuracyRule], months: list[date]) -> str:
    """The digest of everything a run computes from: the tables, the years' rules, the months it looks at."""
    rule_values = [
        [str(getattr(rule, f.attname)) for f in AccuracyRule._meta.concrete_fields]
        for _year, rule in sorted(rules.items())
    ]
    text = f"{tables_fingerprint(INPUT_COLUMNS)}|{rule_values}|{[m.isoformat() for m in months]}"
    return hashlib.sha256(text.encode()).hexdigest()


def _outputs_digest() -> str:
    """The digest of what a run leaves behind: the discrepancies (staff may change them) and the scores."""
    return tables_fingerprint(
        {
            **OUTPUT_COLUMNS,
            "reports_accuracyscore": (
                "id",
                "month_id",
                "consultant_id",
                "item",
                "checked",
                "matched",
                "failed",
                "pending",
            ),
        }
    )


def _months_between(start: date, end: date) -> list[date]:
    months, current = [], start
    while current < end:
        months.append(current)
        current = next_month(current)
    return months


def _rate_and_score(points: Decimal, checked: int, matched: int) -> tuple[Decimal | None, Decimal | None]:
    if checked == 0:
        return None, None
    rate = Decimal(matched) / Decimal(checked)
    return rate, points * rate


def _store_months(scopes: list[ReconcileScope], rules: dict[int, AccuracyRule], counts: list, now: datetime) -> None:
    """Replace the stored scores of the scopes' months: dealer level and per consultant, five items each.

    A handful of statements whatever the number of months. Totals are written with a bulk update:
    a month's history keeps what people do to it (freeze, reopen), not every night's run.
    """
    months = [m for scope in scopes for m in _months_between(scope.start, scope.end)]
    stored = {row.month: row for row in AccuracyMonth.objects.filter(month__in=months)}
    for month in months:
        if month not in stored:
            stored[month] = AccuracyMonth.objects.create(month=month)
    AccuracyScore.objects.filter(month__in=list(stored.values())).delete()
    counts_by_month: dict[date, list] = defaultdict(list)
    for row in counts:
        counts_by_month[row.month].append(row)
    rows: list[AccuracyScore] = []
    for scope in scopes:
        callbacks = sales_callback_verification(start=scope.start, end=scope.end)
        for month in _months_between(scope.start, scope.end):
            accuracy_month = stored[month]
            month_rows, total, measurable = _month_scores(
                accuracy_month, _rule_for(month.year, rules), counts_by_month[month], callbacks
            )
            rows += month_rows
            # The total is the sum of the unrounded item scores, rounded once at the end.
            accuracy_month.total = total.quantize(CENT, ROUND_HALF_UP)
            accuracy_month.partial = not measurable
            accuracy_month.reconciled_at = now
    AccuracyScore.objects.bulk_create(rows, batch_size=1000)
    AccuracyMonth.objects.bulk_update(list(stored.values()), ["total", "partial", "reconciled_at"], batch_size=500)


def _month_scores(
    accuracy_month: AccuracyMonth, rule: AccuracyRule, counts: list, callbacks
) -> tuple[list[AccuracyScore], Decimal, bool]:
    """One month's AccuracyScore rows, its unrounded total and whether every item could be measured."""
    month = accuracy_month.month
    by_consultant: dict[int | None, dict] = defaultdict(
        lambda: {"checked": 0, "pending": 0, "failed": defaultdict(int)}
    )
    for row in counts:
        for key in (row.consultant_id, "dealer"):
            bucket = by_consultant[key]
            bucket["checked"] += row.checked
            bucket["pending"] += row.pending
            for item, failed in row.failed.items():
                bucket["failed"][item] += failed
    dealer = by_consultant.pop("dealer", {"checked": 0, "pending": 0, "failed": defaultdict(int)})
    rows: list[AccuracyScore] = []
    total = Decimal("0")
    measurable = True
    for consultant_id, bucket in [(None, dealer), *by_consultant.items()]:
        for item in AccuracyItem.values:
            points = rule.points(item)
            if item == AccuracyItem.CALLBACK:
                verification = None
                if callbacks is not None:
                    verification = (
                        callbacks.get((month, consultant_id)) if consultant_id else _sum_callbacks(callbacks, month)
                    )
                checked = (verification.verified + verification.failed) if verification else 0
                failed = verification.failed if verification else 0
                pending = bucket["checked"] + bucket["pending"] - checked
            else:
                checked, failed, pending = bucket["checked"], bucket["failed"][item], bucket["pending"]
            matched = checked - failed
            rate, score = _rate_and_score(points, checked, matched)
            if consultant_id is None:
                if score is None:
                    measurable = False
                else:
                    total += score
            rows.append(
                AccuracyScore(
                    month=accuracy_month,
                    consultant_id=consultant_id,
                    item=item,
                    points=points,
                    checked=checked,
                    matched=matched,
                    failed=failed,
                    pending=max(pending, 0),
                    rate=None if rate is None else rate.quantize(Decimal("0.000001"), ROUND_HALF_UP),
                    score=None if score is None else score.quantize(CENT, ROUND_HALF_UP),
                )
            )
    return rows, total, measurable


def _sum_callbacks(callbacks, month: date):
    from callbacks.selectors import CallbackVerification

    verified = sum(v.verified for (m, _c), v in callbacks.items() if m == month)
    failed = sum(v.failed for (m, _c), v in callbacks.items() if m == month)
    return CallbackVerification(verified, failed) if verified or failed else None


@transaction.atomic
def accuracy_month_reopen(*, month: date, by=None) -> AccuracyMonth:
    """Let a frozen month be reconciled again (an administrator's decision, recorded in its history)."""
    accuracy_month = AccuracyMonth.objects.select_for_update().get(month=month_start(month))
    if not accuracy_month.frozen:
        raise ValidationError(_("%(month)s is not frozen.") % {"month": accuracy_month})
    accuracy_month.frozen = False
    accuracy_month.reopened_by, accuracy_month.reopened_at = by, timezone.now()
    accuracy_month._history_user = by
    accuracy_month.save()
    return accuracy_month


__all__ = ["FAILS", "accuracy_month_reopen", "accuracy_reconcile", "freeze_date", "month_start", "next_month"]
