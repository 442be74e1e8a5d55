"""Reads shared by several apps."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.translation import pgettext_lazy

from dealership_cs.models import Staff

# The kind of change in a history table, in the project's own words: django-simple-history's
# "Created" shares its msgid with the "created at" column label, which reads 创建时间.
HISTORY_TYPES = {
    "+": pgettext_lazy("history change", "Added"),
    "~": pgettext_lazy("history change", "Changed"),
    "-": pgettext_lazy("history change", "Deleted"),
}


def history_rows(obj: models.Model, limit: int = 50) -> list[dict]:
    """A record's change history (django-simple-history), newest first, with what changed.

    Each row: when, who, the kind of change and the changed fields with old and new values.
    """
    records = list(obj.history.select_related("history_user").order_by("-history_date", "-history_id")[: limit + 1])
    rows = []
    for index, record in enumerate(records[:limit]):
        previous = records[index + 1] if index + 1 < len(records) else None
        changes = []
        if previous is not None and record.history_type == "~":
            delta = record.diff_against(previous)
            for change in delta.changes:
                field = obj._meta.get_field(change.field)
                changes.append({"field": field.verbose_name, "old": change.old, "new": change.new})
        rows.append(
            {
                "at": record.history_date,
                "user": record.history_user,
                "type": HISTORY_TYPES.get(record.history_type, record.history_type),
                "reason": record.history_change_reason or "",
                "changes": changes,
            }
        )
    return rows


@dataclass(frozen=True)
class RecordCount:
    """How many records of one kind name someone (``model`` is "app_label.model", or "history")."""

    model: str
    label: str
    count: int


def staff_records(staff: Staff) -> list[RecordCount]:
    """Every kind of record that names the staff member, with how many: what deleting them would break.

    Read from the relations that point to ``Staff``, so a new app's reference counts without being
    listed here. Other records' change history counts too, as one kind: a deleted person would
    leave those entries naming nobody. One query per model.
    """
    naming: dict[type[models.Model], models.Q] = {}
    for relation in Staff._meta.get_fields(include_hidden=True):
        if relation.is_relation and relation.auto_created and not relation.concrete:
            condition = models.Q(**{relation.field.name: staff})
            model = relation.related_model
            naming[model] = naming[model] | condition if model in naming else condition
    records: list[RecordCount] = []
    history = 0
    for model, condition in naming.items():
        found = model._default_manager.filter(condition).count()
        if not found:
            continue
        if getattr(model, "instance_type", None) is not None:  # a django-simple-history table
            history += found
        else:
            records.append(RecordCount(model._meta.label_lower, str(model._meta.verbose_name_plural), found))
    records.sort(key=lambda record: record.model)
    if history:
        records.append(RecordCount("history", str(pgettext_lazy("records", "change-history entries")), history))
    return records
