"""Reads shared by several apps."""

from __future__ import annotations

from django.db import models
from django.utils.translation import pgettext_lazy

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
