"""FilterSets shared by the HTML lists and the API."""

import django_filters
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Q
from django.utils.text import format_lazy
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


class SortFilter(django_filters.OrderingFilter):
    """A list's sort menu: every field names its own translatable label, and both directions follow the language.

    Left to itself django-filter labels a field by its English name ("Created at", "Vin") and
    formats "%s (descending)" once, at import, with a msgid it has no Simplified Chinese for.
    """

    descending_label = _("{} (descending)")

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label", _("Sort"))
        super().__init__(*args, **kwargs)

    def build_choices(self, fields, labels):
        missing = [field for field in fields if field not in labels]
        if missing:
            raise ImproperlyConfigured(f"SortFilter needs a translatable label for {', '.join(missing)}.")
        ascending = [(param, labels[field]) for field, param in fields.items()]
        descending = [
            (f"-{param}", labels.get(f"-{param}", format_lazy(self.descending_label, label)))
            for param, label in ascending
        ]
        return [choice for pair in zip(ascending, descending, strict=True) for choice in pair]


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
