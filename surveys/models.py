"""Official scores: programs and their item catalogues, period results, item scores, targets.

Scores arrive as the manufacturer's official results and are stored as they are, never
recomputed; what the managers need from them (gaps, year to date, weak items, projections) is
computed in ``selectors``. Every change keeps its history.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from dealership_cs.permissions import has_any_role
from surveys.periods import ANNUAL, YEAR_MAX, YEAR_MIN, Period, PeriodKind, period_code, period_count

_YEAR_VALIDATORS = [MinValueValidator(YEAR_MIN), MaxValueValidator(YEAR_MAX)]
_CODE_VALIDATOR = RegexValidator(
    r"^[A-Z0-9][A-Z0-9_.\-]*$",
    _("Use capital letters, digits, dots, dashes and underscores, starting with a letter or a digit."),
)


class SurveysQuerySet(models.QuerySet):
    def visible_to(self, user):
        # Official scores are the department's shared numbers: every role reads them.
        return self if has_any_role(user) else self.none()


def _score_field(label, *, null: bool = False):
    return models.DecimalField(
        label, max_digits=7, decimal_places=2, null=null, blank=null, validators=[MinValueValidator(Decimal(0))]
    )


class Program(models.Model):
    """A manufacturer's score programme (SSI, CSS/MOT, mystery shopper) with its scale and calendar."""

    code = models.CharField(
        _("code"),
        max_length=20,
        unique=True,
        validators=[_CODE_VALIDATOR],
        help_text=_("Stable code used by imports and the API, e.g. SSI."),
    )
    name = models.CharField(_("name"), max_length=100)
    headline = models.CharField(
        _("headline score"),
        max_length=50,
        blank=True,
        help_text=_("What the headline score is called, e.g. MOT for service CSS."),
    )
    scale_max = models.DecimalField(
        _("scale (maximum points)"), max_digits=7, decimal_places=2, validators=[MinValueValidator(Decimal(1))]
    )
    period_kind = models.CharField(_("reported"), max_length=10, choices=PeriodKind.choices)
    active = models.BooleanField(_("active"), default=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    description = models.TextField(_("description"), blank=True)

    history = HistoricalRecords()
    objects = SurveysQuerySet.as_manager()

    class Meta:
        verbose_name = _("score program")
        verbose_name_plural = _("score programs")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def periods_per_year(self) -> int:
        return period_count(self.period_kind)

    def period(self, year: int, index: int) -> Period:
        return Period(year, index, self.period_kind)


class ScoreItem(models.Model):
    """One item of a program's catalogue for a year (e.g. MOT item 11.12 车辆整洁).

    A year without its own catalogue uses the latest earlier year's (see ``catalogue_for``).
    """

    program = models.ForeignKey(Program, verbose_name=_("program"), on_delete=models.PROTECT, related_name="items")
    year = models.PositiveSmallIntegerField(_("year"), validators=_YEAR_VALIDATORS)
    code = models.CharField(_("item code"), max_length=20, validators=[_CODE_VALIDATOR])
    name = models.CharField(_("item"), max_length=200)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    active = models.BooleanField(_("active"), default=True)

    history = HistoricalRecords()
    objects = SurveysQuerySet.as_manager()

    class Meta:
        verbose_name = _("score item")
        verbose_name_plural = _("score items")
        ordering = ["program", "-year", "order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["program", "year", "code"], name="surveys_item_code_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class ScoreImport(models.Model):
    """One imported result sheet: who, when, what it did and which rows it rejected."""

    file_name = models.CharField(_("file name"), max_length=255)
    size = models.PositiveBigIntegerField(_("size (bytes)"), default=0)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    counts = models.JSONField(_("counts"), default=dict)
    errors = models.JSONField(_("row errors"), default=list)

    objects = SurveysQuerySet.as_manager()

    class Meta:
        verbose_name = _("score import")
        verbose_name_plural = _("score imports")
        ordering = ["-uploaded_at", "-id"]

    def __str__(self) -> str:
        return self.file_name

    # The names the shared history partial (templates/includes/history.html) reads for a batch.
    @property
    def created_at(self):
        return self.uploaded_at

    @property
    def created_by(self):
        return self.uploaded_by


class Source(models.TextChoices):
    TYPED = "typed", _("Typed in")
    IMPORTED = "imported", _("Imported")


class PeriodResult(models.Model):
    """What a score row and an item-score row share: the program, the period, where it came from."""

    program = models.ForeignKey(Program, verbose_name=_("program"), on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("year"), validators=_YEAR_VALIDATORS)
    # 1.. the program's periods in the year; 0 the official full-year result.
    period = models.PositiveSmallIntegerField(_("period"), validators=[MaxValueValidator(12)])
    source = models.CharField(_("source"), max_length=10, choices=Source.choices, default=Source.TYPED)
    batch = models.ForeignKey(
        ScoreImport,
        verbose_name=_("import"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = SurveysQuerySet.as_manager()

    class Meta:
        abstract = True

    @property
    def period_obj(self) -> Period:
        return Period(self.year, self.period, self.program.period_kind)

    @property
    def period_code(self) -> str:
        return period_code(self.program.period_kind, self.year, self.period)


class OfficialScore(PeriodResult):
    """The manufacturer's result for one program and period, as published."""

    score = _score_field(_("dealer score"))
    regional_avg = _score_field(_("regional average"), null=True)
    national_avg = _score_field(_("national average"), null=True)
    rank = models.PositiveSmallIntegerField(_("rank"), null=True, blank=True, validators=[MinValueValidator(1)])
    dealers = models.PositiveSmallIntegerField(
        _("dealers ranked"), null=True, blank=True, validators=[MinValueValidator(1)]
    )
    sample_n = models.PositiveIntegerField(_("sample size"), null=True, blank=True, validators=[MinValueValidator(1)])

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("official score")
        verbose_name_plural = _("official scores")
        ordering = ["program", "year", "period"]
        constraints = [
            models.UniqueConstraint(fields=["program", "year", "period"], name="surveys_score_period_unique"),
            models.CheckConstraint(
                condition=Q(rank__isnull=True) | Q(dealers__isnull=True) | Q(rank__lte=F("dealers")),
                name="surveys_score_rank_within_dealers",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.program.code} {self.period_code}: {self.score}"


class ItemScore(PeriodResult):
    """One item's score in a period (or the full year): the dealer's and the region's."""

    item = models.ForeignKey(ScoreItem, verbose_name=_("item"), on_delete=models.PROTECT, related_name="scores")
    score = _score_field(_("dealer score"))
    regional_avg = _score_field(_("regional average"), null=True)
    sample_n = models.PositiveIntegerField(_("sample size"), null=True, blank=True, validators=[MinValueValidator(1)])

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("item score")
        verbose_name_plural = _("item scores")
        ordering = ["program", "year", "period", "item__order", "item__code"]
        constraints = [
            models.UniqueConstraint(fields=["program", "year", "period", "item"], name="surveys_item_score_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.program.code} {self.period_code} {self.item.code}: {self.score}"


class Target(models.Model):
    """A program's annual target (score and rank) and how it is phased over the year's periods."""

    class Phasing(models.TextChoices):
        EQUAL = "equal", _("Equal: every period carries the annual target")
        CUSTOM = "custom", _("By percentages of the annual target")

    program = models.ForeignKey(Program, verbose_name=_("program"), on_delete=models.PROTECT, related_name="targets")
    year = models.PositiveSmallIntegerField(_("year"), validators=_YEAR_VALIDATORS)
    score = _score_field(_("target score"), null=True)
    rank = models.PositiveSmallIntegerField(_("target rank"), null=True, blank=True, validators=[MinValueValidator(1)])
    phasing = models.CharField(_("phasing"), max_length=10, choices=Phasing.choices, default=Phasing.EQUAL)
    note = models.CharField(_("note"), max_length=200, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])
    objects = SurveysQuerySet.as_manager()

    class Meta:
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        ordering = ["program", "year"]
        constraints = [
            models.UniqueConstraint(fields=["program", "year"], name="surveys_target_year_unique"),
            models.CheckConstraint(
                condition=Q(score__isnull=False) | Q(rank__isnull=False), name="surveys_target_score_or_rank"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.program.code} {self.year}"


class TargetPhase(models.Model):
    """A period's share of a custom-phased target, as a percentage of the annual target score."""

    target = models.ForeignKey(Target, verbose_name=_("target"), on_delete=models.CASCADE, related_name="phases")
    period = models.PositiveSmallIntegerField(_("period"), validators=[MinValueValidator(1), MaxValueValidator(12)])
    percent = models.DecimalField(
        _("percent of the annual target"),
        max_digits=6,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal(200))],
    )

    history = HistoricalRecords()
    objects = SurveysQuerySet.as_manager()

    class Meta:
        verbose_name = _("target phase")
        verbose_name_plural = _("target phases")
        ordering = ["target", "period"]
        constraints = [
            models.UniqueConstraint(fields=["target", "period"], name="surveys_phase_period_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.target} #{self.period}: {self.percent}%"


class ItemTarget(models.Model):
    """An optional target for one item of the catalogue in the target's year."""

    target = models.ForeignKey(Target, verbose_name=_("target"), on_delete=models.CASCADE, related_name="item_targets")
    item = models.ForeignKey(ScoreItem, verbose_name=_("item"), on_delete=models.PROTECT, related_name="+")
    score = _score_field(_("target score"))

    history = HistoricalRecords()
    objects = SurveysQuerySet.as_manager()

    class Meta:
        verbose_name = _("item target")
        verbose_name_plural = _("item targets")
        ordering = ["target", "item__order", "item__code"]
        constraints = [
            models.UniqueConstraint(fields=["target", "item"], name="surveys_item_target_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.target} {self.item.code}: {self.score}"


__all__ = [
    "ANNUAL",
    "ItemScore",
    "ItemTarget",
    "OfficialScore",
    "Program",
    "ScoreImport",
    "ScoreItem",
    "Source",
    "Target",
    "TargetPhase",
]
