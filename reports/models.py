"""Reports: the customer-information-accuracy rules and the monthly roll-up the dashboards read."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from dealership_cs.models import Staff
from dealership_cs.permissions import has_any_role


class AccuracyItem(models.TextChoices):
    """The five items of the manufacturer's customer-information-accuracy grade (100 points)."""

    TIMELINESS = "timeliness", _("Invoicing timeliness")
    NAME = "name", _("Customer name")
    AMOUNT = "amount", _("Invoice amount")
    INVOICE_NUMBER = "invoice_number", _("Invoice number")
    CALLBACK = "callback", _("Callback authenticity")


class ReportsQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self if has_any_role(user) else self.none()


def _points_field(label):
    return models.DecimalField(
        label,
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )


def _optional_points_field(label):
    return models.DecimalField(
        label,
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )


class AccuracyRule(models.Model):
    """The accuracy grade's rules for one year: item points, deadlines, targets and the published averages."""

    year = models.PositiveSmallIntegerField(
        _("year"), unique=True, validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    timeliness_points = _points_field(_("timeliness points"))
    name_points = _points_field(_("name points"))
    amount_points = _points_field(_("amount points"))
    invoice_number_points = _points_field(_("invoice number points"))
    callback_points = _points_field(_("callback authenticity points"))
    # An invoice is timely when its OMD invoice date is no later than this many days after delivery.
    deadline_days = models.PositiveSmallIntegerField(_("invoicing deadline (days after delivery)"), default=3)
    amount_tolerance = models.DecimalField(
        _("amount tolerance (CNY)"),
        max_digits=10,
        decimal_places=2,
        default=Decimal("0.00"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    # A month's figures stop changing on this day of the following month.
    freeze_day = models.PositiveSmallIntegerField(
        _("freeze day of the next month"), default=5, validators=[MinValueValidator(1), MaxValueValidator(28)]
    )
    # A frozen month an administrator reopens stays open this many days for the corrections, then
    # the nightly run freezes it again.
    reopen_days = models.PositiveSmallIntegerField(
        _("days a reopened month stays open"), default=7, validators=[MinValueValidator(1), MaxValueValidator(60)]
    )
    timeliness_target = _optional_points_field(_("timeliness target"))
    name_target = _optional_points_field(_("name target"))
    amount_target = _optional_points_field(_("amount target"))
    invoice_number_target = _optional_points_field(_("invoice number target"))
    callback_target = _optional_points_field(_("callback target"))
    timeliness_regional = _optional_points_field(_("timeliness regional average"))
    name_regional = _optional_points_field(_("name regional average"))
    amount_regional = _optional_points_field(_("amount regional average"))
    invoice_number_regional = _optional_points_field(_("invoice number regional average"))
    callback_regional = _optional_points_field(_("callback regional average"))
    timeliness_national = _optional_points_field(_("timeliness national average"))
    name_national = _optional_points_field(_("name national average"))
    amount_national = _optional_points_field(_("amount national average"))
    invoice_number_national = _optional_points_field(_("invoice number national average"))
    callback_national = _optional_points_field(_("callback national average"))
    # The dealer's own result of the year before, per item, as the manufacturer published it: the
    # plan sets each year's targets beside it (2011's rules carry 2010's 38 / 11 / 5 / 5 / 36).
    timeliness_last_year = _optional_points_field(_("timeliness, last year's result"))
    name_last_year = _optional_points_field(_("name, last year's result"))
    amount_last_year = _optional_points_field(_("amount, last year's result"))
    invoice_number_last_year = _optional_points_field(_("invoice number, last year's result"))
    callback_last_year = _optional_points_field(_("callback, last year's result"))

    history = HistoricalRecords()
    objects = ReportsQuerySet.as_manager()

    class Meta:
        verbose_name = _("accuracy rule")
        verbose_name_plural = _("accuracy rules")
        ordering = ["-year"]

    def __str__(self) -> str:
        return str(self.year)

    def points(self, item: str) -> Decimal:
        return getattr(self, f"{item}_points")

    def target(self, item: str) -> Decimal | None:
        return getattr(self, f"{item}_target")

    def regional(self, item: str) -> Decimal | None:
        return getattr(self, f"{item}_regional")

    def national(self, item: str) -> Decimal | None:
        return getattr(self, f"{item}_national")

    def last_year(self, item: str) -> Decimal | None:
        return getattr(self, f"{item}_last_year")

    @property
    def total_points(self) -> Decimal:
        return sum((self.points(item) for item in AccuracyItem.values), Decimal("0"))


class AccuracyMonth(models.Model):
    """One month of the accuracy grade: when it was reconciled, whether it is frozen."""

    month = models.DateField(_("month"), unique=True, help_text=_("The first day of the month."))
    reconciled_at = models.DateTimeField(_("last reconciled"), null=True, blank=True)
    frozen = models.BooleanField(_("frozen"), default=False)
    frozen_at = models.DateTimeField(_("frozen at"), null=True, blank=True)
    reopened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reopened by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    reopened_at = models.DateTimeField(_("reopened at"), null=True, blank=True)
    total = models.DecimalField(_("total"), max_digits=6, decimal_places=2, null=True, blank=True)
    # True while an item (the callback item until callbacks are measured) cannot be scored yet.
    partial = models.BooleanField(_("partial"), default=True)

    history = HistoricalRecords()
    objects = ReportsQuerySet.as_manager()

    class Meta:
        verbose_name = _("accuracy month")
        verbose_name_plural = _("accuracy months")
        ordering = ["-month"]
        # Reopening a frozen month changes figures already reported: administrators only.
        permissions = [("reopen_accuracymonth", _("Can reopen a frozen accuracy month"))]
        constraints = [
            models.CheckConstraint(condition=Q(month__day=1), name="accuracymonth_first_of_month"),
        ]

    def __str__(self) -> str:
        return self.month.strftime("%Y-%m")


class AccuracyScore(models.Model):
    """One item's figures in one month, for the dealer (consultant empty) or for one consultant."""

    month = models.ForeignKey(AccuracyMonth, verbose_name=_("month"), on_delete=models.CASCADE, related_name="scores")
    consultant = models.ForeignKey(
        Staff, verbose_name=_("sales consultant"), on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    item = models.CharField(_("item"), max_length=20, choices=AccuracyItem.choices)
    points = models.DecimalField(_("points"), max_digits=5, decimal_places=2)
    checked = models.PositiveIntegerField(_("checked"), default=0)
    matched = models.PositiveIntegerField(_("matched"), default=0)
    failed = models.PositiveIntegerField(_("failed"), default=0)
    pending = models.PositiveIntegerField(_("pending"), default=0)
    # Null while the item cannot be measured (nothing checked, or callbacks not yet recorded).
    rate = models.DecimalField(_("match rate"), max_digits=9, decimal_places=6, null=True, blank=True)
    score = models.DecimalField(_("score"), max_digits=6, decimal_places=2, null=True, blank=True)

    objects = ReportsQuerySet.as_manager()

    class Meta:
        verbose_name = _("accuracy score")
        verbose_name_plural = _("accuracy scores")
        constraints = [
            models.UniqueConstraint(
                fields=["month", "item"], condition=Q(consultant__isnull=True), name="accuracyscore_dealer_unique"
            ),
            models.UniqueConstraint(
                fields=["month", "consultant", "item"],
                condition=Q(consultant__isnull=False),
                name="accuracyscore_consultant_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.month} {self.item} {self.score}"


class ReconcileRun(models.Model):
    """One run of the reconciliation: its date, the months it looked at, what it did, and its inputs' digest.

    A run whose inputs (archives, vehicles, invoices, discrepancies, rules, open months) have the
    same digest as the last run's, on a day no invoicing deadline passed since, recomputes nothing.
    """

    started_at = models.DateTimeField(_("started at"))
    finished_at = models.DateTimeField(_("finished at"))
    today = models.DateField(_("run date"))
    months = models.JSONField(_("months"), default=list)
    frozen = models.JSONField(_("months frozen"), default=list)
    # Nothing changed since the previous run: the stored results were kept as they were.
    skipped = models.BooleanField(_("nothing changed"), default=False)
    found = models.PositiveIntegerField(_("found"), default=0)
    created = models.PositiveIntegerField(_("created"), default=0)
    updated = models.PositiveIntegerField(_("updated"), default=0)
    closed = models.PositiveIntegerField(_("closed"), default=0)
    inputs = models.CharField(_("inputs digest"), max_length=64, blank=True)
    outputs = models.CharField(_("results digest"), max_length=64, blank=True)

    objects = ReportsQuerySet.as_manager()

    class Meta:
        verbose_name = _("reconciliation run")
        verbose_name_plural = _("reconciliation runs")
        ordering = ["-finished_at", "-id"]
        indexes = [models.Index(fields=["finished_at"], name="reconcilerun_finished_idx")]

    def __str__(self) -> str:
        return f"{self.today} {self.finished_at:%H:%M}"


class AccuracyReopening(models.Model):
    """One reopening of a frozen month: who, when, until when, and the month's figures before and after.

    Open while ``refrozen_at`` is empty; the nightly run on or after ``open_until`` freezes the
    month again and records the figures it was frozen with.
    """

    month = models.ForeignKey(
        AccuracyMonth, verbose_name=_("month"), on_delete=models.CASCADE, related_name="reopenings"
    )
    reopened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reopened by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    reopened_at = models.DateTimeField(_("reopened at"))
    # The first day the nightly run freezes the month again.
    open_until = models.DateField(_("open until"))
    refrozen_at = models.DateTimeField(_("frozen again at"), null=True, blank=True)
    # {"total": "38.50" or null, "items": {item: {"checked", "matched", "score"}}, "discrepancies": {type: n}}
    before = models.JSONField(_("figures when reopened"))
    after = models.JSONField(_("figures when frozen again"), null=True, blank=True)

    objects = ReportsQuerySet.as_manager()

    class Meta:
        verbose_name = _("accuracy month reopening")
        verbose_name_plural = _("accuracy month reopenings")
        ordering = ["-reopened_at", "-id"]
        constraints = [
            # A month is reopened once at a time: reopening needs it frozen, and the open reopening
            # ends only when it freezes again.
            models.UniqueConstraint(
                fields=["month"], condition=Q(refrozen_at__isnull=True), name="accuracyreopening_one_open_per_month"
            ),
            # Frozen again means the figures it was frozen with are recorded.
            models.CheckConstraint(
                condition=Q(refrozen_at__isnull=True, after__isnull=True)
                | Q(refrozen_at__isnull=False, after__isnull=False),
                name="accuracyreopening_refrozen_with_figures",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.month} {self.reopened_at:%Y-%m-%d}"

    @property
    def is_open(self) -> bool:
        return self.refrozen_at is None


class ReconcileRequest(models.Model):
    """An administrator's "reconcile now" for one open month, handed to a worker (the nightly job's task)."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    ACTIVE = (Status.QUEUED, Status.RUNNING)

    month = models.DateField(_("month"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    requested_at = models.DateTimeField(_("requested at"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    # What the run did (done) or why it did not (failed).
    message = models.TextField(_("message"), blank=True)

    objects = ReportsQuerySet.as_manager()

    class Meta:
        verbose_name = _("reconciliation request")
        verbose_name_plural = _("reconciliation requests")
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(month__day=1), name="reconcilerequest_first_of_month"),
            # Pressing the button again while a request waits or runs adds nothing.
            models.UniqueConstraint(
                fields=["month"],
                condition=Q(status__in=["queued", "running"]),
                name="reconcilerequest_one_active_per_month",
            ),
            # Each state with its own fields: queued has not started, running has, finished ones ended.
            models.CheckConstraint(
                condition=Q(status="queued", started_at__isnull=True, finished_at__isnull=True)
                | Q(status="running", started_at__isnull=False, finished_at__isnull=True)
                | Q(status__in=["done", "failed"], finished_at__isnull=False),
                name="reconcilerequest_state_fields",
            ),
        ]
        # The page reads the latest request of a month.
        indexes = [models.Index(fields=["month", "-requested_at"], name="reconcilerequest_month_idx")]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.get_status_display()}"

    @property
    def active(self) -> bool:
        return self.status in self.ACTIVE
