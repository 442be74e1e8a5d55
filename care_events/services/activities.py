"""Every way an activity changes: its plan columns and dates, status, time nodes, staff, cost lines and KPIs.

``kpi_refresh(activity)`` fills the automatic KPIs from the activity's invitations; the invitation
services call it after each check-in and each feedback.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Avg, Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from care_events.models import CareActivity, CarePlan, CostLine, Invitation, Kpi, StaffAssignment, TimeNode
from care_events.services._common import check_fields, refuse_closed, save

ACTIVITY_FIELDS = (
    "name",
    "kind",
    "purpose",
    "time_nodes_text",
    "key_elements",
    "method",
    "content",
    "planned_scale",
    "planned_budget",
    "staff_text",
    "measures",
    "starts_on",
    "ends_on",
)


def _locked(activity: CareActivity) -> CareActivity:
    return CareActivity.objects.select_for_update().select_related("plan").get(pk=activity.pk)


def _refuse_negative(fields: dict) -> None:
    # The model's validators say so too; this names the field in words a planner uses.
    errors = {}
    if fields.get("planned_budget") is not None and Decimal(fields["planned_budget"]) < 0:
        errors["planned_budget"] = _("A budget cannot be negative.")
    if fields.get("planned_scale") is not None and int(fields["planned_scale"]) < 0:
        errors["planned_scale"] = _("A scale cannot be negative.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def activity_create(*, plan: CarePlan, by, **fields) -> CareActivity:
    """Add an activity to a plan; in an approved plan its budget comes later, through a budget revision."""
    check_fields(fields, ACTIVITY_FIELDS)
    plan = CarePlan.objects.select_for_update().get(pk=plan.pk)
    refuse_closed(plan)
    _refuse_negative(fields)
    if plan.budget_locked and Decimal(fields.get("planned_budget") or 0) != 0:
        raise ValidationError(
            {"planned_budget": _("The plan is approved: give this activity its budget through a budget revision.")}
        )
    activity = CareActivity(plan=plan, **fields)
    save(activity, by=by)
    return activity


@transaction.atomic
def activity_update(*, activity: CareActivity, by, **fields) -> CareActivity:
    check_fields(fields, ACTIVITY_FIELDS)
    current = _locked(activity)
    refuse_closed(current.plan)
    _refuse_negative(fields)
    if (
        "planned_budget" in fields
        and current.plan.budget_locked
        and Decimal(fields["planned_budget"]) != current.planned_budget
    ):
        raise ValidationError(
            {"planned_budget": _("The plan is approved: change this budget through a budget revision, with a reason.")}
        )
    for name, value in fields.items():
        setattr(current, name, value)
    save(current, by=by)
    return current


@transaction.atomic
def activity_status_set(*, activity: CareActivity, status: str, by) -> CareActivity:
    current = _locked(activity)
    refuse_closed(current.plan)
    if status not in CareActivity.TRANSITIONS.get(current.status, ()):
        raise ValidationError(
            {
                "status": _("An activity that is %(current)s cannot become %(new)s.")
                % {
                    "current": current.get_status_display(),
                    "new": CareActivity.Status(status).label if status in CareActivity.Status.values else status,
                }
            }
        )
    current.status = status
    save(current, by=by)
    return current


# Time nodes


@transaction.atomic
def node_add(*, activity: CareActivity, name: str, due_on, responsible=None, by) -> TimeNode:
    current = _locked(activity)
    refuse_closed(current.plan)
    node = TimeNode(activity=current, name=(name or "").strip(), due_on=due_on, responsible=responsible)
    save(node, by=by)
    return node


@transaction.atomic
def node_update(*, node: TimeNode, by, **fields) -> TimeNode:
    check_fields(fields, ("name", "due_on", "responsible"))
    current = TimeNode.objects.select_for_update().select_related("activity__plan").get(pk=node.pk)
    refuse_closed(current.activity.plan)
    for name, value in fields.items():
        setattr(current, name, value)
    save(current, by=by)
    return current


@transaction.atomic
def node_mark_done(*, node: TimeNode, by, done: bool = True) -> TimeNode:
    """Tick a milestone off (or undo the tick); the first tick's time stays."""
    current = TimeNode.objects.select_for_update().select_related("activity__plan").get(pk=node.pk)
    refuse_closed(current.activity.plan)
    if done and current.done_at is None:
        current.done_at = timezone.now()
    elif not done:
        current.done_at = None
    save(current, by=by)
    return current


@transaction.atomic
def node_delete(*, node: TimeNode, by) -> None:
    refuse_closed(node.activity.plan)
    node._history_user = by
    node.delete()


# Staff


@transaction.atomic
def staff_assign(*, activity: CareActivity, staff, task: str, by) -> StaffAssignment:
    current = _locked(activity)
    refuse_closed(current.plan)
    assignment = StaffAssignment(activity=current, staff=staff, task=(task or "").strip())
    assignment.full_clean()
    assignment.save()
    return assignment


@transaction.atomic
def staff_unassign(*, assignment: StaffAssignment, by) -> None:
    refuse_closed(assignment.activity.plan)
    assignment.delete()


# Cost lines


@transaction.atomic
def cost_add(*, activity: CareActivity, item: str, amount: Decimal, spent_on, by) -> CostLine:
    current = _locked(activity)
    refuse_closed(current.plan)
    if amount is not None and Decimal(amount) < 0:
        raise ValidationError({"amount": _("A cost cannot be negative.")})
    line = CostLine(activity=current, item=(item or "").strip(), amount=amount, spent_on=spent_on)
    save(line, by=by)
    return line


@transaction.atomic
def cost_delete(*, line: CostLine, by) -> None:
    refuse_closed(line.activity.plan)
    line._history_user = by
    line.delete()


# KPIs


@transaction.atomic
def kpi_add(
    *,
    activity: CareActivity,
    name: str,
    target: Decimal | None,
    source: str = Kpi.Source.TYPED,
    unit: str = "",
    actual: Decimal | None = None,
    by,
) -> Kpi:
    current = _locked(activity)
    refuse_closed(current.plan)
    if target is None or target == "":
        raise ValidationError({"target": _("A KPI needs a target.")})
    if source != Kpi.Source.TYPED and actual is not None:
        raise ValidationError({"actual": _("This KPI fills itself from the invitations; its actual is not typed.")})
    if source == Kpi.Source.ATTENDANCE_RATE or source == Kpi.Source.SATISFACTION:
        unit = unit or "%"
    kpi = Kpi(activity=current, name=(name or "").strip(), target=target, source=source, unit=unit, actual=actual)
    save(kpi, by=by)
    if kpi.is_automatic:
        kpi_refresh(current, by=by)
        kpi.refresh_from_db()
    return kpi


@transaction.atomic
def kpi_actual_set(*, kpi: Kpi, actual: Decimal | None, by) -> Kpi:
    """Type a typed KPI's actual; the automatic ones refuse (they follow the invitations)."""
    current = Kpi.objects.select_for_update().select_related("activity__plan").get(pk=kpi.pk)
    refuse_closed(current.activity.plan)
    if current.is_automatic:
        raise ValidationError({"actual": _("This KPI fills itself from the invitations; its actual is not typed.")})
    if actual is not None and Decimal(actual) < 0:
        raise ValidationError({"actual": _("An actual cannot be negative.")})
    current.actual = actual
    save(current, by=by)
    return current


@transaction.atomic
def kpi_refresh(activity: CareActivity, *, by=None) -> list[Kpi]:
    """Fill the automatic KPIs of ``activity`` from its invitations, in one query over them.

    - attendance: customers checked in;
    - attendance rate: checked in ÷ invited, in % (None while nobody is invited);
    - satisfaction: the mean of the attendees' 1–5 answers as a % of the top mark (mean × 20), so a
      target of 90 means an average of 4.5 (None until someone answers).
    """
    numbers = Invitation.objects.filter(activity=activity).aggregate(
        invited=Count("id"),
        attended=Count("id", filter=Q(checked_in_at__isnull=False)),
        satisfaction=Avg("satisfaction"),
    )
    values: dict[str, Decimal | None] = {
        Kpi.Source.ATTENDANCE: Decimal(numbers["attended"]),
        Kpi.Source.ATTENDANCE_RATE: (
            (Decimal(numbers["attended"]) * 100 / numbers["invited"]).quantize(Decimal("0.01"))
            if numbers["invited"]
            else None
        ),
        Kpi.Source.SATISFACTION: (
            (Decimal(str(numbers["satisfaction"])) * 20).quantize(Decimal("0.01"))
            if numbers["satisfaction"] is not None
            else None
        ),
    }
    changed = []
    for kpi in Kpi.objects.select_for_update().filter(activity=activity).exclude(source=Kpi.Source.TYPED):
        value = values[kpi.source]
        if kpi.actual != value:
            kpi.actual = value
            kpi._history_user = by
            kpi.save(update_fields=["actual"])
            changed.append(kpi)
    return changed
