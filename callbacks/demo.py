"""Demo callback desk: 2011's callbacks with their outcomes and answers, and a live week around today.

The history (sales and service callbacks of 2011) is what the accuracy grade's callback item, the
supervision pages and the shadow score read; the live week (cars that came in for service in the
last days, due today) gives the agents a queue in every state on a fresh ``make run``. One seeded
generator makes the same outcomes everywhere; a second run finds the tasks and creates nothing.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from callbacks.models import Answer, CallAttempt, CallbackTask, Complaint, QuestionnaireVersion
from callbacks.services import attempt_log, callbacks_generate, complaint_advance, complaint_open, task_take
from customers.models import ServiceVisit, Vehicle
from dealership_cs.models import Staff
from dealership_cs.permissions import Role

SEED = 20110801
HISTORY = (dt.date(2011, 1, 1), dt.date(2011, 12, 31))
# Outcomes of a 2011 callback's decisive call, with their shares (most buyers are reached and confirmed).
HISTORIC_OUTCOMES = [
    ("confirmed", 86),
    ("no_answer", 5),
    ("wrong_number", 3),
    ("not_buyer", 2),
    ("refused", 2),
    ("out_of_service", 2),
]


def _agents() -> list:
    User = get_user_model()
    group = Group.objects.get(name=Role.CALLBACK_AGENT.value)
    second, created = User.objects.get_or_create(
        username="zhou.agent", defaults={"first_name": "周", "last_name": "回访"}
    )
    if created:
        second.set_unusable_password()
        second.save()
        second.groups.add(group)
    agents = list(User.objects.filter(groups=group).order_by("pk"))
    return agents


def _answer_value(rng: random.Random, maximum: int, weak: bool) -> Decimal:
    # Most customers give the top mark; the plan's weak items (11.11, 11.12, 11.13, 12B.1 and the
    # sales weak points) a little less often.
    if maximum <= 1:
        return Decimal(1)
    weights = (45, 35, 15, 5) if weak else (72, 22, 5, 1)
    return Decimal(rng.choices([maximum, maximum - 1, maximum - 2, max(1, maximum // 2)], weights)[0])


WEAK_CODES = {"11.11", "11.12", "11.13", "12B.1", "S4", "S6"}


def _history(rng: random.Random, agents: list) -> int:
    """Generate 2011's tasks week by week and give each its calls, written in bulk."""
    day = HISTORY[0]
    while day <= HISTORY[1] + dt.timedelta(days=7):
        callbacks_generate(on=day)
        day += dt.timedelta(days=7)
    versions = {
        v.questionnaire_id: (v, list(v.questions.all()))
        for v in QuestionnaireVersion.objects.filter(status="in_use").prefetch_related("questions")
    }
    tasks = list(
        CallbackTask.objects.filter(due_date__lte=HISTORY[1] + dt.timedelta(days=7), attempt_count=0)
        .exclude(kind="complaint_followup")
        .select_related("rule", "archive", "visit")
        .order_by("pk")
    )
    outcomes, weights = zip(*HISTORIC_OUTCOMES, strict=True)
    attempts: list[CallAttempt] = []
    answers: list[tuple[int, list]] = []
    for task in tasks:
        agent = rng.choice(agents)
        when = timezone.make_aware(dt.datetime.combine(task.due_date, dt.time(rng.randint(9, 17), rng.randint(0, 59))))
        final = rng.choices(outcomes, weights)[0]
        tries = (
            ["no_answer"] * (task.rule.max_attempts - 1) + ["no_answer"]
            if final == "no_answer"
            else ["busy"] * rng.choice([0, 0, 1]) + [final]
        )
        for index, outcome in enumerate(tries[: task.rule.max_attempts]):
            attempts.append(
                CallAttempt(
                    task=task,
                    agent=agent,
                    started_at=when + dt.timedelta(hours=4 * index),
                    ended_at=when + dt.timedelta(hours=4 * index, minutes=3),
                    phone="",
                    outcome=outcome,
                )
            )
        task.attempt_count = min(len(tries), task.rule.max_attempts)
        task.last_outcome = attempts[-1].outcome
        task.agent = agent
        task.status = CallbackTask.Status.UNREACHABLE if final == "no_answer" else CallbackTask.Status.DONE
        task.closed_at = attempts[-1].ended_at
        if final == "confirmed" and task.rule.questionnaire_id in versions:
            version, questions = versions[task.rule.questionnaire_id]
            attempts[-1].questionnaire_version = version
            staff = (
                task.archive.consultant_id if task.archive_id else (task.visit.advisor_id if task.visit_id else None)
            )
            answers.append((len(attempts) - 1, [(q, staff) for q in questions if q.maximum]))
    CallAttempt.objects.bulk_create(attempts, batch_size=1000)
    CallbackTask.objects.bulk_update(
        tasks, ["attempt_count", "last_outcome", "agent", "status", "closed_at"], batch_size=1000
    )
    rows = [
        Answer(
            attempt=attempts[i], question=q, value=_answer_value(rng, q.maximum, q.code in WEAK_CODES), staff_id=staff
        )
        for i, pairs in answers
        for q, staff in pairs
    ]
    Answer.objects.bulk_create(rows, batch_size=2000)
    return len(tasks)


def _live_week(rng: random.Random, agents: list) -> dict[str, int]:
    """Cars that came in for service in the last ten days: today's queue, with calls in every state."""
    today = timezone.localdate()
    vehicles = list(Vehicle.objects.filter(holder__isnull=False, holder__do_not_call=False).order_by("pk")[:40])
    advisors = list(Staff.objects.service_advisors().order_by("pk")) or [None]
    for index, vehicle in enumerate(vehicles):
        left = timezone.make_aware(dt.datetime.combine(today - dt.timedelta(days=2 + index % 9), dt.time(16, 30)))
        ServiceVisit.objects.get_or_create(
            ro_number=f"RO{today:%Y%m}{index + 1:04d}",
            defaults={
                "vehicle": vehicle,
                "customer_id": vehicle.holder_id,
                "advisor": advisors[index % len(advisors)],
                "kind": rng.choice(["maintenance", "maintenance", "repair", "warranty"]),
                "opened_at": left - dt.timedelta(hours=6),
                "closed_at": left,
                "mileage": rng.randint(5, 60) * 1000,
                "amount": Decimal(rng.randint(300, 3000)),
            },
        )
    for back in range(9, -1, -1):
        callbacks_generate(on=today - dt.timedelta(days=back))
    live = list(
        CallbackTask.objects.filter(kind="service", due_date__gt=today - dt.timedelta(days=10))
        .filter(status__in=CallbackTask.WORKABLE)
        .order_by("pk")
    )
    agent, other = agents[0], agents[-1]
    plan = [
        "confirmed_low",
        "confirmed",
        "confirmed",
        "no_answer",
        "busy",
        "call_back_later",
        "wrong_number",
        "not_buyer",
        "refused",
        "held",
        "held_other",
        "unreachable",
        "do_not_call",
    ]
    complaints = 0
    for task, step in zip(live, plan, strict=False):
        if step.startswith("held"):
            continue  # taken below, once the pool has settled
        if step == "unreachable":
            for _ in range(task.rule.max_attempts):
                attempt_log(task=task, agent=other, outcome="no_answer")
            continue
        if step == "do_not_call":
            # The customer asked not to be called: the next generation cancels the call.
            task.customer.do_not_call, task.customer.do_not_call_reason = True, "客户要求不再回访"
            task.customer.do_not_call_since = today
            task.customer.save(update_fields=["do_not_call", "do_not_call_reason", "do_not_call_since"])
            callbacks_generate(on=today)
            continue
        if step.startswith("confirmed"):
            version = QuestionnaireVersion.objects.get(questionnaire=task.rule.questionnaire, status="in_use")
            answers = {
                q.code: (3 if step == "confirmed_low" and q.code == "11.11" else 9)
                for q in version.questions.all()
                if q.maximum
            }
            logged = attempt_log(task=task, agent=other, outcome="confirmed", answers=answers, note="演示回访")
            complaints += logged.complaint is not None
            continue
        later = timezone.now() + dt.timedelta(hours=3) if step == "call_back_later" else None
        attempt_log(task=task, agent=other, outcome=step, call_back_at=later)
    # Today's work already in hand: the freshest pool calls, taken by each agent.
    pool = CallbackTask.objects.filter(status="open", agent__isnull=True, due_date__lte=today).order_by(
        "-due_date", "pk"
    )
    for task, holder in zip(pool[:4], [agent, agent, other, other], strict=False):
        task_take(task=task, agent=holder)
    return {
        "live": CallbackTask.objects.filter(due_date__gt=today - dt.timedelta(days=10)).count(),
        "complaints_from_calls": complaints,
    }


def _complaints(agents: list) -> int:
    """A walk-in complaint overdue, and one resolved with its follow-up call queued."""
    customers = list(
        Vehicle.objects.filter(holder__isnull=False).order_by("-pk").values_list("holder_id", flat=True)[:2]
    )
    if len(customers) < 2:
        return 0
    from customers.models import Customer

    first, second = Customer.objects.filter(pk__in=customers).order_by("pk")
    late = complaint_open(
        customer=first,
        description="保养后发动机异响，两次进厂未解决",
        department="service",
        source="walk_in",
        severity="high",
        by=agents[0],
    )
    Complaint.objects.filter(pk=late.pk).update(
        opened_at=late.opened_at - dt.timedelta(days=3),
        response_due_at=late.response_due_at - dt.timedelta(days=3),
        resolution_due_at=late.resolution_due_at - dt.timedelta(days=3),
    )
    done = complaint_open(
        customer=second,
        description="交车时未讲解导航使用",
        department="sales",
        source="phone",
        severity="low",
        by=agents[0],
    )
    complaint_advance(complaint=done, status="resolved", resolution="销售顾问已上门讲解", by=agents[0])
    return 2


def load() -> str:
    if CallbackTask.objects.exists():
        return f"already loaded ({CallbackTask.objects.count()} tasks), nothing created"
    rng = random.Random(SEED)
    agents = _agents()
    history = _history(rng, agents)
    live = _live_week(rng, agents)
    _complaints(agents)
    return (
        f"tasks={CallbackTask.objects.count()} history={history} live={live['live']} "
        f"attempts={CallAttempt.objects.count()} complaints={Complaint.objects.count()}"
    )
