"""Customer care (客户关怀): the yearly care plan, its activities with the plan's nine columns, their
time nodes, staff, cost lines and KPIs, and the customers invited to each."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from dealership_cs.permissions import has_any_role

MONEY = {"max_digits": 12, "decimal_places": 2, "validators": [MinValueValidator(Decimal("0"))]}


class CareQuerySet(models.QuerySet):
    def visible_to(self, user):
        # The care plan is the department's shared work: every role reads it; the role table decides writes.
        return self if has_any_role(user) else self.none()


class CarePlan(models.Model):
    """The year's customer-care plan (客户关怀计划)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        APPROVED = "approved", _("Approved")
        CLOSED = "closed", _("Closed")

    year = models.PositiveSmallIntegerField(
        _("year"), unique=True, validators=[MinValueValidator(1990), MaxValueValidator(2100)]
    )
    title = models.CharField(_("title"), max_length=200)
    total_budget = models.DecimalField(_("total budget (CNY)"), **MONEY)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    history = HistoricalRecords()
    objects = CareQuerySet.as_manager()

    class Meta:
        verbose_name = _("care plan")
        verbose_name_plural = _("care plans")
        ordering = ["-year"]
        permissions = [("approve_careplan", _("Can approve a care plan"))]
        constraints = [
            models.CheckConstraint(condition=Q(total_budget__gte=0), name="care_plan_budget_not_negative"),
            models.CheckConstraint(
                condition=~Q(status__in=["approved", "closed"])
                | Q(approved_by__isnull=False, approved_at__isnull=False),
                name="care_plan_approved_has_approver",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("care_events:plan_detail", args=[self.year])

    @property
    def budget_locked(self) -> bool:
        """An approved plan's budget changes only through a recorded revision."""
        return self.status in (self.Status.APPROVED, self.Status.CLOSED)


class BudgetRevision(models.Model):
    """A recorded change of an approved plan's (or activity's) budget: from, to, why, who, when."""

    plan = models.ForeignKey(CarePlan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="revisions")
    activity = models.ForeignKey(
        "care_events.CareActivity",
        verbose_name=_("activity"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="revisions",
    )
    old_budget = models.DecimalField(_("budget before"), **MONEY)
    new_budget = models.DecimalField(_("budget after"), **MONEY)
    reason = models.CharField(_("reason"), max_length=300)
    revised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("revised by"), on_delete=models.PROTECT, related_name="+"
    )
    revised_at = models.DateTimeField(_("revised at"), default=timezone.now)

    objects = CareQuerySet.as_manager()

    class Meta:
        verbose_name = _("budget revision")
        verbose_name_plural = _("budget revisions")
        ordering = ["-revised_at"]

    def __str__(self) -> str:
        return f"{self.plan}: {self.old_budget} → {self.new_budget}"


class CareActivity(models.Model):
    """One activity of the plan, with the plan's nine columns (活动计划 … 对应考核绩效)."""

    class Kind(models.TextChoices):
        FREE_INSPECTION = "free_inspection", _("Free inspection day")
        SEASONAL_CHECK = "seasonal_check", _("Seasonal check")
        OWNER_CLUB = "owner_club", _("Owner club event")
        HOLIDAY_GREETING = "holiday_greeting", _("Holiday greeting")
        LECTURE = "lecture", _("Lecture or training")
        NEW_MODEL_LAUNCH = "new_model_launch", _("New-model launch")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        PREPARING = "preparing", _("Preparing")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")

    plan = models.ForeignKey(CarePlan, verbose_name=_("plan"), on_delete=models.PROTECT, related_name="activities")
    name = models.CharField(_("activity plan"), max_length=200)  # 活动计划
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.OTHER)
    purpose = models.TextField(_("purpose"), blank=True)
    time_nodes_text = models.TextField(_("time nodes"), blank=True)  # 活动时间节点 as the plan writes it
    key_elements = models.TextField(_("key elements"), blank=True)  # 关键要素
    method = models.TextField(_("method"), blank=True)  # 活动方式
    content = models.TextField(_("content"), blank=True)  # 内容
    planned_scale = models.PositiveIntegerField(_("scale (customers)"), default=0)  # 活动规模
    planned_budget = models.DecimalField(_("budget (CNY)"), default=Decimal("0"), **MONEY)  # 活动预算费用
    staff_text = models.TextField(_("staff arrangement"), blank=True)  # 工作人员安排 as the plan writes it
    measures = models.TextField(_("performance measures"), blank=True)  # 对应考核绩效
    starts_on = models.DateField(_("starts"))
    ends_on = models.DateField(_("ends"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PLANNED)

    history = HistoricalRecords()
    objects = CareQuerySet.as_manager()

    class Meta:
        verbose_name = _("care activity")
        verbose_name_plural = _("care activities")
        ordering = ["starts_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")),
                name="care_activity_ends_after_start",
                violation_error_message=_("An activity cannot end before it starts."),
            ),
            models.CheckConstraint(condition=Q(planned_budget__gte=0), name="care_activity_budget_not_negative"),
        ]

    # The activity's life: who may follow whom. Cancelling is possible until it is done.
    TRANSITIONS: dict[str, tuple[str, ...]] = {
        "planned": ("preparing", "running", "cancelled"),
        "preparing": ("planned", "running", "cancelled"),
        "running": ("done", "cancelled"),
        "done": ("running",),
        "cancelled": ("planned",),
    }

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("care_events:activity_detail", args=[self.pk])

    def clean(self) -> None:
        super().clean()
        errors = {}
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            errors["ends_on"] = _("An activity cannot end before it starts.")
        if self.plan_id is not None:
            year = self.plan.year
            for field in ("starts_on", "ends_on"):
                value = getattr(self, field)
                if value and value.year != year:
                    errors.setdefault(
                        field,
                        _("%(date)s is outside the plan's year %(year)s.") % {"date": value.isoformat(), "year": year},
                    )
        if errors:
            raise ValidationError(errors)


class TimeNode(models.Model):
    """A named milestone of an activity with its due date and who answers for it."""

    activity = models.ForeignKey(
        CareActivity, verbose_name=_("activity"), on_delete=models.CASCADE, related_name="nodes"
    )
    name = models.CharField(_("milestone"), max_length=200)
    due_on = models.DateField(_("due"))
    responsible = models.ForeignKey(
        "dealership_cs.Staff", verbose_name=_("responsible"), on_delete=models.PROTECT, null=True, blank=True
    )
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)

    history = HistoricalRecords()
    objects = CareQuerySet.as_manager()

    class Meta:
        verbose_name = _("time node")
        verbose_name_plural = _("time nodes")
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["due_on"], condition=Q(done_at__isnull=True), name="care_node_open_due")]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        activity = self.activity if self.activity_id else None
        if activity is not None and self.due_on and not (activity.starts_on <= self.due_on <= activity.ends_on):
            # A milestone may come before the day itself (the invitations go out weeks ahead), but
            # not outside the activity's own dates as the plan writes them.
            raise ValidationError(
                {
                    "due_on": _("%(date)s is outside the activity's dates (%(start)s – %(end)s).")
                    % {"date": self.due_on.isoformat(), "start": activity.starts_on, "end": activity.ends_on}
                }
            )

    def is_overdue(self, today=None) -> bool:
        return self.done_at is None and self.due_on < (today or timezone.localdate())


class StaffAssignment(models.Model):
    """A staff member's task in an activity (工作人员安排)."""

    activity = models.ForeignKey(
        CareActivity, verbose_name=_("activity"), on_delete=models.CASCADE, related_name="staff"
    )
    staff = models.ForeignKey("dealership_cs.Staff", verbose_name=_("staff member"), on_delete=models.PROTECT)
    task = models.CharField(_("task"), max_length=200)

    objects = CareQuerySet.as_manager()

    class Meta:
        verbose_name = _("staff assignment")
        verbose_name_plural = _("staff assignments")
        constraints = [models.UniqueConstraint(fields=["activity", "staff"], name="care_staff_once_per_activity")]

    def __str__(self) -> str:
        return f"{self.staff}: {self.task}"


class CostLine(models.Model):
    """Money spent on an activity: what, how much, when."""

    activity = models.ForeignKey(
        CareActivity, verbose_name=_("activity"), on_delete=models.CASCADE, related_name="costs"
    )
    item = models.CharField(_("what"), max_length=200)
    amount = models.DecimalField(_("amount (CNY)"), **MONEY)
    spent_on = models.DateField(_("date"))

    history = HistoricalRecords()
    objects = CareQuerySet.as_manager()

    class Meta:
        verbose_name = _("cost line")
        verbose_name_plural = _("cost lines")
        ordering = ["spent_on", "id"]
        constraints = [models.CheckConstraint(condition=Q(amount__gte=0), name="care_cost_not_negative")]

    def __str__(self) -> str:
        return f"{self.item} {self.amount}"


class Kpi(models.Model):
    """A performance measure of an activity; attendance, attendance rate and satisfaction fill themselves."""

    class Source(models.TextChoices):
        TYPED = "typed", _("Typed in")
        ATTENDANCE = "attendance", _("Attendance (from check-ins)")
        ATTENDANCE_RATE = "attendance_rate", _("Attendance rate (from invitations)")
        SATISFACTION = "satisfaction", _("Satisfaction (from feedback)")

    activity = models.ForeignKey(
        CareActivity, verbose_name=_("activity"), on_delete=models.CASCADE, related_name="kpis"
    )
    name = models.CharField(_("name"), max_length=100)
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    source = models.CharField(_("filled from"), max_length=20, choices=Source.choices, default=Source.TYPED)
    target = models.DecimalField(
        _("target"),
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"), message=_("A KPI needs a target above zero."))],
        error_messages={"null": _("A KPI needs a target."), "blank": _("A KPI needs a target.")},
    )
    actual = models.DecimalField(
        _("actual"), max_digits=12, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(0)]
    )

    history = HistoricalRecords()
    objects = CareQuerySet.as_manager()

    class Meta:
        verbose_name = _("KPI")
        verbose_name_plural = _("KPIs")
        ordering = ["id"]
        constraints = [models.CheckConstraint(condition=Q(target__gt=0), name="care_kpi_target_positive")]

    def __str__(self) -> str:
        return self.name

    @property
    def is_automatic(self) -> bool:
        return self.source != self.Source.TYPED

    @property
    def achievement(self) -> Decimal | None:
        """Actual ÷ target in %, one decimal; None until there is an actual."""
        if self.actual is None or not self.target:
            return None
        return (self.actual * 100 / self.target).quantize(Decimal("0.1"))


class InvitationQuerySet(CareQuerySet):
    pass


class Invitation(models.Model):
    """A customer invited to an activity: the invitation call, their reply, check-in and feedback."""

    class Reply(models.TextChoices):
        PENDING = "pending", _("Not asked yet")
        COMING = "coming", _("Coming")
        NOT_COMING = "not_coming", _("Not coming")
        NO_ANSWER = "no_answer", _("No answer")

    activity = models.ForeignKey(
        CareActivity, verbose_name=_("activity"), on_delete=models.CASCADE, related_name="invitations"
    )
    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("customer"), on_delete=models.CASCADE, related_name="care_invitations"
    )
    vehicle = models.ForeignKey(
        "customers.Vehicle",
        verbose_name=_("vehicle"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    task = models.OneToOneField(
        "callbacks.CallbackTask",
        verbose_name=_("invitation call"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="invitation",
    )
    invited_at = models.DateTimeField(_("invited at"), default=timezone.now)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("invited by"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    reply = models.CharField(_("reply"), max_length=12, choices=Reply.choices, default=Reply.PENDING)
    replied_at = models.DateTimeField(_("replied at"), null=True, blank=True)
    checked_in_at = models.DateTimeField(_("checked in at"), null=True, blank=True)
    satisfaction = models.PositiveSmallIntegerField(
        _("satisfaction (1–5)"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    feedback = models.TextField(_("feedback"), blank=True)

    history = HistoricalRecords()
    objects = InvitationQuerySet.as_manager()

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["activity", "id"]
        constraints = [
            # Never twice for the same activity, whoever invites and however often.
            models.UniqueConstraint(fields=["activity", "customer"], name="care_invitation_once_per_activity"),
            models.CheckConstraint(
                condition=Q(satisfaction__isnull=True) | Q(satisfaction__gte=1, satisfaction__lte=5),
                name="care_invitation_satisfaction_1_to_5",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.activity}: {self.customer}"

    @property
    def attended(self) -> bool:
        return self.checked_in_at is not None
