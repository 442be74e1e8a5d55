"""The care plan's HTML forms; the services (and the models' validators) decide what is valid."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from care_events.models import CareActivity, CarePlan, CostLine, Kpi, StaffAssignment, TimeNode
from dealership_cs.forms import StyledFormMixin
from dealership_cs.models import Staff

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PlanForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = CarePlan
        fields = ["year", "title", "total_budget", "owner"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            # The year names the plan (its URL); once made it stays.
            self.fields["year"].disabled = True
            if self.instance.budget_locked:
                self.fields["total_budget"].disabled = True
                self.fields["total_budget"].help_text = _("Approved: change it through a budget revision.")


class ActivityForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = CareActivity
        fields = [
            "name",
            "kind",
            "starts_on",
            "ends_on",
            "purpose",
            "time_nodes_text",
            "key_elements",
            "method",
            "content",
            "planned_scale",
            "planned_budget",
            "staff_text",
            "measures",
        ]
        widgets = {
            "starts_on": DATE,
            "ends_on": DATE,
            **{name: forms.Textarea(attrs={"rows": 2}) for name in ("purpose", "time_nodes_text", "key_elements")},
            **{name: forms.Textarea(attrs={"rows": 2}) for name in ("method", "content", "staff_text", "measures")},
        }

    def __init__(self, *args, plan: CarePlan, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.plan = plan
        if plan.budget_locked:
            self.fields["planned_budget"].disabled = True
            self.fields["planned_budget"].help_text = _("Approved plan: change it through a budget revision.")


class RevisionForm(StyledFormMixin, forms.Form):
    activity = forms.ModelChoiceField(
        label=_("activity"), queryset=CareActivity.objects.none(), required=False, empty_label=_("The whole plan")
    )
    new_budget = forms.DecimalField(label=_("new budget (CNY)"), max_digits=12, decimal_places=2)
    reason = forms.CharField(label=_("reason"), max_length=300)

    def __init__(self, *args, plan: CarePlan, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["activity"].queryset = CareActivity.objects.filter(plan=plan)


class StatusForm(forms.Form):
    status = forms.ChoiceField(choices=CareActivity.Status.choices)


class NodeForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = TimeNode
        fields = ["name", "due_on", "responsible"]
        widgets = {"due_on": DATE}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["responsible"].queryset = Staff.objects.active()


class StaffForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = StaffAssignment
        fields = ["staff", "task"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["staff"].queryset = Staff.objects.active()


class CostForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = CostLine
        fields = ["item", "amount", "spent_on"]
        widgets = {"spent_on": DATE}


class KpiForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = Kpi
        fields = ["name", "unit", "source", "target", "actual"]


class KpiActualForm(forms.Form):
    actual = forms.DecimalField(label=_("actual"), max_digits=12, decimal_places=2, required=False)
