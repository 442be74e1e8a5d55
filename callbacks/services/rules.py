"""Managers tune the desk: when each kind of callback is due and expires, how often it is retried."""

from __future__ import annotations

from django.db import transaction

from callbacks.models import CallbackRule, ReminderRule

RULE_FIELDS = ("due_after_days", "expires_after_days", "max_attempts", "retry_delay_hours")


@transaction.atomic
def callback_rule_update(*, rule: CallbackRule, by=None, **fields) -> CallbackRule:
    """Change a rule; tasks already generated keep their dates, new ones follow the rule."""
    unknown = set(fields) - set(RULE_FIELDS)
    if unknown:
        raise TypeError(f"not rule fields: {sorted(unknown)}")
    rule = CallbackRule.objects.select_for_update().get(pk=rule.pk)
    for name, value in fields.items():
        setattr(rule, name, value)
    rule._history_user = by
    rule.full_clean()
    rule.save()
    return rule


REMINDER_FIELDS = ("active", "lead_days", "window_days", "expires_after_days", "months", "mileage_km")


@transaction.atomic
def reminder_rule_update(*, rule: ReminderRule, by=None, **fields) -> ReminderRule:
    """Change a lifecycle reminder's rule; reminders already created keep their dates."""
    unknown = set(fields) - set(REMINDER_FIELDS)
    if unknown:
        raise TypeError(f"not reminder rule fields: {sorted(unknown)}")
    rule = ReminderRule.objects.select_for_update().get(pk=rule.pk)
    for name, value in fields.items():
        setattr(rule, name, value)
    rule._history_user = by
    rule.full_clean()
    rule.save()
    return rule
