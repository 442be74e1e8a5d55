"""What the callback desk runs on: the rules per kind of callback, the questionnaires, complaint deadlines."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from dealership_cs.permissions import has_any_role


class CallbackKind(models.TextChoices):
    SALES = "sales", _("Sales callback")
    SERVICE = "service", _("Service callback")
    COMPLAINT_FOLLOWUP = "complaint_followup", _("Complaint follow-up")
    INVITATION = "invitation", _("Care invitation")
    # Lifecycle reminders (客户关怀 beside the plan): for the customer, or a vehicle's holder.
    BIRTHDAY = "birthday", _("Birthday greeting")
    FIRST_MAINTENANCE = "first_maintenance", _("First maintenance reminder")
    MAINTENANCE = "maintenance", _("Maintenance reminder")
    INSURANCE = "insurance", _("Insurance renewal reminder")
    INSPECTION = "inspection", _("Annual inspection reminder")


REMINDER_KINDS = (
    CallbackKind.BIRTHDAY,
    CallbackKind.FIRST_MAINTENANCE,
    CallbackKind.MAINTENANCE,
    CallbackKind.INSURANCE,
    CallbackKind.INSPECTION,
)
REMINDER_KIND_CHOICES = [(kind.value, kind.label) for kind in REMINDER_KINDS]


class CallOutcome(models.TextChoices):
    """What a call attempt came to, stored as a stable code (DOMAIN.md, "Callbacks")."""

    CONFIRMED = "confirmed", _("Reached, buyer confirmed")
    NOT_BUYER = "not_buyer", _("Reached, not the buyer")
    WRONG_NUMBER = "wrong_number", _("Wrong number")
    OUT_OF_SERVICE = "out_of_service", _("Number not in service")
    NO_ANSWER = "no_answer", _("No answer")
    BUSY = "busy", _("Busy")
    REFUSED = "refused", _("Refused")
    CALL_BACK_LATER = "call_back_later", _("Call back later")


# Outcomes that count against the callback-authenticity item (the record's phone or buyer is wrong).
FAILED_OUTCOMES = (CallOutcome.WRONG_NUMBER, CallOutcome.OUT_OF_SERVICE, CallOutcome.NOT_BUYER)
# Outcomes after which the call is tried again.
RETRY_OUTCOMES = (CallOutcome.NO_ANSWER, CallOutcome.BUSY)
# Outcomes in which somebody answered the phone (the reach rate's numerator).
REACHED_OUTCOMES = (
    CallOutcome.CONFIRMED,
    CallOutcome.NOT_BUYER,
    CallOutcome.REFUSED,
    CallOutcome.CALL_BACK_LATER,
)


class ReferenceQuerySet(models.QuerySet):
    def visible_to(self, user):
        # Rules and questionnaires are the desk's shared reference data: every role reads them.
        return self if has_any_role(user) else self.none()


class Questionnaire(models.Model):
    """A questionnaire family (e.g. the sales callback's), asked in its current version."""

    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=100)

    history = HistoricalRecords()
    objects = ReferenceQuerySet.as_manager()

    class Meta:
        verbose_name = _("questionnaire")
        verbose_name_plural = _("questionnaires")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class QuestionnaireVersion(models.Model):
    """One version of a questionnaire; once published it never changes, it is only superseded."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        IN_USE = "in_use", _("In use")
        SUPERSEDED = "superseded", _("Superseded")

    questionnaire = models.ForeignKey(
        Questionnaire, verbose_name=_("questionnaire"), on_delete=models.PROTECT, related_name="versions"
    )
    number = models.PositiveSmallIntegerField(_("version"))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    history = HistoricalRecords()
    objects = ReferenceQuerySet.as_manager()

    class Meta:
        verbose_name = _("questionnaire version")
        verbose_name_plural = _("questionnaire versions")
        ordering = ["questionnaire", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["questionnaire", "number"], name="questionnaire_version_unique"),
            # The version asked today is unambiguous: at most one in use per questionnaire.
            models.UniqueConstraint(
                fields=["questionnaire"], condition=Q(status="in_use"), name="questionnaire_one_version_in_use"
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(published_at__isnull=False),
                name="questionnaire_version_published_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.questionnaire} v{self.number}"

    @property
    def editable(self) -> bool:
        return self.status == self.Status.DRAFT


class Question(models.Model):
    """A question of one questionnaire version, with its scale and the answer that opens a complaint."""

    class Scale(models.TextChoices):
        FIVE = "scale5", _("Scale 1–5")
        TEN = "scale10", _("Scale 1–10")
        YES_NO = "yes_no", _("Yes / no")
        TEXT = "text", _("Free text")

    SCALE_MAX = {Scale.FIVE: 5, Scale.TEN: 10, Scale.YES_NO: 1}

    version = models.ForeignKey(
        QuestionnaireVersion, verbose_name=_("version"), on_delete=models.CASCADE, related_name="questions"
    )
    code = models.CharField(_("code"), max_length=20)
    text = models.CharField(_("question"), max_length=300)
    scale = models.CharField(_("scale"), max_length=10, choices=Scale.choices, default=Scale.FIVE)
    # An answer at or below this value opens a complaint (for yes/no: 0 = "no").
    complaint_threshold = models.DecimalField(
        _("complaint at or below"), max_digits=4, decimal_places=1, null=True, blank=True
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    history = HistoricalRecords()
    objects = ReferenceQuerySet.as_manager()

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["version", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="question_code_unique_in_version"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.text}"

    @property
    def maximum(self) -> int | None:
        return self.SCALE_MAX.get(self.scale)

    @property
    def minimum(self) -> int | None:
        return {self.Scale.FIVE: 1, self.Scale.TEN: 1, self.Scale.YES_NO: 0}.get(self.scale)


def _validate_retry_delays(value) -> None:
    if not isinstance(value, dict):
        raise ValidationError(_("Retry delays must map an outcome code to hours."))
    for code, hours in value.items():
        if code not in RETRY_OUTCOMES:
            raise ValidationError(_("“%(code)s” is not an outcome that is retried.") % {"code": code})
        if not isinstance(hours, int | float) or isinstance(hours, bool) or not 0 < hours <= 24 * 14:
            raise ValidationError(
                _("The retry delay for “%(code)s” must be a number of hours from 1 to 336.") % {"code": code}
            )


class CallbackRule(models.Model):
    """When a kind of callback becomes due and expires, what it asks, and how often it is retried."""

    kind = models.CharField(_("kind"), max_length=20, choices=CallbackKind.choices, unique=True)
    due_after_days = models.PositiveSmallIntegerField(
        _("due (days after the event)"), validators=[MaxValueValidator(365)]
    )
    expires_after_days = models.PositiveSmallIntegerField(
        _("expires (days after the event)"), validators=[MinValueValidator(1), MaxValueValidator(365)]
    )
    questionnaire = models.ForeignKey(
        Questionnaire,
        verbose_name=_("questionnaire"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="rules",
    )
    max_attempts = models.PositiveSmallIntegerField(
        _("maximum attempts"), default=3, validators=[MinValueValidator(1), MaxValueValidator(20)]
    )
    retry_delay_hours = models.JSONField(
        _("retry delay per outcome (hours)"),
        default=dict,
        blank=True,
        validators=[_validate_retry_delays],
        help_text=_('For example {"no_answer": 4, "busy": 1}.'),
    )

    history = HistoricalRecords()
    objects = ReferenceQuerySet.as_manager()

    class Meta:
        verbose_name = _("callback rule")
        verbose_name_plural = _("callback rules")
        ordering = ["kind"]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_after_days__gt=models.F("due_after_days")),
                name="callback_rule_expires_after_due",
                violation_error_message=_("A callback must expire after it becomes due."),
            ),
        ]

    def __str__(self) -> str:
        return str(self.get_kind_display())

    def retry_delay(self, outcome: str) -> int:
        return int(self.retry_delay_hours.get(outcome, 4))


class ComplaintSeverity(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")


class ComplaintDeadline(models.Model):
    """How long a complaint of a given severity may take to resolve."""

    severity = models.CharField(_("severity"), max_length=10, choices=ComplaintSeverity.choices, unique=True)
    response_hours = models.PositiveSmallIntegerField(
        _("respond within (hours)"), default=24, validators=[MinValueValidator(1)]
    )
    resolution_hours = models.PositiveIntegerField(_("resolve within (hours)"), validators=[MinValueValidator(1)])

    history = HistoricalRecords()
    objects = ReferenceQuerySet.as_manager()

    class Meta:
        verbose_name = _("complaint deadline")
        verbose_name_plural = _("complaint deadlines")
        ordering = ["resolution_hours"]

    def __str__(self) -> str:
        return str(self.get_severity_display())


class ReminderRule(models.Model):
    """When a lifecycle reminder is due: so many days before its date, created within a window."""

    kind = models.CharField(_("kind"), max_length=20, unique=True, choices=[(k.value, k.label) for k in REMINDER_KINDS])
    active = models.BooleanField(_("active"), default=True)
    lead_days = models.PositiveSmallIntegerField(_("due (days before the date)"), validators=[MaxValueValidator(365)])
    # A run creates a reminder on or after its due date, at most this many days late; a reminder whose
    # window passed without a run is not created late.
    window_days = models.PositiveSmallIntegerField(
        _("window (days)"), default=7, validators=[MinValueValidator(1), MaxValueValidator(60)]
    )
    # How long after its due date the call may still be made.
    expires_after_days = models.PositiveSmallIntegerField(
        _("expires (days after due)"), default=14, validators=[MinValueValidator(1), MaxValueValidator(365)]
    )
    # Maintenance reminders: months after the delivery (first) or after the last maintenance visit.
    months = models.PositiveSmallIntegerField(_("months"), null=True, blank=True, validators=[MaxValueValidator(120)])
    # First maintenance: a visit showing this many km makes it due at once.
    mileage_km = models.PositiveIntegerField(_("mileage (km)"), null=True, blank=True)

    history = HistoricalRecords()
    objects = ReferenceQuerySet.as_manager()

    class Meta:
        verbose_name = _("reminder rule")
        verbose_name_plural = _("reminder rules")
        ordering = ["kind"]

    def __str__(self) -> str:
        return str(self.get_kind_display())


class InspectionStep(models.Model):
    """The inspection schedule of private passenger cars by age from delivery (data, not code)."""

    from_year = models.PositiveSmallIntegerField(_("from year of age"))
    to_year = models.PositiveSmallIntegerField(_("to year of age"), null=True, blank=True)
    interval_months = models.PositiveSmallIntegerField(
        _("every (months)"), validators=[MinValueValidator(1), MaxValueValidator(60)]
    )

    history = HistoricalRecords()
    objects = ReferenceQuerySet.as_manager()

    class Meta:
        verbose_name = _("inspection step")
        verbose_name_plural = _("inspection schedule")
        ordering = ["from_year"]
        constraints = [
            models.CheckConstraint(
                condition=Q(to_year__isnull=True) | Q(to_year__gt=models.F("from_year")),
                name="inspection_step_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        end = self.to_year if self.to_year is not None else "…"
        return f"{self.from_year}–{end}: {self.interval_months}"
