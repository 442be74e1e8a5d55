"""FilterSets shared by the HTML lists and the API."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from dealership_cs.forms import StyledForm
from dealership_cs.models import Staff


class YesNoFilter(django_filters.BooleanFilter):
    """A yes/no filter whose empty choice reads "All" rather than Django's "Unknown"."""

    def __init__(self, *args, **kwargs):
        from django import forms

        kwargs.setdefault(
            "widget",
            forms.Select(choices=[("", _("All")), ("true", _("Yes")), ("false", _("No"))]),
        )
        super().__init__(*args, **kwargs)


class StaffFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="filter_q")
    department = django_filters.ChoiceFilter(label=_("Department"), choices=Staff.Department.choices)
    position = django_filters.ChoiceFilter(label=_("Position"), choices=Staff.Position.choices)
    active = YesNoFilter(label=_("Active"))

    class Meta:
        model = Staff
        form = StyledForm
        fields = ["q", "department", "position", "active"]

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(name__icontains=value) | Q(employee_number__iexact=value) | Q(phone__endswith=value))
