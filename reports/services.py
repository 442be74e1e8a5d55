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
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
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
from reports.models import (
    AccuracyItem,
    AccuracyMonth,
    AccuracyReopening,
    AccuracyRule,
    AccuracyScore,
    ReconcileRequest,
    ReconcileRun,
)
from reports.selectors import accuracy_month_snapshot

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
        result.frozen = _freeze_due(months, rules, today, now)
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


def _freeze_due(months: list[date], rules: dict[int, AccuracyRule], today: date, now: datetime) -> list[date]:
    """Freeze the months past their freeze day, except a reopened month still within its days open.

    A month frozen again ends its reopening, which records the figures it is frozen with.
    """
    reopenings = {
        reopening.month_id: reopening
        for reopening in AccuracyReopening.objects.filter(refrozen_at__isnull=True, month__month__in=months)
    }
    frozen = []
    for candidate in AccuracyMonth.objects.filter(frozen=False, reconciled_at__isnull=False, month__in=months).order_by(
        "month"
    ):
        reopening = reopenings.get(candidate.pk)
        if today < freeze_date(candidate.month, _rule_for(candidate.month.year, rules)):
            continue
        if reopening is not None and today < reopening.open_until:
            continue
        candidate.frozen, candidate.frozen_at = True, now
        candidate.save(update_fields=["frozen", "frozen_at"])
        if reopening is not None:
            reopening.refrozen_at, reopening.after = now, accuracy_month_snapshot(candidate)
            reopening.full_clean()
            reopening.save(update_fields=["refrozen_at", "after"])
        frozen.append(candidate.month)
    return frozen


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
            # The total is the sum of the unrounded item scores, rounded once at the end; with no
            # item measured (nothing checked yet) there is no total, which is not a total of zero.
            accuracy_month.total = None if total is None else total.quantize(CENT, ROUND_HALF_UP)
            accuracy_month.partial = not measurable
            accuracy_month.reconciled_at = now
    AccuracyScore.objects.bulk_create(rows, batch_size=1000)
    AccuracyMonth.objects.bulk_update(list(stored.values()), ["total", "partial", "reconciled_at"], batch_size=500)


def _month_scores(
    accuracy_month: AccuracyMonth, rule: AccuracyRule, counts: list, callbacks
) -> tuple[list[AccuracyScore], Decimal | None, bool]:
    """One month's AccuracyScore rows, its unrounded total (None if no item is measurable) and whether all are."""
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
    total: Decimal | None = None
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
                    total = score if total is None else total + score
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
def accuracy_month_reopen(*, month: date, by=None, today: date | None = None) -> AccuracyReopening:
    """Let a frozen month be reconciled again for the year's ``reopen_days`` (an administrator's decision).

    Recorded twice: in the month's history, and as a reopening that keeps the figures as they were
    frozen; the nightly run on or after ``open_until`` freezes the month again and adds the figures
    it then has, so the page can say what changed in between.
    """
    today = today or timezone.localdate()
    accuracy_month = AccuracyMonth.objects.select_for_update().get(month=month_start(month))
    if not accuracy_month.frozen:
        raise ValidationError(_("%(month)s is not frozen.") % {"month": accuracy_month}, code="not_frozen")
    rules = {rule.year: rule for rule in AccuracyRule.objects.all()}
    rule = _rule_for(accuracy_month.month.year, rules)
    now = timezone.now()
    accuracy_month.frozen = False
    accuracy_month.reopened_by, accuracy_month.reopened_at = by, now
    accuracy_month._history_user = by
    accuracy_month.save()
    reopening = AccuracyReopening(
        month=accuracy_month,
        reopened_by=by,
        reopened_at=now,
        open_until=today + timedelta(days=rule.reopen_days),
        before=accuracy_month_snapshot(accuracy_month),
    )
    reopening.full_clean()
    reopening.save()
    return reopening


# A request still queued or running after this long was lost with its worker (the task's hard time
# limit is 30 minutes): the button may ask again.
REQUEST_STALE_AFTER = timedelta(hours=1)


@transaction.atomic
def accuracy_reconcile_request(*, month: date, by=None, today: date | None = None) -> ReconcileRequest:
    """An administrator's "reconcile now" for one open month: recorded, then sent to a worker once committed.

    The worker runs the nightly job's task for this month (never freezing it). While a request for
    the month waits or runs, asking again returns that request and sends nothing.
    """
    today = today or timezone.localdate()
    month = month_start(month)
    if month > month_start(today):
        raise ValidationError(
            _("%(month)s has not begun yet; there is nothing to reconcile.") % {"month": month.strftime("%Y-%m")},
            code="future",
        )
    if AccuracyMonth.objects.filter(month=month, frozen=True).exists():
        raise ValidationError(
            _("%(month)s is frozen; an administrator must reopen it first.") % {"month": month.strftime("%Y-%m")},
            code="frozen",
        )
    now = timezone.now()
    active = ReconcileRequest.objects.select_for_update().filter(month=month, status__in=ReconcileRequest.ACTIVE)
    for request in active:
        if request.requested_at > now - REQUEST_STALE_AFTER:
            return request
        request.status, request.finished_at = ReconcileRequest.Status.FAILED, now
        request.message = _("No worker finished this request; it was asked again.")
        request.save(update_fields=["status", "finished_at", "message"])
    request = ReconcileRequest(month=month, requested_by=by, requested_at=now)
    request.full_clean()
    try:
        with transaction.atomic():
            request.save()
    except IntegrityError:
        # Another administrator pressed the button at the same moment: theirs is the request.
        return ReconcileRequest.objects.get(month=month, status__in=ReconcileRequest.ACTIVE)
    transaction.on_commit(lambda: _send_request(request.pk))
    return request


def _send_request(request_id: int) -> None:
    # The tasks module imports this one: import it when sending.
    from reports.tasks import accuracy_reconcile_task

    accuracy_reconcile_task.delay(request_id=request_id)


def accuracy_reconcile_request_run(*, request_id: int, last_attempt: bool = True) -> ReconcileRequest:
    """Run a queued request (the worker's side): claim it, reconcile its month, record the outcome.

    Another worker that claimed it first wins and this call does nothing. While another
    reconciliation holds the lock the request goes back to the queue (status ``queued``) for the
    task to retry, unless this is the ``last_attempt``, when it fails with the reason.
    """
    now = timezone.now()
    claimed = ReconcileRequest.objects.filter(pk=request_id, status=ReconcileRequest.Status.QUEUED).update(
        status=ReconcileRequest.Status.RUNNING, started_at=now
    )
    request = ReconcileRequest.objects.get(pk=request_id)
    if not claimed:
        return request
    try:
        result = accuracy_reconcile(month=request.month, freeze=False)
    except ValidationError as exc:
        return _request_finish(request, ReconcileRequest.Status.FAILED, " ".join(exc.messages))
    except Exception as exc:
        failure = _("The reconciliation failed: %(error)s") % {"error": exc}
        _request_finish(request, ReconcileRequest.Status.FAILED, failure)
        raise
    if not result.ran:
        if last_attempt:
            return _request_finish(
                request, ReconcileRequest.Status.FAILED, _("Another reconciliation kept running; try again later.")
            )
        ReconcileRequest.objects.filter(pk=request.pk, status=ReconcileRequest.Status.RUNNING).update(
            status=ReconcileRequest.Status.QUEUED, started_at=None
        )
        request.refresh_from_db()
        return request
    summary = _("found=%(found)s created=%(created)s updated=%(updated)s closed=%(closed)s") % {
        "found": result.found,
        "created": result.created,
        "updated": result.updated,
        "closed": result.closed,
    }
    if result.unchanged:
        summary = _("Nothing changed since the last run.")
    return _request_finish(request, ReconcileRequest.Status.DONE, summary)


def _request_finish(request: ReconcileRequest, status: str, message: str) -> ReconcileRequest:
    ReconcileRequest.objects.filter(pk=request.pk, status=ReconcileRequest.Status.RUNNING).update(
        status=status, finished_at=timezone.now(), message=message[:2000]
    )
    request.refresh_from_db()
    return request


__all__ = [
    "FAILS",
    "accuracy_month_reopen",
    "accuracy_reconcile",
    "accuracy_reconcile_request",
    "accuracy_reconcile_request_run",
    "freeze_date",
    "month_start",
    "next_month",
]
