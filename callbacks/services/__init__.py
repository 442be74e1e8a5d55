"""Every way the callback desk's records change.

``generation``: the nightly queue (``callbacks_generate``); ``calls``: taking a task and logging a
call (``task_take``, ``task_release``, ``attempt_log``); ``complaints``: ``complaint_open``,
``complaint_advance``; ``questionnaires``: ``questionnaire_draft``, ``questionnaire_publish``.
"""

from callbacks.services.calls import LoggedCall, TaskHeld, attempt_log, task_release, task_take
from callbacks.services.complaints import complaint_advance, complaint_open
from callbacks.services.generation import GenerationResult, callbacks_generate
from callbacks.services.questionnaires import question_threshold_set, questionnaire_draft, questionnaire_publish
from callbacks.services.rules import callback_rule_update, reminder_rule_update

__all__ = [
    "GenerationResult",
    "LoggedCall",
    "TaskHeld",
    "attempt_log",
    "callback_rule_update",
    "callbacks_generate",
    "complaint_advance",
    "complaint_open",
    "question_threshold_set",
    "reminder_rule_update",
    "questionnaire_draft",
    "questionnaire_publish",
    "task_release",
    "task_take",
]
