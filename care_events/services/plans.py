"""Every way a care plan changes: created, edited, submitted, approved (or sent back), closed, its budget revised."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from care_events.models import BudgetRevision, CareActivity, CarePlan
from care_events.services._common import check_fields, refuse_closed, save

PLAN_FIELDS = ("title", "total_budget", "owner")
APPROVE_PERMISSION = "care_events.approve_careplan"


def _locked(plan: CarePlan) -> CarePlan:
    return CarePlan.objects.select_for_update().get(pk=plan.pk)


def _expect(plan: CarePlan, *statuses: str) -> None:
    if plan.status not in statuses:
        raise ValidationError(
            _("The %(year)s plan is %(status)s: this step is not possible now.")
            % {"year": plan.year, "status": plan.get_status_display()}
        )


@transaction.atomic
def plan_create(*, year: int, title: str, total_budget: Decimal, owner, by) -> CarePlan:
    plan = CarePlan(year=year, title=(title or "").strip(), total_budget=total_budget, owner=owner)
    save(plan, by=by)
    return plan


@transaction.atomic
def plan_update(*, plan: CarePlan, by, **fields) -> CarePlan:
    """Edit a plan's title, owner and, until it is approved, its budget."""
    check_fields(fields, PLAN_FIELDS)
    current = _locked(plan)
    refuse_closed(current)
    if "total_budget" in fields and current.budget_locked and Decimal(fields["total_budget"]) != current.total_budget:
        # The approved budget is what the manager signed: it moves only with a recorded reason.
        raise ValidationError(
            {"total_budget": _("The plan is approved: change its budget through a budget revision, with a reason.")}
        )
    for name, value in fields.items():
        setattr(current, name, value.strip() if isinstance(value, str) else value)
    save(current, by=by)
    return current


@transaction.atomic
def plan_submit(*, plan: CarePlan, by) -> CarePlan:
    """Hand the draft to the manager for approval."""
    current = _locked(plan)
    _expect(current, CarePlan.Status.DRAFT)
    current.status = CarePlan.Status.SUBMITTED
    save(current, by=by, reason=_("Submitted for approval"))
    return current


@transaction.atomic
def plan_return(*, plan: CarePlan, by) -> CarePlan:
    """The manager sends a submitted plan back to draft."""
    current = _locked(plan)
    _expect(current, CarePlan.Status.SUBMITTED)
    current.status = CarePlan.Status.DRAFT
    save(current, by=by, reason=_("Sent back to draft"))
    return current


@transaction.atomic
def plan_approve(*, plan: CarePlan, by) -> CarePlan:
    """A manager approves a submitted plan; who and when are recorded, and its budget locks."""
    if not by.has_perm(APPROVE_PERMISSION):
        raise PermissionDenied(_("Only a manager approves a care plan."))
    current = _locked(plan)
    _expect(current, CarePlan.Status.SUBMITTED)
    if not CareActivity.objects.filter(plan=current).exclude(status=CareActivity.Status.CANCELLED).exists():
        raise ValidationError(_("A plan without activities cannot be approved: add its activities first."))
    current.status = CarePlan.Status.APPROVED
    current.approved_by = by
    current.approved_at = timezone.now()
    save(current, by=by, reason=_("Approved"))
    return current


@transaction.atomic
def plan_close(*, plan: CarePlan, by) -> CarePlan:
    """The year is over: the approved plan is closed and nothing in it changes any more."""
    current = _locked(plan)
    _expect(current, CarePlan.Status.APPROVED)
    current.status = CarePlan.Status.CLOSED
    save(current, by=by, reason=_("Closed"))
    return current


@transaction.atomic
def plan_budget_revise(
    *, plan: CarePlan, new_budget: Decimal, reason: str, by, activity: CareActivity | None = None
) -> BudgetRevision:
    """Change an approved plan's budget (or one of its activities' planned budget), recording from, to, why, who."""
    current = _locked(plan)
    _expect(current, CarePlan.Status.APPROVED)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the budget changes.")})
    if new_budget is None or Decimal(new_budget) < 0:
        raise ValidationError({"new_budget": _("A budget cannot be negative.")})
    new_budget = Decimal(new_budget)
    target = current
    if activity is not None:
        target = CareActivity.objects.select_for_update().get(pk=activity.pk)
        if target.plan_id != current.pk:
            raise ValidationError({"activity": _("This activity belongs to another plan.")})
    field = "planned_budget" if activity is not None else "total_budget"
    old = getattr(target, field)
    if old == new_budget:
        raise ValidationError({"new_budget": _("The budget is already %(amount)s.") % {"amount": old}})
    setattr(target, field, new_budget)
    save(target, by=by, reason=reason)
    revision = BudgetRevision(
        plan=current, activity=activity, old_budget=old, new_budget=new_budget, reason=reason, revised_by=by
    )
    revision.full_clean()
    revision.save()
    return revision
