"""Fields and helpers the scores serializers share: figures, raw numbers, program codes, periods."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.fields import get_error_detail

from surveys.models import Program, Source, Target
from surveys.periods import Period, PeriodKind, parse_period
from surveys.validators import normalise_code

PERIOD_HELP = _(
    "The period as written in the program's calendar: 2010-02 (monthly), 2010-Q1 (quarterly), 2010-H1 "
    "(half-yearly), or 2010 for the official full-year result."
)
KEY_FIXED = _("A saved row keeps its program and period: delete it and enter the right one instead.")


def _choice_field(component_name: str, choices: type[models.TextChoices]) -> type[serializers.ChoiceField]:
    """A ChoiceField whose enum is its own, explicitly named schema component (no name collisions)."""

    class NamedChoiceField(serializers.ChoiceField):
        def __init__(self, **kwargs):
            super().__init__(choices=choices.choices, **kwargs)

    NamedChoiceField.__name__ = NamedChoiceField.__qualname__ = component_name.removesuffix("Enum") + "Field"
    schema = {"type": "string", "enum": list(choices.values)}
    return extend_schema_field(schema, component_name=component_name)(NamedChoiceField)


ScoreSourceField = _choice_field("ScoreSourceEnum", Source)
TargetPhasingField = _choice_field("TargetPhasingEnum", Target.Phasing)
PeriodKindField = _choice_field("PeriodKindEnum", PeriodKind)


# --- Fields -------------------------------------------------------------------------------------


def figure(decimal_places: int = 2, **kwargs) -> serializers.DecimalField:
    """A read-only computed figure, rendered like the stored ones ("874.50")."""
    return serializers.DecimalField(
        max_digits=None, decimal_places=decimal_places, read_only=True, allow_null=True, **kwargs
    )


class ComputedFigureField(serializers.DecimalField):
    """A figure computed from the whole row (e.g. the gap to the regional average)."""

    def __init__(self, compute: Callable[[Any], Decimal | None], *, decimal_places: int = 2, **kwargs):
        self.compute = compute
        super().__init__(
            max_digits=None, decimal_places=decimal_places, source="*", read_only=True, allow_null=True, **kwargs
        )

    def to_representation(self, instance) -> str | None:
        value = self.compute(instance)
        return None if value is None else super().to_representation(value)


@extend_schema_field({"oneOf": [{"type": "number"}, {"type": "string"}]})
class RawNumberField(serializers.Field):
    """A number as JSON or text; surveys.validators parses it (scale, whole numbers, ranges)."""

    default_error_messages = {"invalid": _("Give a number, as a JSON number or as text such as “890.7”.")}

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("allow_null", True)
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> str | int | float:
        if isinstance(data, bool) or not isinstance(data, str | int | float):
            self.fail("invalid")
        return data

    def to_representation(self, value: Any) -> Any:
        return value


class ProgramCodeField(serializers.SlugRelatedField):
    """A program named by its code; ``ssi`` is ``SSI``."""

    default_error_messages = {"does_not_exist": _("No program has the code “{value}”.")}

    def __init__(self, **kwargs):
        kwargs.setdefault("slug_field", "code")
        kwargs.setdefault("help_text", _("The program's code, e.g. SSI, CSS, MS_SALES."))
        if not kwargs.get("read_only"):
            kwargs.setdefault("queryset", Program.objects.all())
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> Program:
        return super().to_internal_value(normalise_code(data) if isinstance(data, str) else data)


def _django_errors(error: DjangoValidationError) -> serializers.ValidationError:
    return serializers.ValidationError(get_error_detail(error))


def parse_period_for(program: Program, text: str, *, field: str = "period") -> Period:
    """The period ``text`` names in the program's calendar, or a 400 at ``field``."""
    try:
        period = parse_period(text, program.period_kind)
    except DjangoValidationError as error:
        raise serializers.ValidationError({field: get_error_detail(error)}) from error
    if period is None:
        raise serializers.ValidationError({field: [_("This field may not be blank.")]})
    return period
