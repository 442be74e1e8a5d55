"""How an app above callbacks adds to a kind of callback it creates (a care invitation, say).

The care app creates ``invitation`` tasks; when an agent logs the call, what the customer replied
belongs to the invitation, which callbacks cannot import. The app registers a ``KindExtension``:
extra fields on the call screen (and in the API's ``extra``), a handler run inside the same
transaction as the logged call, and the "why" text of the desk.

    register_extension(KindExtension(
        kind="invitation",
        form_fields=lambda task: {"reply": forms.ChoiceField(...)},
        on_logged=lambda logged, extra: invitation_reply(task=logged.task, reply=extra.get("reply")),
        describe_many=lambda tasks: {task.pk: "…" for task in tasks},
    ))
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class KindExtension:
    kind: str
    # Extra form fields for the call screen, by name (Django form fields).
    form_fields: Callable[[Any], dict[str, Any]] | None = None
    # Called with the LoggedCall and the extra values inside attempt_log's transaction; may raise
    # ValidationError to refuse the call (nothing is stored then).
    on_logged: Callable[[Any, dict[str, Any]], None] | None = None
    # The desk's "why this call is due" for the tasks of this kind on a page: {task id: text}, in one query.
    describe_many: Callable[[list], dict[int, str]] | None = None


_EXTENSIONS: dict[str, KindExtension] = {}


def register_extension(extension: KindExtension) -> None:
    _EXTENSIONS[extension.kind] = extension


def extension_for(kind: str) -> KindExtension | None:
    return _EXTENSIONS.get(kind)


def describe_tasks(tasks: list) -> None:
    """Set ``why`` on each task of an extended kind, one call per kind on the page."""
    by_kind: dict[str, list] = {}
    for task in tasks:
        by_kind.setdefault(task.kind, []).append(task)
    for kind, group in by_kind.items():
        extension = _EXTENSIONS.get(kind)
        if extension is None or extension.describe_many is None:
            continue
        texts = extension.describe_many(group)
        for task in group:
            task.why = texts.get(task.pk, "")
