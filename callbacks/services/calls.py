"""An agent's work on a task: taking it from the pool, logging each call with its outcome and answers."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from callbacks.extensions import extension_for
from callbacks.models import (
    FAILED_OUTCOMES,
    RETRY_OUTCOMES,
    Answer,
    CallAttempt,
    CallbackKind,
    CallbackTask,
    CallOutcome,
    Complaint,
    Question,
    QuestionnaireVersion,
)
from callbacks.selectors.desk import current_version
from callbacks.services.complaints import complaint_open
from customers.models import PhoneCorrection
from dealership_cs.models import Staff


class TaskHeld(Exception):
    """The task is held by another agent: the caller is told who."""

    def __init__(self, holder) -> None:
        self.holder = holder
        name = holder.get_full_name() or holder.get_username() if holder else ""
        super().__init__(_("This task is already taken by %(name)s.") % {"name": name})


@transaction.atomic
def task_take(*, task: CallbackTask, agent) -> CallbackTask:
    """Claim a pool task for ``agent``: exactly one of two agents taking it at once wins."""
    now = timezone.now()
    won = CallbackTask.objects.filter(pk=task.pk, status=CallbackTask.Status.OPEN, agent__isnull=True).update(
        agent=agent, taken_at=now, status=CallbackTask.Status.IN_PROGRESS
    )
    task = CallbackTask.objects.select_related("agent").get(pk=task.pk)
    if won:
        return task
    if task.agent_id == agent.pk and task.is_workable:
        return task  # taking one's own task again changes nothing
    if task.agent_id is not None and task.is_workable:
        raise TaskHeld(task.agent)
    raise ValidationError(_("This task is %(status)s and cannot be taken.") % {"status": task.get_status_display()})


@transaction.atomic
def task_release(*, task: CallbackTask, agent) -> CallbackTask:
    """Hand a task one holds back to the pool."""
    task = CallbackTask.objects.select_for_update().get(pk=task.pk)
    if task.agent_id != agent.pk or not task.is_workable:
        raise ValidationError(_("Only the agent holding an open task can hand it back."))
    task.agent, task.taken_at, task.status = None, None, CallbackTask.Status.OPEN
    task.save(update_fields=["agent", "taken_at", "status"])
    return task


@dataclass(frozen=True)
class LoggedCall:
    attempt: CallAttempt
    task: CallbackTask
    complaint: Complaint | None = None
    correction: PhoneCorrection | None = None


def _clean_answers(version: QuestionnaireVersion | None, answers: dict[str, Any]) -> list[tuple[Question, Any]]:
    """Answers by question code, checked against the version asked: every error is named by its code."""
    if not answers:
        return []
    if version is None:
        raise ValidationError({"answers": _("This callback has no questionnaire.")})
    questions = {q.code: q for q in version.questions.all()}
    cleaned, errors = [], []
    for code, raw in answers.items():
        question = questions.get(str(code))
        if question is None:
            errors.append(_("“%(code)s” is not a question of %(version)s.") % {"code": code, "version": version})
            continue
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            continue  # not asked or not answered: the customer may stop half-way
        if question.scale == Question.Scale.TEXT:
            cleaned.append((question, str(raw).strip()[:2000]))
            continue
        if question.scale == Question.Scale.YES_NO and isinstance(raw, str):
            raw = {"yes": 1, "是": 1, "no": 0, "否": 0, "1": 1, "0": 0}.get(raw.strip().lower(), raw)
        try:
            value = Decimal(str(raw).strip()) if not isinstance(raw, bool) else Decimal(int(raw))
        except (InvalidOperation, ValueError):
            errors.append(_("The answer to %(code)s must be a number.") % {"code": code})
            continue
        if value != value.to_integral_value() or not question.minimum <= value <= question.maximum:
            errors.append(
                _("The answer to %(code)s must be a whole number from %(low)s to %(high)s.")
                % {"code": code, "low": question.minimum, "high": question.maximum}
            )
            continue
        cleaned.append((question, value))
    if errors:
        raise ValidationError({"answers": errors})
    return cleaned


def _credited_staff(task: CallbackTask) -> Staff | None:
    if task.kind == CallbackKind.SALES and task.archive_id:
        return task.archive.consultant
    if task.kind == CallbackKind.SERVICE and task.visit_id:
        return task.visit.advisor
    return None


@transaction.atomic
def attempt_log(
    *,
    task: CallbackTask,
    agent,
    outcome: str,
    answers: dict[str, Any] | None = None,
    note: str = "",
    call_back_at: dt.datetime | None = None,
    phone: str = "",
    open_complaint: bool = False,
    complaint_text: str = "",
    started_at: dt.datetime | None = None,
    extra: dict[str, Any] | None = None,
) -> LoggedCall:
    """Record one call on ``task`` and move the task on as its outcome says (DOMAIN.md, "Callbacks")."""
    task = CallbackTask.objects.select_for_update().select_related("rule", "customer").get(pk=task.pk)
    if not task.is_workable:
        raise ValidationError(
            _("This task is %(status)s: no more calls are logged on it.") % {"status": task.get_status_display()}
        )
    if task.agent_id is not None and task.agent_id != agent.pk:
        raise TaskHeld(task.agent)
    if outcome not in CallOutcome.values:
        raise ValidationError({"outcome": _("“%(code)s” is not an outcome code.") % {"code": outcome}})
    now = timezone.now()
    if outcome == CallOutcome.CALL_BACK_LATER:
        if call_back_at is None:
            raise ValidationError({"call_back_at": _("Say when to call back.")})
        if call_back_at <= now:
            raise ValidationError({"call_back_at": _("The call-back time is in the past.")})
    elif call_back_at is not None:
        call_back_at = None
    answers = answers or {}
    if answers and outcome != CallOutcome.CONFIRMED:
        raise ValidationError({"answers": _("Answers are recorded only when the buyer was reached and confirmed.")})
    version = current_version(task) if outcome == CallOutcome.CONFIRMED else None
    cleaned = _clean_answers(version, answers)

    attempt = CallAttempt(
        task=task,
        agent=agent,
        started_at=started_at or now,
        ended_at=now,
        phone=phone or task.customer.mobile,
        outcome=outcome,
        call_back_at=call_back_at,
        note=note.strip(),
        questionnaire_version=version if cleaned else None,
    )
    attempt.full_clean()
    attempt.save()
    credited = _credited_staff(task) if cleaned else None
    Answer.objects.bulk_create(
        Answer(
            attempt=attempt,
            question=question,
            value=value if isinstance(value, Decimal) else None,
            text=value if isinstance(value, str) else "",
            staff=credited,
        )
        for question, value in cleaned
    )

    task.attempt_count += 1
    task.last_outcome = outcome
    task.agent = task.agent or agent
    task.taken_at = task.taken_at or now
    task.next_attempt_at = None
    correction = complaint = None
    if outcome in RETRY_OUTCOMES:
        if task.attempt_count >= task.rule.max_attempts:
            task.status, task.closed_at = CallbackTask.Status.UNREACHABLE, now
        else:
            # Back to the pool after the rule's delay: whoever is free then makes the next try.
            task.status, task.agent, task.taken_at = CallbackTask.Status.OPEN, None, None
            task.next_attempt_at = now + dt.timedelta(hours=task.rule.retry_delay(outcome))
    elif outcome == CallOutcome.CALL_BACK_LATER:
        # The customer asked this agent to call again: the task stays with them.
        task.status, task.next_attempt_at = CallbackTask.Status.IN_PROGRESS, call_back_at
    else:
        task.status, task.closed_at = CallbackTask.Status.DONE, now
        if outcome in FAILED_OUTCOMES:
            correction = _propose_phone_check(task=task, attempt=attempt, agent=agent)
    task.save()

    low = [
        (q, v)
        for q, v in cleaned
        if isinstance(v, Decimal) and q.complaint_threshold is not None and v <= q.complaint_threshold
    ]
    if low or open_complaint:
        lines = [f"{q.code} {q.text}: {v}" for q, v in low]
        description = "\n".join(filter(None, [complaint_text.strip(), *lines])) or note.strip()
        complaint = complaint_open(
            customer=task.customer,
            vehicle=task.vehicle,
            source=Complaint.Source.CALLBACK,
            department=Complaint.Department.SERVICE
            if task.kind == CallbackKind.SERVICE
            else Complaint.Department.SALES,
            description=description or _("Opened from a callback."),
            attempt=attempt,
            by=agent,
        )
    logged = LoggedCall(attempt=attempt, task=task, complaint=complaint, correction=correction)
    extension = extension_for(task.kind)
    if extension is not None and extension.on_logged is not None:
        # The app that made this kind of task records its part (an invitation's reply) in the same transaction.
        extension.on_logged(logged, extra or {})
    return logged


def _propose_phone_check(*, task: CallbackTask, attempt: CallAttempt, agent) -> PhoneCorrection:
    """A wrong or mismatched number goes to the customer-service staff to find the right one."""
    customer = task.customer
    reason = _("Callback #%(task)s: %(outcome)s (%(phone)s)") % {
        "task": task.pk,
        "outcome": attempt.get_outcome_display(),
        "phone": attempt.phone,
    }
    return PhoneCorrection.objects.create(
        customer=customer,
        field=PhoneCorrection.Field.MOBILE,
        old_value=customer.mobile,
        new_value="",
        reason=reason[:200],
        proposed_by=agent,
    )
