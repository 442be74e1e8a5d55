"""Every way an invitation changes: a segment invited, a reply, a check-in (and its undo), a walk-in, feedback.

Inviting is set-based: three statements whatever the segment's size. The invitations are inserted
straight from the segment's query (``INSERT … SELECT … ON CONFLICT DO NOTHING``: the unique
(activity, customer) constraint, not a read beforehand, makes a second invite of the same customer
create nothing, even when two people invite at once); their ``invitation`` calls are inserted from
the new invitations; each invitation is linked to its call by a join key (the customer, the batch's
time stamp and the activity's date).

When an invitation call is due: from the day of the invite (plus the rule's due days), and it
expires after the rule's expiry days or on the activity's first day, whichever comes first; a call
made after the activity started would invite to something already under way.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import CharField, DateField, DateTimeField, F, IntegerField, OuterRef, Subquery, Value
from django.utils import timezone
from django.utils.translation import gettext as _

from callbacks.models import CallbackKind, CallbackRule, CallbackTask, CallOutcome
from care_events.models import CareActivity, Invitation
from care_events.selectors_invitations import Segment, invitable_customers, invitation_vehicle, segment_counts
from care_events.services.activities import kpi_refresh
from customers.models import Customer

INVITING_STATUSES = (CareActivity.Status.PLANNED, CareActivity.Status.PREPARING)
CHECK_IN_STATUSES = (CareActivity.Status.PREPARING, CareActivity.Status.RUNNING, CareActivity.Status.DONE)


@dataclass(frozen=True)
class InviteResult:
    invited: int
    already_invited: int
    do_not_call: int


def _refresh_kpis(activity: CareActivity) -> None:
    # The attendance and satisfaction KPIs fill themselves from the invitations.
    kpi_refresh(activity)


def _insert_select(queryset, model, columns: list[str]) -> int:
    """``INSERT INTO model (columns) SELECT … FROM (queryset) … ON CONFLICT DO NOTHING``; rows inserted.

    ``queryset`` selects annotations named ``x_<column>`` in the order of ``columns``; the outer
    SELECT names them, so the column order never depends on how Django orders a SELECT list.
    """
    sql, params = queryset.values(*[f"x_{c}" for c in columns]).query.sql_with_params()
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    names = ", ".join(quote(model._meta.get_field(c).column) for c in columns)
    picked = ", ".join(f"s.{quote('x_' + c)}" for c in columns)
    # "WHERE true" lets SQLite tell the upsert clause from a join's ON.
    statement = f"INSERT INTO {table} ({names}) SELECT {picked} FROM ({sql}) s WHERE true ON CONFLICT DO NOTHING"
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return max(cursor.rowcount, 0)


def _call_dates(rule: CallbackRule, activity: CareActivity, today: dt.date) -> tuple[dt.date, dt.date]:
    due = min(today + dt.timedelta(days=rule.due_after_days), activity.starts_on)
    expires = max(due, min(today + dt.timedelta(days=rule.expires_after_days), activity.starts_on))
    return due, expires


def _invite(*, activity: CareActivity, segment: Segment, by, today: dt.date) -> InviteResult:
    counts = segment_counts(activity=activity, segment=segment, today=today)
    if counts["matched"] == 0:
        raise ValidationError(_("No customer matches this segment: nobody was invited. Widen the criteria."))
    rule = CallbackRule.objects.filter(kind=CallbackKind.INVITATION).first()
    if rule is None:
        raise ValidationError(_("There is no callback rule for invitations: an administrator must add one."))
    stamp = timezone.now()
    candidates = invitable_customers(activity=activity, segment=segment, today=today).annotate(
        x_activity=Value(activity.pk, output_field=IntegerField()),
        x_customer=F("pk"),
        x_vehicle=invitation_vehicle(segment),
        x_invited_at=Value(stamp, output_field=DateTimeField()),
        x_invited_by=Value(by.pk if by else None, output_field=IntegerField()),
        x_reply=Value(Invitation.Reply.PENDING, output_field=CharField()),
        x_feedback=Value("", output_field=CharField()),
    )
    invited = _insert_select(
        candidates,
        Invitation,
        ["activity", "customer", "vehicle", "invited_at", "invited_by", "reply", "feedback"],
    )
    if invited:
        due, expires = _call_dates(rule, activity, today)
        batch = Invitation.objects.filter(activity=activity, invited_at=stamp, task__isnull=True)
        calls = batch.annotate(
            x_kind=Value(CallbackKind.INVITATION, output_field=CharField()),
            x_customer=F("customer_id"),
            x_vehicle=F("vehicle_id"),
            x_rule=Value(rule.pk, output_field=IntegerField()),
            x_event_date=Value(activity.starts_on, output_field=DateField()),
            x_due_date=Value(due, output_field=DateField()),
            x_expires_on=Value(expires, output_field=DateField()),
            x_status=Value(CallbackTask.Status.OPEN, output_field=CharField()),
            x_attempt_count=Value(0, output_field=IntegerField()),
            x_last_outcome=Value("", output_field=CharField()),
            x_created_at=Value(stamp, output_field=DateTimeField()),
        )
        _insert_select(
            calls,
            CallbackTask,
            [
                "kind",
                "customer",
                "vehicle",
                "rule",
                "event_date",
                "due_date",
                "expires_on",
                "status",
                "attempt_count",
                "last_outcome",
                "created_at",
            ],
        )
        # The join key: one invitation per customer and activity, one call per invitation of this batch.
        own_call = CallbackTask.objects.filter(
            kind=CallbackKind.INVITATION,
            customer_id=OuterRef("customer_id"),
            created_at=stamp,
            event_date=activity.starts_on,
        ).values("pk")[:1]
        batch.update(task_id=Subquery(own_call))
    return InviteResult(
        invited=invited,
        already_invited=counts["already_invited"],
        do_not_call=counts["do_not_call"],
    )


def _locked_activity(activity: CareActivity) -> CareActivity:
    # Invites, walk-ins and check-ins of one activity take turns: counts stay honest under concurrency.
    return CareActivity.objects.select_for_update().get(pk=activity.pk)


@transaction.atomic
def activity_invite(*, activity: CareActivity, segment: Segment, by) -> InviteResult:
    """Invite the segment's callable customers not invited yet: one invitation and one invitation call each."""
    activity = _locked_activity(activity)
    today = timezone.localdate()
    if activity.status not in INVITING_STATUSES:
        raise ValidationError(
            _("This activity is %(status)s: only planned or preparing activities invite customers.")
            % {"status": activity.get_status_display()}
        )
    if activity.starts_on < today:
        raise ValidationError(_("This activity has already started: add walk-ins at the check-in instead."))
    return _invite(activity=activity, segment=segment, by=by, today=today)


def _set_reply(invitation: Invitation, reply: str, by, reason: str) -> Invitation:
    if reply not in Invitation.Reply.values or reply == Invitation.Reply.PENDING:
        message = _("“%(reply)s” is not a reply: coming, not coming or no answer.") % {"reply": reply}
        raise ValidationError({"reply": message})
    invitation.reply = reply
    invitation.replied_at = timezone.now()
    invitation._history_user = by
    invitation._change_reason = reason
    invitation.save(update_fields=["reply", "replied_at"])
    return invitation


@transaction.atomic
def invitation_reply(*, invitation: Invitation, reply: str, by) -> Invitation:
    """Record the customer's reply (told at the desk or on the phone outside the callback desk)."""
    invitation = Invitation.objects.select_for_update().select_related("activity").get(pk=invitation.pk)
    if invitation.activity.status == CareActivity.Status.CANCELLED:
        raise ValidationError(_("This activity was cancelled: replies are no longer recorded."))
    return _set_reply(invitation, reply, by, "reply at the desk")


def invitation_reply_from_call(logged, extra: dict) -> None:
    """The callback desk's hook: runs inside ``attempt_log``'s transaction for an ``invitation`` call."""
    invitation = Invitation.objects.select_for_update().filter(task_id=logged.task.pk).first()
    if invitation is None:
        return
    reply = (extra or {}).get("reply") or ""
    if reply:
        _set_reply(invitation, reply, logged.attempt.agent, "reply on the invitation call")
    elif logged.task.status == CallbackTask.Status.UNREACHABLE and invitation.reply == Invitation.Reply.PENDING:
        # The last try went unanswered: the invitation's answer is "no answer".
        _set_reply(invitation, Invitation.Reply.NO_ANSWER, logged.attempt.agent, "unreachable after the last try")
    elif logged.attempt.outcome == CallOutcome.REFUSED:
        _set_reply(invitation, Invitation.Reply.NOT_COMING, logged.attempt.agent, "refused on the invitation call")
    elif logged.attempt.outcome == CallOutcome.CONFIRMED:
        raise ValidationError({"reply": _("Say whether the customer is coming.")})


def _checkable(invitation: Invitation) -> Invitation:
    invitation = Invitation.objects.select_for_update().select_related("activity").get(pk=invitation.pk)
    if invitation.activity.status not in CHECK_IN_STATUSES:
        raise ValidationError(
            _("This activity is %(status)s: check-in is open while it is preparing, running or done.")
            % {"status": invitation.activity.get_status_display()}
        )
    return invitation


@transaction.atomic
def invitation_check_in(*, invitation: Invitation, by) -> Invitation:
    """The customer arrived: checked in now (checking in twice keeps the first time)."""
    invitation = _checkable(invitation)
    if invitation.checked_in_at is None:
        invitation.checked_in_at = timezone.now()
        if invitation.reply != Invitation.Reply.COMING:
            # Being there is the clearest reply there is.
            invitation.reply, invitation.replied_at = Invitation.Reply.COMING, invitation.replied_at or timezone.now()
        invitation._history_user = by
        invitation._change_reason = "checked in"
        invitation.save(update_fields=["checked_in_at", "reply", "replied_at"])
        _refresh_kpis(invitation.activity)
    return invitation


@transaction.atomic
def invitation_check_in_undo(*, invitation: Invitation, by) -> Invitation:
    """A check-in tapped by mistake is taken back (with its feedback, which only an attendee gives)."""
    invitation = _checkable(invitation)
    if invitation.checked_in_at is None:
        raise ValidationError(_("This customer is not checked in."))
    invitation.checked_in_at = None
    invitation.satisfaction, invitation.feedback = None, ""
    invitation._history_user = by
    invitation._change_reason = "check-in undone"
    invitation.save(update_fields=["checked_in_at", "satisfaction", "feedback"])
    _refresh_kpis(invitation.activity)
    return invitation


@transaction.atomic
def invitation_walk_in(*, activity: CareActivity, customer: Customer, by) -> Invitation:
    """A customer who came without an invitation: invited and checked in at once (no call to make)."""
    activity = _locked_activity(activity)
    if activity.status not in CHECK_IN_STATUSES:
        raise ValidationError(
            _("This activity is %(status)s: check-in is open while it is preparing, running or done.")
            % {"status": activity.get_status_display()}
        )
    existing = Invitation.objects.filter(activity=activity, customer=customer).first()
    if existing is not None:
        return invitation_check_in(invitation=existing, by=by)
    now = timezone.now()
    vehicle = customer.vehicles.order_by("-delivery_date", "-id").first()
    invitation = Invitation(
        activity=activity,
        customer=customer,
        vehicle=vehicle,
        invited_at=now,
        invited_by=by,
        reply=Invitation.Reply.COMING,
        replied_at=now,
        checked_in_at=now,
    )
    invitation.full_clean()
    invitation._history_user = by
    invitation._change_reason = "walk-in"
    invitation.save()
    _refresh_kpis(activity)
    return invitation


@transaction.atomic
def invitation_feedback(*, invitation: Invitation, satisfaction: int | None, feedback: str = "", by) -> Invitation:
    """An attendee's satisfaction (1–5) and note."""
    invitation = _checkable(invitation)
    if invitation.checked_in_at is None:
        raise ValidationError(_("Only a customer who attended gives feedback: check them in first."))
    if satisfaction is not None and (isinstance(satisfaction, bool) or satisfaction not in range(1, 6)):
        raise ValidationError({"satisfaction": _("Satisfaction is a whole number from 1 to 5.")})
    invitation.satisfaction = satisfaction
    invitation.feedback = (feedback or "").strip()
    invitation.full_clean()
    invitation._history_user = by
    invitation._change_reason = "feedback"
    invitation.save(update_fields=["satisfaction", "feedback"])
    _refresh_kpis(invitation.activity)
    return invitation
