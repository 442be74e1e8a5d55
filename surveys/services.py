"""Every way an official score, an item score or a target changes.

Values arrive raw (form text, API JSON, spreadsheet cells) and go through
``surveys.validators`` here, so the form, the API and the import accept exactly the same
things. Writes keep their history (django-simple-history) and report whether they created,
updated or left the row unchanged, which is what the import counts.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from surveys.models import ItemScore, ItemTarget, OfficialScore, Program, ScoreImport, ScoreItem, Source, Target
from surveys.periods import Period, period_indexes
from surveys.validators import clean_item_score_values, clean_score_values, parse_percent, parse_rank, parse_score

Outcome = Literal["created", "updated", "unchanged"]
CREATED, UPDATED, UNCHANGED = "created", "updated", "unchanged"


def _check_period(program: Program, period: Period) -> None:
    if period.kind != program.period_kind:
        raise ValidationError({"period": [_("This period is not in the program's calendar.")]})


def _upsert(model, lookup: dict, values: dict, *, by, source: str, batch: ScoreImport | None):
    """Create or update one row by ``lookup``; unchanged values write nothing (and no history)."""
    row = model.objects.select_for_update().filter(**lookup).first()
    if row is None:
        row = model(**lookup, **values, source=source, batch=batch, updated_by=by)
        row._history_user = by  # the history names who changed it, also outside a request (imports)
        row.full_clean()
        row.save()
        return row, CREATED
    changed = [name for name, value in values.items() if getattr(row, name) != value]
    if not changed:
        return row, UNCHANGED
    for name in changed:
        setattr(row, name, values[name])
    row.source, row.batch, row.updated_by = source, batch, by
    row._history_user = by
    row.full_clean()
    row.save()
    return row, UPDATED


@transaction.atomic
def score_save(
    *,
    program: Program,
    period: Period,
    values: dict[str, object],
    by=None,
    source: str = Source.TYPED,
    batch: ScoreImport | None = None,
) -> tuple[OfficialScore, Outcome]:
    """Create or update the program's result for ``period`` (upsert by program and period)."""
    _check_period(program, period)
    clean = clean_score_values(values, scale_max=program.scale_max)
    lookup = {"program": program, "year": period.year, "period": period.index}
    return _upsert(OfficialScore, lookup, clean, by=by, source=source, batch=batch)


@transaction.atomic
def item_score_save(
    *,
    program: Program,
    period: Period,
    item: ScoreItem,
    values: dict[str, object],
    by=None,
    source: str = Source.TYPED,
    batch: ScoreImport | None = None,
) -> tuple[ItemScore, Outcome]:
    """Create or update one item's score for ``period`` (upsert by program, period and item)."""
    _check_period(program, period)
    if item.program_id != program.id:
        raise ValidationError({"item": [_("This item belongs to another program.")]})
    clean = clean_item_score_values(values, scale_max=program.scale_max)
    lookup = {"program": program, "year": period.year, "period": period.index, "item": item}
    return _upsert(ItemScore, lookup, clean, by=by, source=source, batch=batch)


@transaction.atomic
def period_scores_save(
    *,
    program: Program,
    period: Period,
    values: dict[str, object] | None,
    item_values: dict[ScoreItem, dict[str, object]],
    by=None,
) -> dict[str, int]:
    """The entry form: a period's score and its item scores in one go; an item left empty is removed.

    Returns the counts of created / updated / unchanged / removed rows.
    """
    counts = {CREATED: 0, UPDATED: 0, UNCHANGED: 0, "removed": 0}
    if values is not None:
        _row, outcome = score_save(program=program, period=period, values=values, by=by)
        counts[outcome] += 1
    for item, raw in item_values.items():
        if all(value in (None, "") for value in raw.values()):
            deleted, _detail = ItemScore.objects.filter(
                program=program, year=period.year, period=period.index, item=item
            ).delete()
            counts["removed"] += deleted
            continue
        _row, outcome = item_score_save(program=program, period=period, item=item, values=raw, by=by)
        counts[outcome] += 1
    return counts


@transaction.atomic
def score_delete(*, score: OfficialScore) -> None:
    """Remove a result typed in by mistake (history keeps it)."""
    score.delete()


@transaction.atomic
def item_score_delete(*, item_score: ItemScore) -> None:
    """Remove an item score typed in by mistake (history keeps it)."""
    item_score.delete()


@transaction.atomic
def target_delete(*, target: Target) -> None:
    """Remove a program's annual target with its phases and item targets (history keeps them)."""
    target.delete()


@transaction.atomic
def target_save(
    *,
    program: Program,
    year: int,
    score: object = None,
    rank: object = None,
    phasing: str = Target.Phasing.EQUAL,
    percents: dict[int, object] | None = None,
    item_targets: dict[ScoreItem, object] | None = None,
    note: str = "",
    by=None,
) -> tuple[Target, Outcome]:
    """Set a program's annual target and its phasing (and optional item targets).

    Custom phasing gives each regular period a percentage of the annual target score; the
    percentages must cover every period and average 100 %, so the phased targets average to the
    annual target, and no phased target may exceed the program's scale.
    """
    errors: dict[str, list[str]] = {}
    clean: dict[str, object] = {}
    for name, parse in (("score", lambda v: parse_score(v, scale_max=program.scale_max)), ("rank", parse_rank)):
        try:
            clean[name] = parse(score if name == "score" else rank)
        except ValidationError as exc:
            errors[name] = exc.messages
    if not errors and clean["score"] is None and clean["rank"] is None:
        errors["score"] = [_("Give a target score, a target rank or both.")]
    if phasing not in Target.Phasing.values:
        errors["phasing"] = [_("Choose equal or custom phasing.")]
    phases = _clean_phases(program, clean.get("score"), phasing, percents or {}, errors)
    items = _clean_item_targets(program, year, item_targets or {}, errors)
    if errors:
        raise ValidationError(errors)

    target = Target.objects.select_for_update().filter(program=program, year=year).first()
    outcome: Outcome = CREATED if target is None else UNCHANGED
    values = {"score": clean["score"], "rank": clean["rank"], "phasing": phasing, "note": note.strip()}
    if target is None:
        target = Target(program=program, year=year, **values, updated_by=by)
    elif any(getattr(target, name) != value for name, value in values.items()):
        outcome = UPDATED
        for name, value in values.items():
            setattr(target, name, value)
        target.updated_by = by
    if outcome != UNCHANGED:
        target._history_user = by
        target.full_clean()
        target.save()

    existing = {phase.period: phase for phase in target.phases.all()}
    for index, percent in phases.items():
        phase = existing.pop(index, None)
        if phase is None:
            target.phases.create(period=index, percent=percent)
            outcome = outcome if outcome == CREATED else UPDATED
        elif phase.percent != percent:
            phase.percent = percent
            phase.save(update_fields=["percent"])
            outcome = outcome if outcome == CREATED else UPDATED
    for phase in existing.values():  # periods no longer phased (or equal phasing now)
        phase.delete()
        outcome = outcome if outcome == CREATED else UPDATED

    current = {it.item_id: it for it in target.item_targets.all()}
    for item, value in items.items():
        row = current.pop(item.id, None)
        if value is None:
            if row is not None:
                row.delete()
                outcome = outcome if outcome == CREATED else UPDATED
        elif row is None:
            ItemTarget.objects.create(target=target, item=item, score=value)
            outcome = outcome if outcome == CREATED else UPDATED
        elif row.score != value:
            row.score = value
            row.save(update_fields=["score"])
            outcome = outcome if outcome == CREATED else UPDATED
    return target, outcome


# --- Create only: the API's POST; the import and the pages upsert -----------------------------


class AlreadyExists(Exception):
    """A create-only write found its row already there (perhaps made a moment ago by another request)."""

    def __init__(self, row):
        super().__init__(str(row))
        self.row = row


def _created(saved: tuple):
    row, outcome = saved
    # Checked inside the caller's transaction: raising rolls back whatever the upsert changed.
    if outcome != CREATED:
        raise AlreadyExists(row)
    return row


@transaction.atomic
def score_create(*, program: Program, period: Period, values: dict[str, object], by=None) -> OfficialScore:
    """Enter a period's result that is not stored yet; an existing one raises ``AlreadyExists``, unchanged."""
    return _created(score_save(program=program, period=period, values=values, by=by))


@transaction.atomic
def item_score_create(
    *, program: Program, period: Period, item: ScoreItem, values: dict[str, object], by=None
) -> ItemScore:
    """Enter an item's score that is not stored yet; an existing one raises ``AlreadyExists``, unchanged."""
    return _created(item_score_save(program=program, period=period, item=item, values=values, by=by))


@transaction.atomic
def target_create(*, program: Program, year: int, by=None, **values) -> Target:
    """Set a year's target that is not set yet; an existing one raises ``AlreadyExists``, unchanged."""
    return _created(target_save(program=program, year=year, by=by, **values))


def _clean_phases(
    program: Program, score: Decimal | None, phasing: str, percents: dict[int, object], errors: dict
) -> dict[int, Decimal]:
    if phasing != Target.Phasing.CUSTOM:
        return {}
    indexes = period_indexes(program.period_kind)
    clean: dict[int, Decimal] = {}
    for index in indexes:
        try:
            value = parse_percent(percents.get(index))
        except ValidationError as exc:
            errors[f"percent_{index}"] = exc.messages
            continue
        if value is None:
            errors[f"percent_{index}"] = [_("Give this period's percentage.")]
            continue
        if score is not None and score * value / 100 > program.scale_max:
            errors[f"percent_{index}"] = [
                _("%(percent)s %% of %(score)s is above the program's scale (%(max)s).")
                % {"percent": value, "score": score, "max": program.scale_max}
            ]
            continue
        clean[index] = value
    if len(clean) == len(indexes):
        total = sum(clean.values(), Decimal(0))
        expected = Decimal(100) * len(indexes)
        if abs(total - expected) > Decimal("0.01") * len(indexes):
            errors["phasing"] = [
                _(
                    "The percentages must average 100 %% so that the year's phased targets average to the annual "
                    "target; they add up to %(total)s %% over %(count)s periods (expected %(expected)s %%)."
                )
                % {"total": total, "count": len(indexes), "expected": expected}
            ]
    if score is None:
        errors.setdefault("phasing", [_("Custom phasing needs a target score.")])
    return clean


def _clean_item_targets(
    program: Program, year: int, item_targets: dict[ScoreItem, object], errors: dict
) -> dict[ScoreItem, Decimal | None]:
    clean: dict[ScoreItem, Decimal | None] = {}
    for item, value in item_targets.items():
        if item.program_id != program.id:
            errors[f"item_{item.pk}"] = [_("This item belongs to another program.")]
            continue
        try:
            clean[item] = parse_score(value, scale_max=program.scale_max)
        except ValidationError as exc:
            errors[f"item_{item.pk}"] = exc.messages
    return clean


@transaction.atomic
def catalogue_copy(*, items, year: int | None = None) -> int:
    """Copy catalogue items to ``year`` (default: each item's next year); existing codes are kept.

    Returns the number of items created.
    """
    created = 0
    for item in items:
        to_year = year if year is not None else item.year + 1
        _row, made = ScoreItem.objects.get_or_create(
            program=item.program,
            year=to_year,
            code=item.code,
            defaults={"name": item.name, "order": item.order, "active": item.active},
        )
        created += made
    return created
