"""What every care service shares: saving with validation and a history entry."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def save(obj, *, by, reason: str = "") -> None:
    """Validate the whole row (fields, clean(), constraints) and save it with who and why in its history."""
    obj.full_clean()
    obj._history_user = by
    if reason:
        obj._change_reason = reason
    obj.save()


def check_fields(fields: dict, allowed: tuple[str, ...]) -> None:
    unknown = set(fields) - set(allowed)
    if unknown:
        raise TypeError(f"Unknown fields: {sorted(unknown)}")


def refuse_closed(plan) -> None:
    if plan.status == plan.Status.CLOSED:
        raise ValidationError(_("The %(year)s plan is closed: nothing in it changes any more.") % {"year": plan.year})
