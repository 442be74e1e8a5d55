"""FilterSets shared by the score pages and the API.

A program is named by its code (``SSI``, ``css`` works too) and a period by its written form
(``2010-Q1``, ``2010-02``, ``2010``), the same forms the import sheets and the API's bodies use.
"""

from __future__ import annotations

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from dealership_cs.forms import StyledForm
from surveys.models import ItemScore, OfficialScore, Program, ScoreItem, Target
from surveys.periods import YEAR_MAX, YEAR_MIN, PeriodKind, parse_period
from surveys.selectors import catalogue_year
from surveys.validators import normalise_code


class ProgramCodeField(forms.ModelChoiceField):
    """A program chosen by its code, compared as normalised (``ssi`` is ``SSI``)."""

    def to_python(self, value):
        return super().to_python(normalise_code(value) if value not in self.empty_values else value)


class PeriodCodeField(forms.CharField):
    """A period's written form in any program's calendar; cleans to the text itself."""

    def clean(self, value):
        value = super().clean(value)
        if value and not period_lookups(value):
            raise ValidationError(
                _("“%(value)s” is not a period: write it as 2010-02, 2010-Q1, 2010-H1 or 2010."),
                code="period_format",
                params={"value": value},
            )
        return value


def period_lookups(text: str) -> Q | None:
    """The rows of the period ``text`` names, in every program whose calendar has it; None if none has."""
    condition: Q | None = None
    for kind in PeriodKind:
        try:
            period = parse_period(text, kind)
        except ValidationError:
            continue
        if period is None:
            continue
        found = Q(program__period_kind=kind, year=period.year, period=period.index)
        condition = found if condition is None else condition | found
    return condition


@extend_schema_field(OpenApiTypes.STR)
class ProgramFilter(django_filters.ModelChoiceFilter):
    field_class = ProgramCodeField

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Program"))
        kwargs.setdefault("to_field_name", "code")
        kwargs.setdefault("queryset", Program.objects.all())
        kwargs.setdefault("help_text", _("The program's code, e.g. SSI or CSS."))
        super().__init__(**kwargs)


class YearFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Year"))
        kwargs.setdefault("min_value", YEAR_MIN)
        kwargs.setdefault("max_value", YEAR_MAX)
        super().__init__(**kwargs)


class PeriodFilter(django_filters.CharFilter):
    field_class = PeriodCodeField

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Period"))
        kwargs.setdefault("help_text", _("Written as 2010-02 (month), 2010-Q1 (quarter), 2010-H1 or 2010 (the year)."))
        kwargs.setdefault("method", "filter_period")
        super().__init__(**kwargs)


class _PeriodResultFilter(django_filters.FilterSet):
    program = ProgramFilter()
    year = YearFilter()
    period = PeriodFilter()

    def filter_period(self, queryset, name, value: str):
        condition = period_lookups(value)
        return queryset.none() if condition is None else queryset.filter(condition)


class OfficialScoreFilter(_PeriodResultFilter):
    class Meta:
        model = OfficialScore
        form = StyledForm
        fields = ["program", "year", "period"]


class ItemScoreFilter(_PeriodResultFilter):
    item_code = django_filters.CharFilter(
        label=_("Item code"), method="filter_item_code", help_text=_("An item code of the catalogue, e.g. 11.12.")
    )

    class Meta:
        model = ItemScore
        form = StyledForm
        fields = ["program", "year", "period", "item_code"]

    def filter_item_code(self, queryset, name, value: str):
        return queryset.filter(item__code__iexact=normalise_code(value))


class TargetFilter(django_filters.FilterSet):
    program = ProgramFilter()
    year = YearFilter()

    class Meta:
        model = Target
        form = StyledForm
        fields = ["program", "year"]


class ProgramListFilter(django_filters.FilterSet):
    active = django_filters.BooleanFilter(label=_("Active"))

    class Meta:
        model = Program
        form = StyledForm
        fields = ["active"]


class ScoreItemFilter(django_filters.FilterSet):
    program = ProgramFilter()
    year = YearFilter(
        method="filter_year",
        help_text=_("The catalogue that applies in this year: its own, else the latest earlier year's."),
    )
    active = django_filters.BooleanFilter(label=_("Active"))

    class Meta:
        model = ScoreItem
        form = StyledForm
        fields = ["program", "year", "active"]

    def filter_year(self, queryset, name, value: int):
        programs = (
            [self.form.cleaned_data["program"]] if self.form.cleaned_data.get("program") else Program.objects.all()
        )
        condition = Q(pk__in=[])
        for program in programs:
            source_year = catalogue_year(program, value)
            if source_year is not None:
                condition |= Q(program=program, year=source_year)
        return queryset.filter(condition)
