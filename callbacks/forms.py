"""The call screen's form (outcome, answers, note) and the complaint forms."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from callbacks.models import CallOutcome, Complaint, ComplaintSeverity, Question
from customers.fields import RecordDateTimeField
from dealership_cs.forms import StyledForm
from dealership_cs.permissions import Role

# The digit that picks each outcome on the call screen (the agent's hands stay on the keyboard).
OUTCOME_KEYS = {outcome: str(index) for index, outcome in enumerate(CallOutcome.values, start=1)}


class CallForm(StyledForm):
    """One call: its outcome, the questionnaire's answers when the buyer confirmed, a note."""

    outcome = forms.ChoiceField(label=_("Outcome"), choices=CallOutcome.choices, widget=forms.RadioSelect)
    call_back_at = RecordDateTimeField(
        label=_("Call back at"), required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=2000, widget=forms.TextInput())
    open_complaint = forms.BooleanField(label=_("Open a complaint"), required=False)
    complaint_text = forms.CharField(label=_("What the customer complains about"), required=False, max_length=2000)

    def __init__(self, *args, questions: list[Question] = (), extra_fields: dict | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = list(questions)
        for question in self.questions:
            self.fields[self.answer_field(question)] = self._question_field(question)
        # Fields an app above callbacks adds for its kind of call (an invitation's reply).
        self.extra_names = list(extra_fields or {})
        for name, field in (extra_fields or {}).items():
            self.fields[f"extra_{name}"] = field
        self.fields["outcome"].widget.attrs.pop("class", None)

    @staticmethod
    def answer_field(question: Question) -> str:
        return f"answer_{question.pk}"

    @staticmethod
    def _question_field(question: Question) -> forms.Field:
        label = f"{question.code} {question.text}"
        if question.scale == Question.Scale.TEXT:
            return forms.CharField(label=label, required=False, max_length=2000)
        if question.scale == Question.Scale.YES_NO:
            choices = [("", "—"), ("1", _("Yes")), ("0", _("No"))]
        else:
            choices = [("", "—")] + [(str(v), str(v)) for v in range(question.minimum, question.maximum + 1)]
        return forms.ChoiceField(label=label, required=False, choices=choices, widget=forms.RadioSelect)

    def answers(self) -> dict[str, str]:
        """Answers by question code; only a confirmed buyer's count (other outcomes ignore the fields)."""
        if self.cleaned_data.get("outcome") != CallOutcome.CONFIRMED:
            return {}
        result = {}
        for question in self.questions:
            value = self.cleaned_data.get(self.answer_field(question))
            if value not in (None, ""):
                result[question.code] = value
        return result

    def extra(self) -> dict:
        return {name: self.cleaned_data.get(f"extra_{name}") for name in self.extra_names}

    def extra_rows(self):
        return [self[f"extra_{name}"] for name in self.extra_names]

    def answer_rows(self):
        """(question, bound field) pairs for the template."""
        return [(q, self[self.answer_field(q)]) for q in self.questions]


def _owners():
    return (
        get_user_model()
        .objects.filter(is_active=True, groups__name__in=[Role.CS_STAFF.value, Role.MANAGER.value])
        .distinct()
        .order_by("username")
    )


class ComplaintForm(StyledForm):
    """A complaint taken at the desk (walk-in, phone, manufacturer) rather than from a call."""

    source = forms.ChoiceField(label=_("Source"), choices=Complaint.Source.choices, initial=Complaint.Source.PHONE)
    department = forms.ChoiceField(label=_("Department"), choices=Complaint.Department.choices)
    category = forms.CharField(label=_("Category"), required=False, max_length=50)
    severity = forms.ChoiceField(
        label=_("Severity"), choices=ComplaintSeverity.choices, initial=ComplaintSeverity.MEDIUM
    )
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 4}))
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=_owners(), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = _owners()


class ComplaintAdvanceForm(StyledForm):
    """The next step of a complaint's flow."""

    status = forms.ChoiceField(label=_("New status"), choices=Complaint.Status.choices)
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=_owners(), required=False)
    resolution = forms.CharField(label=_("Resolution"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, complaint: Complaint | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = _owners()
        if complaint is not None:
            allowed = Complaint.FLOW[complaint.status]
            self.fields["status"].choices = [(s, Complaint.Status(s).label) for s in allowed]
            self.fields["owner"].initial = complaint.owner_id


class RuleForm(StyledForm):
    """One callback rule as a manager edits it (the retry delays as two hour fields)."""

    due_after_days = forms.IntegerField(label=_("Due (days after the event)"), min_value=0, max_value=365)
    expires_after_days = forms.IntegerField(label=_("Expires (days after the event)"), min_value=1, max_value=365)
    max_attempts = forms.IntegerField(label=_("Maximum attempts"), min_value=1, max_value=20)
    no_answer_hours = forms.IntegerField(label=_("Retry after no answer (hours)"), min_value=1, max_value=336)
    busy_hours = forms.IntegerField(label=_("Retry after busy (hours)"), min_value=1, max_value=336)

    @classmethod
    def for_rule(cls, rule, data=None):
        initial = {
            "due_after_days": rule.due_after_days,
            "expires_after_days": rule.expires_after_days,
            "max_attempts": rule.max_attempts,
            "no_answer_hours": rule.retry_delay("no_answer"),
            "busy_hours": rule.retry_delay("busy"),
        }
        form = cls(data, initial=initial, prefix=f"rule{rule.pk}")
        # The row's inputs belong to the form in its last cell (a <form> cannot wrap a table row).
        for field in form.fields.values():
            field.widget.attrs["form"] = f"rule-form-{rule.pk}"
        return form

    def service_fields(self) -> dict:
        data = self.cleaned_data
        return {
            "due_after_days": data["due_after_days"],
            "expires_after_days": data["expires_after_days"],
            "max_attempts": data["max_attempts"],
            "retry_delay_hours": {"no_answer": data["no_answer_hours"], "busy": data["busy_hours"]},
        }


class ThresholdForm(StyledForm):
    threshold = forms.DecimalField(
        label=_("Complaint at or below"), required=False, min_value=0, max_value=10, decimal_places=1
    )
