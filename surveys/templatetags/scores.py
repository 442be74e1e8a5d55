"""How the scores pages write numbers: two decimals, signed gaps coloured by direction, percentiles."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django import template

from surveys.selectors import q2

register = template.Library()
DASH = "–"


def _decimal(value) -> Decimal | None:
    """The value as a Decimal; None for a missing one (a variable the template could not resolve is "")."""
    if value is None or value == "":
        return None
    return value if isinstance(value, Decimal) else Decimal(str(value))


@register.filter
def score(value: Decimal | None) -> str:
    """A score, mean or average with two decimals; a dash when there is none."""
    value = _decimal(value)
    return DASH if value is None else str(q2(value))


@register.filter
def gap(value: Decimal | None) -> str:
    """A difference with its sign (+1.90, -0.20, 0.00)."""
    value = _decimal(value)
    if value is None:
        return DASH
    value = q2(value)
    return f"+{value}" if value > 0 else str(value)


@register.filter
def gap_class(value: Decimal | None) -> str:
    """Red below, green above; nothing for no difference."""
    value = _decimal(value)
    if value is None or value == 0:
        return ""
    return "text-danger" if value < 0 else "text-success"


@register.filter
def percentile(value: Decimal | None) -> str:
    """A rank percentile (1 = first, 0 = last) as a percentage with one decimal."""
    value = _decimal(value)
    if value is None:
        return DASH
    return f"{(value * 100).quantize(Decimal('0.1'), rounding=ROUND_HALF_UP)}%"


@register.filter
def rank_mean(value: Decimal | None) -> str:
    """A mean rank: whole when it is whole (28), else two decimals (27.50)."""
    value = _decimal(value)
    if value is None:
        return DASH
    value = q2(value)
    return str(value.to_integral_value()) if value == value.to_integral_value() else str(value)


@register.filter
def minus(value: Decimal | None, other: Decimal | None) -> Decimal | None:
    """value − other, or None when either is missing (for a gap the selectors do not compute)."""
    value, other = _decimal(value), _decimal(other)
    return None if value is None or other is None else value - other
