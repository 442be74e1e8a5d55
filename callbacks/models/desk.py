"""The desk's working records: callback tasks, call attempts with their answers, complaints."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from callbacks.models.rules import (
    REMINDER_KINDS,
    CallbackKind,
    CallbackRule,
    CallOutcome,
    ComplaintSeverity,
    Question,
    QuestionnaireVersion,
)
from customers.models import Customer, SalesArchive, ServiceVisit, Vehicle
from dealership_cs.permissions import Role, has_any_role, has_role


class CallbackTaskQuerySet(models.QuerySet):
    def visible_to(self, user):
        if not has_any_role(user):
            return self.none()
        # An agent works the shared pool and their own calls; the other roles supervise them all.
        if has_role(user, Role.CALLBACK_AGENT) and not has_role(user, Role.MANAGER, Role.ADMIN, Role.CS_STAFF):
            return self.filter(Q(agent__isnull=True) | Q(agent=user))
        return self

    def workable(self):
        return self.filter(status__in=CallbackTask.WORKABLE)

    def claimable(self, user):
        """Open work anyone with a role may try to take: a task another agent just took answers
        "taken by ..." rather than "not found" to the one who clicked a moment too late."""
        return self.workable() if has_any_role(user) else self.none()


class CallbackTask(models.Model):
    """One call to make: after a delivery, a visit's close, a complaint's resolution or for a care invitation."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")
        UNREACHABLE = "unreachable", _("Unreachable")
        EXPIRED = "expired", _("Expired")
        CANCELLED = "cancelled", _("Cancelled")

    WORKABLE = (Status.OPEN, Status.IN_PROGRESS)
    CLOSED = (Status.DONE, Status.UNREACHABLE, Status.EXPIRED, Status.CANCELLED)

    kind = models.CharField(_("kind"), max_length=20, choices=CallbackKind.choices)
    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="callback_tasks"
    )
    vehicle = models.ForeignKey(
        Vehicle, verbose_name=_("vehicle"), on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    archive = models.ForeignKey(
        SalesArchive,
        verbose_name=_("closed-deal archive"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="callback_tasks",
    )
    visit = models.ForeignKey(
        ServiceVisit,
        verbose_name=_("service visit"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="callback_tasks",
    )
    complaint = models.ForeignKey(
        "callbacks.Complaint",
        verbose_name=_("complaint"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="followups",
    )
    rule = models.ForeignKey(CallbackRule, verbose_name=_("rule"), on_delete=models.PROTECT, related_name="+")
    event_date = models.DateField(_("event date"))
    due_date = models.DateField(_("due"))
    expires_on = models.DateField(_("expires"))
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("agent"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="callback_tasks",
    )
    taken_at = models.DateTimeField(_("taken at"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.OPEN)
    attempt_count = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    last_outcome = models.CharField(_("last outcome"), max_length=20, choices=CallOutcome.choices, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    history = HistoricalRecords()
    objects = CallbackTaskQuerySet.as_manager()

    class Meta:
        verbose_name = _("callback task")
        verbose_name_plural = _("callback tasks")
        ordering = ["due_date", "id"]
        permissions = [("supervise_callbacktask", _("Can read the callback supervision pages"))]
        constraints = [
            # At most one task per event and kind: generation may run twice, or twice at once.
            models.UniqueConstraint(
                fields=["kind", "archive"], condition=Q(archive__isnull=False), name="callback_one_per_archive"
            ),
            models.UniqueConstraint(
                fields=["kind", "visit"], condition=Q(visit__isnull=False), name="callback_one_per_visit"
            ),
            models.UniqueConstraint(
                fields=["kind", "complaint"],
                condition=Q(complaint__isnull=False),
                name="callback_one_per_complaint",
            ),
            # A reminder once per customer (birthday) or vehicle and date, however often the job runs.
            models.UniqueConstraint(
                fields=["kind", "customer", "event_date"],
                condition=Q(kind="birthday"),
                name="callback_one_birthday_per_date",
            ),
            models.UniqueConstraint(
                fields=["kind", "vehicle", "event_date"],
                condition=Q(kind__in=["maintenance", "insurance", "inspection"]),
                name="callback_one_reminder_per_vehicle_date",
            ),
            # The first maintenance is reminded once in a car's life.
            models.UniqueConstraint(
                fields=["vehicle"], condition=Q(kind="first_maintenance"), name="callback_one_first_maintenance"
            ),
            # Each kind comes from its own kind of event.
            models.CheckConstraint(
                condition=(
                    Q(kind="sales", archive__isnull=False, visit__isnull=True, complaint__isnull=True)
                    | Q(kind="service", visit__isnull=False, archive__isnull=True, complaint__isnull=True)
                    | Q(kind="complaint_followup", complaint__isnull=False, archive__isnull=True, visit__isnull=True)
                    | Q(
                        kind__in=["invitation", *REMINDER_KINDS],
                        archive__isnull=True,
                        visit__isnull=True,
                        complaint__isnull=True,
                    )
                ),
                name="callback_task_event_matches_kind",
            ),
            # Taken means somebody holds it.
            models.CheckConstraint(
                condition=~Q(status="in_progress") | Q(agent__isnull=False),
                name="callback_task_in_progress_has_agent",
            ),
            models.CheckConstraint(
                condition=Q(expires_on__gte=models.F("due_date")), name="callback_task_expires_after_due"
            ),
        ]
        indexes = [
            # Open work by due date: the nightly expiry, and lists of open tasks (?status=open).
            models.Index(
                fields=["due_date", "id"],
                condition=Q(status__in=["open", "in_progress"]),
                name="callback_task_workable_due",
            ),
            # The desk's queue in its own order (held calls first, then the pool, by due date), so
            # a page of the queue reads its 50 rows instead of sorting the whole queue.
            models.Index(
                models.ExpressionWrapper(Q(agent__isnull=True), output_field=models.BooleanField()),
                models.F("due_date"),
                models.F("id"),
                condition=Q(status__in=["open", "in_progress"]),
                name="callback_task_queue",
            ),
            # Every task by due date (the lists' default order), for the API's and the task list's
            # first pages over the whole table.
            models.Index(fields=["due_date", "id"], name="callback_task_due"),
            models.Index(fields=["agent", "status", "due_date"], name="callback_task_agent_status"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def is_workable(self) -> bool:
        return self.status in self.WORKABLE


class CallAttemptQuerySet(models.QuerySet):
    def visible_to(self, user):
        if not has_any_role(user):
            return self.none()
        # An agent sees their own calls; the other roles see everyone's.
        if has_role(user, Role.CALLBACK_AGENT) and not has_role(user, Role.MANAGER, Role.ADMIN, Role.CS_STAFF):
            return self.filter(agent=user)
        return self


class CallAttempt(models.Model):
    """One call made on a task, with its coded outcome and, when the customer answered, the questionnaire."""

    task = models.ForeignKey(CallbackTask, verbose_name=_("task"), on_delete=models.CASCADE, related_name="attempts")
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("agent"), on_delete=models.PROTECT, related_name="call_attempts"
    )
    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    phone = models.CharField(_("number dialled"), max_length=20, blank=True)
    outcome = models.CharField(_("outcome"), max_length=20, choices=CallOutcome.choices)
    call_back_at = models.DateTimeField(_("call back at"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    questionnaire_version = models.ForeignKey(
        QuestionnaireVersion,
        verbose_name=_("questionnaire version"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = CallAttemptQuerySet.as_manager()

    class Meta:
        verbose_name = _("call attempt")
        verbose_name_plural = _("call attempts")
        ordering = ["-started_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(outcome="call_back_later") | Q(call_back_at__isnull=False),
                name="call_attempt_call_back_has_time",
            ),
        ]
        indexes = [models.Index(fields=["task", "outcome"], name="call_attempt_task_outcome")]

    def __str__(self) -> str:
        return f"{self.task} · {self.get_outcome_display()}"


class Answer(models.Model):
    """One answer given in a call, against the question of the version asked, credited to the consultant or advisor."""

    attempt = models.ForeignKey(
        CallAttempt, verbose_name=_("attempt"), on_delete=models.CASCADE, related_name="answers"
    )
    question = models.ForeignKey(Question, verbose_name=_("question"), on_delete=models.PROTECT, related_name="answers")
    value = models.DecimalField(_("value"), max_digits=4, decimal_places=1, null=True, blank=True)
    text = models.TextField(_("text"), blank=True)
    staff = models.ForeignKey(
        "dealership_cs.Staff",
        verbose_name=_("credited to"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [
            models.UniqueConstraint(fields=["attempt", "question"], name="answer_once_per_question"),
        ]

    def __str__(self) -> str:
        return f"{self.question.code}: {self.text or self.value}"


class ComplaintQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self if has_any_role(user) else self.none()

    @staticmethod
    def _late(now) -> Q:
        unresolved = Q(status__in=Complaint.UNRESOLVED)
        late_response = Q(status="open", response_due_at__lt=now)
        return unresolved & (late_response | Q(resolution_due_at__lt=now))

    def overdue(self, now=None):
        return self.filter(self._late(now or timezone.now()))

    def overdue_first(self, now=None):
        """Overdue complaints first, then by resolution deadline: the order work is done in."""
        late = models.Case(
            models.When(self._late(now or timezone.now()), then=models.Value(True)),
            default=models.Value(False),
            output_field=models.BooleanField(),
        )
        return self.annotate(is_late=late).order_by("-is_late", "resolution_due_at", "id")


class Complaint(models.Model):
    """A customer's complaint (投诉), with its owner and its response and resolution deadlines."""

    class Source(models.TextChoices):
        CALLBACK = "callback", _("Callback")
        WALK_IN = "walk_in", _("Walk-in")
        PHONE = "phone", _("Phone")
        MANUFACTURER = "manufacturer", _("Manufacturer")

    class Department(models.TextChoices):
        SALES = "sales", _("Sales")
        SERVICE = "service", _("After-sales service")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        ACKNOWLEDGED = "acknowledged", _("Acknowledged")
        IN_PROGRESS = "in_progress", _("In progress")
        RESOLVED = "resolved", _("Resolved")
        CLOSED = "closed", _("Closed")

    UNRESOLVED = (Status.OPEN, Status.ACKNOWLEDGED, Status.IN_PROGRESS)
    # The status flow: which status may follow which.
    FLOW = {
        Status.OPEN: (Status.ACKNOWLEDGED, Status.IN_PROGRESS, Status.RESOLVED),
        Status.ACKNOWLEDGED: (Status.IN_PROGRESS, Status.RESOLVED),
        Status.IN_PROGRESS: (Status.RESOLVED,),
        Status.RESOLVED: (Status.CLOSED, Status.IN_PROGRESS),
        Status.CLOSED: (),
    }

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="complaints"
    )
    vehicle = models.ForeignKey(
        Vehicle, verbose_name=_("vehicle"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    source = models.CharField(_("source"), max_length=15, choices=Source.choices, default=Source.CALLBACK)
    department = models.CharField(_("department"), max_length=10, choices=Department.choices)
    category = models.CharField(_("category"), max_length=50, blank=True)
    severity = models.CharField(
        _("severity"), max_length=10, choices=ComplaintSeverity.choices, default=ComplaintSeverity.MEDIUM
    )
    description = models.TextField(_("description"))
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="owned_complaints",
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.OPEN)
    attempt = models.ForeignKey(
        CallAttempt,
        verbose_name=_("opened from call"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="complaints",
    )
    opened_at = models.DateTimeField(_("opened at"), default=timezone.now)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("opened by"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    response_due_at = models.DateTimeField(_("respond by"))
    resolution_due_at = models.DateTimeField(_("resolve by"))
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    resolution = models.TextField(_("resolution"), blank=True)

    history = HistoricalRecords()
    objects = ComplaintQuerySet.as_manager()

    class Meta:
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")
        ordering = ["-opened_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status__in=["resolved", "closed"]) | (Q(resolved_at__isnull=False) & ~Q(resolution="")),
                name="complaint_resolved_has_resolution",
                violation_error_message=_("A resolved complaint needs its resolution."),
            ),
        ]
        indexes = [
            models.Index(
                fields=["resolution_due_at"],
                condition=Q(status__in=["open", "acknowledged", "in_progress"]),
                name="complaint_unresolved_due",
            ),
        ]

    def __str__(self) -> str:
        return _("Complaint #%(id)s") % {"id": self.pk}

    def is_overdue(self, now=None) -> bool:
        now = now or timezone.now()
        if self.status not in self.UNRESOLVED:
            return False
        return self.resolution_due_at < now or (self.status == self.Status.OPEN and self.response_due_at < now)
