"""The callback desk's models: rules and questionnaires, tasks, attempts and answers, complaints."""

from callbacks.models.desk import Answer, CallAttempt, CallbackTask, Complaint
from callbacks.models.rules import (
    FAILED_OUTCOMES,
    REACHED_OUTCOMES,
    REMINDER_KINDS,
    RETRY_OUTCOMES,
    CallbackKind,
    CallbackRule,
    CallOutcome,
    ComplaintDeadline,
    ComplaintSeverity,
    InspectionStep,
    Question,
    Questionnaire,
    QuestionnaireVersion,
    ReminderRule,
)

__all__ = [
    "FAILED_OUTCOMES",
    "REACHED_OUTCOMES",
    "REMINDER_KINDS",
    "RETRY_OUTCOMES",
    "Answer",
    "CallAttempt",
    "CallbackKind",
    "CallbackRule",
    "CallbackTask",
    "CallOutcome",
    "Complaint",
    "ComplaintDeadline",
    "ComplaintSeverity",
    "InspectionStep",
    "Question",
    "Questionnaire",
    "QuestionnaireVersion",
    "ReminderRule",
]
