"""FilterSets of the callback desk, shared by its pages and ``/api/callback-tasks/``, ``/api/complaints/``."""

from __future__ import annotations

import django_filters
from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from callbacks.models import CallbackKind, CallbackTask, Complaint, ComplaintSeverity
from dealership_cs.forms import StyledForm
from dealership_cs.permissions import Role


def _agents():
    return get_user_model().objects.filter(groups__name=Role.CALLBACK_AGENT.value, is_active=True).order_by("username")


class CallbackTaskFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=CallbackKind.choices)
    status = django_filters.ChoiceFilter(label=_("Status"), choices=CallbackTask.Status.choices)
    agent = django_filters.ModelChoiceFilter(label=_("Agent"), queryset=_agents(), null_label=_("Pool (nobody)"))
    vin = django_filters.CharFilter(label=_("VIN (or its end)"), method="filter_vin")
    due_before = django_filters.DateFilter(
        label=_("Due before"), field_name="due_date", lookup_expr="lt", widget=forms.DateInput(attrs={"type": "date"})
    )
    ordering = django_filters.OrderingFilter(
        label=_("Sort"),
        fields=(("due_date", "due_date"), ("expires_on", "expires_on"), ("attempt_count", "attempt_count")),
        field_labels={
            "due_date": _("Due"),
            "-due_date": _("Due (latest first)"),
            "expires_on": _("Expires"),
            "-expires_on": _("Expires (latest first)"),
            "attempt_count": _("Attempts"),
            "-attempt_count": _("Attempts (most first)"),
        },
    )

    class Meta:
        model = CallbackTask
        form = StyledForm
        fields = ["kind", "status", "agent", "vin", "due_before"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["agent"].queryset = _agents()

    def filter_vin(self, queryset, name, value):
        value = value.strip().upper()
        return queryset.filter(vehicle__vin__endswith=value) if value else queryset


class ComplaintFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Complaint.Status.choices)
    department = django_filters.ChoiceFilter(label=_("Department"), choices=Complaint.Department.choices)
    severity = django_filters.ChoiceFilter(label=_("Severity"), choices=ComplaintSeverity.choices)
    overdue = django_filters.BooleanFilter(
        label=_("Overdue"),
        method="filter_overdue",
        widget=forms.Select(choices=[("", _("All")), ("true", _("Yes")), ("false", _("No"))]),
    )

    class Meta:
        model = Complaint
        form = StyledForm
        fields = ["status", "department", "severity", "overdue"]

    def filter_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        overdue = queryset.overdue(timezone.now())
        return overdue if value else queryset.exclude(pk__in=overdue.values("pk"))
