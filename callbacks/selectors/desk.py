"""The agent's desk: the queue, its counts, the call screen's context, the customer timeline's calls."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import BooleanField, Count, ExpressionWrapper, Prefetch, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from callbacks.models import (
    CallAttempt,
    CallbackTask,
    Complaint,
    QuestionnaireVersion,
)
from customers.models import SalesArchive, ServiceVisit

# --- The agent's desk ---------------------------------------------------------------------------

# What every row of the desk and of the API shows, joined in the list's one query. Each table
# joined adds to PostgreSQL's planning: with the events and their staff joined as well (ten
# tables), planning a page took 20-30 ms, far more than running it (bench/callbacks.py).
DESK_RELATED = ("customer", "vehicle", "agent", "rule")
# What only the desk's "why" column needs, fetched for the page's rows: one query per kind of
# event on the page (a delivery and its consultant, a visit and its advisor, a complaint).
DESK_PREFETCH = (
    Prefetch("archive", queryset=SalesArchive.objects.select_related("consultant")),
    Prefetch("visit", queryset=ServiceVisit.objects.select_related("advisor")),
    "complaint",
)


def agent_queue(*, user, now=None) -> QuerySet[CallbackTask]:
    """Today's calls for ``user``: their own first, then the shared pool, by due date.

    A task is on the queue once due, while not expired, and when its next try (after no answer,
    or a call-back time the customer gave) has come. A page takes the same few queries whatever
    the queue's length: the count, the page, and one per kind of event on it (DESK_PREFETCH).

    The queue holds only the user's own tasks and the pool's, so "mine first" is "held first":
    the order of the ``callback_task_queue`` index, from which a page reads its rows in order
    rather than sorting the whole queue (bench/callbacks.py).
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    pooled = ExpressionWrapper(Q(agent__isnull=True), output_field=BooleanField())
    return (
        CallbackTask.objects.visible_to(user)
        .filter(status__in=CallbackTask.WORKABLE, due_date__lte=today, expires_on__gt=today)
        .filter(Q(agent=user) | Q(agent__isnull=True))
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .select_related(*DESK_RELATED)
        .prefetch_related(*DESK_PREFETCH)
        .alias(pooled=pooled)
        .order_by("pooled", "due_date", "id")
    )


@dataclass(frozen=True)
class QueueCounts:
    mine: int
    pool: int
    later: int


def agent_queue_counts(*, user, now=None) -> QueueCounts:
    """How many calls are waiting: mine, the pool's, and mine scheduled for later today or after."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    workable = CallbackTask.objects.visible_to(user).filter(status__in=CallbackTask.WORKABLE, expires_on__gt=today)
    counts = workable.aggregate(
        mine=Count(
            "pk",
            filter=Q(agent=user, due_date__lte=today) & (Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)),
        ),
        pool=Count(
            "pk",
            filter=Q(agent__isnull=True, due_date__lte=today)
            & (Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)),
        ),
        later=Count("pk", filter=Q(agent=user, next_attempt_at__gt=now)),
    )
    return QueueCounts(**counts)


@dataclass(frozen=True)
class CallContext:
    """Everything the call screen shows beside the form."""

    task: CallbackTask
    questions: list
    version: object
    earlier_calls: list
    complaints: list
    other_tasks: list


def current_version(task: CallbackTask) -> QuestionnaireVersion | None:
    """The questionnaire version asked on this task's calls today, its questions prefetched."""
    if task.rule.questionnaire_id is None:
        return None
    return (
        QuestionnaireVersion.objects.filter(
            questionnaire_id=task.rule.questionnaire_id, status=QuestionnaireVersion.Status.IN_USE
        )
        .prefetch_related("questions")
        .first()
    )


def call_context(*, task: CallbackTask, user, version: QuestionnaireVersion | None = None) -> CallContext:
    """The task, the questionnaire to ask, and the customer's earlier calls and complaints."""
    version = version or current_version(task)
    questions = list(version.questions.all()) if version else []
    earlier = list(
        CallAttempt.objects.visible_to(user)
        .filter(task__customer_id=task.customer_id)
        .select_related("task", "agent")
        .prefetch_related("answers__question")
        .order_by("-started_at")[:20]
    )
    complaints = list(
        Complaint.objects.visible_to(user).filter(customer_id=task.customer_id).select_related("owner")[:20]
    )
    others = list(
        CallbackTask.objects.visible_to(user)
        .filter(customer_id=task.customer_id)
        .exclude(pk=task.pk)
        .select_related("agent")
        .order_by("-due_date")[:10]
    )
    return CallContext(
        task=task,
        questions=questions,
        version=version,
        earlier_calls=earlier,
        complaints=complaints,
        other_tasks=others,
    )


def customer_callback_events(customer) -> list[dict]:
    """The customer's calls, the calls' tasks still waiting, and complaints, for the customer's timeline."""
    events: list[dict] = []
    for attempt in CallAttempt.objects.filter(task__customer=customer).select_related("task", "agent"):
        events.append(
            {
                "at": attempt.started_at,
                "kind": "call",
                "label": _("Call"),
                "object": attempt,
                "text": f"{attempt.task.get_kind_display()} · {attempt.get_outcome_display()} · {attempt.agent}",
                "url": reverse("callbacks:task_call", args=[attempt.task_id]),
            }
        )
    for task in CallbackTask.objects.filter(customer=customer, attempt_count=0):
        events.append(
            {
                "at": timezone.make_aware(dt.datetime.combine(task.due_date, dt.time.min)),
                "kind": "callback",
                "label": _("Callback due"),
                "object": task,
                "text": f"{task.get_kind_display()} · {task.get_status_display()}",
                "url": reverse("callbacks:task_call", args=[task.pk]),
            }
        )
    for complaint in Complaint.objects.filter(customer=customer):
        events.append(
            {
                "at": complaint.opened_at,
                "kind": "complaint",
                "label": _("Complaint"),
                "object": complaint,
                "text": f"#{complaint.pk} {complaint.get_status_display()} · {complaint.description[:40]}",
                "url": reverse("callbacks:complaint_detail", args=[complaint.pk]),
            }
        )
    return events
