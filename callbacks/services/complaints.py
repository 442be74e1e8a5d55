"""Every way a complaint changes: opened (from a call or at the desk), moved along its flow, resolved."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from callbacks.models import Complaint, ComplaintDeadline, ComplaintSeverity


def _deadlines(severity: str, opened_at: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    rule = ComplaintDeadline.objects.filter(severity=severity).first()
    response_hours = rule.response_hours if rule else 24
    resolution_hours = rule.resolution_hours if rule else 72
    return opened_at + dt.timedelta(hours=response_hours), opened_at + dt.timedelta(hours=resolution_hours)


def _save(complaint: Complaint, *, by) -> Complaint:
    complaint._history_user = by
    complaint.full_clean()
    complaint.save()
    return complaint


@transaction.atomic
def complaint_open(
    *,
    customer,
    description: str,
    department: str,
    vehicle=None,
    source: str = Complaint.Source.CALLBACK,
    category: str = "",
    severity: str = ComplaintSeverity.MEDIUM,
    owner=None,
    attempt=None,
    by=None,
) -> Complaint:
    """Open a complaint with its response (24 h) and resolution deadlines from its severity."""
    if not (description or "").strip():
        raise ValidationError({"description": _("Describe the complaint.")})
    opened_at = timezone.now()
    response_due, resolution_due = _deadlines(severity, opened_at)
    complaint = Complaint(
        customer=customer,
        vehicle=vehicle,
        source=source,
        department=department,
        category=category.strip(),
        severity=severity,
        description=description.strip(),
        owner=owner,
        attempt=attempt,
        opened_at=opened_at,
        opened_by=by,
        response_due_at=response_due,
        resolution_due_at=resolution_due,
    )
    return _save(complaint, by=by)


@transaction.atomic
def complaint_advance(
    *, complaint: Complaint, status: str, by, resolution: str = "", owner=None, note: str = ""
) -> Complaint:
    """Move a complaint along its flow; resolving needs the resolution text."""
    complaint = Complaint.objects.select_for_update().get(pk=complaint.pk)
    if status not in Complaint.Status.values:
        raise ValidationError({"status": _("“%(status)s” is not a complaint status.") % {"status": status}})
    if status not in Complaint.FLOW[complaint.status]:
        raise ValidationError(
            {
                "status": _("A complaint that is %(current)s cannot become %(next)s.")
                % {"current": complaint.get_status_display(), "next": Complaint.Status(status).label}
            }
        )
    now = timezone.now()
    if owner is not None:
        complaint.owner = owner
    if status == Complaint.Status.RESOLVED:
        resolution = (resolution or "").strip()
        if not resolution:
            raise ValidationError({"resolution": _("Say how the complaint was resolved.")})
        complaint.resolution, complaint.resolved_at = resolution, now
    if status in (Complaint.Status.ACKNOWLEDGED, Complaint.Status.IN_PROGRESS) and complaint.acknowledged_at is None:
        complaint.acknowledged_at = now
    if status == Complaint.Status.IN_PROGRESS and complaint.status == Complaint.Status.RESOLVED:
        # Reopened: the earlier resolution did not hold.
        complaint.resolved_at = None
    complaint.status = status
    if note:
        complaint._change_reason = note[:100]
    _save(complaint, by=by)
    if status == Complaint.Status.RESOLVED:
        from callbacks.services.generation import complaint_followup_queue

        complaint_followup_queue(complaint=complaint)
    return complaint
