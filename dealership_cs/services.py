"""Writes on the shared organisation: staff records and housekeeping."""

from __future__ import annotations

from datetime import timedelta
from importlib import import_module

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dealership_cs.errors import Conflict
from dealership_cs.models import ExportRecord, Staff
from dealership_cs.selectors import staff_records

STAFF_FIELDS = ("name", "department", "position", "employee_number", "phone", "active", "user", "notes")


@transaction.atomic
def staff_create(**fields) -> Staff:
    unknown = set(fields) - set(STAFF_FIELDS)
    if unknown:
        raise TypeError(f"Unknown staff fields: {sorted(unknown)}")
    staff = Staff(**fields)
    staff.full_clean()
    staff.save()
    return staff


@transaction.atomic
def staff_update(*, staff: Staff, **fields) -> Staff:
    unknown = set(fields) - set(STAFF_FIELDS)
    if unknown:
        raise TypeError(f"Unknown staff fields: {sorted(unknown)}")
    for name, value in fields.items():
        setattr(staff, name, value)
    staff.full_clean()
    staff.save()
    return staff


class StaffHasRecords(Conflict):
    """A staff member whom records name cannot be deleted; ``details["records"]`` says which."""

    code = "staff_has_records"


def _locked_staff(staff: Staff) -> Staff:
    # On PostgreSQL a row that is being inserted with a reference to this person holds a key-share
    # lock on it, so the check below and a new archive naming them cannot cross.
    return Staff.objects.select_for_update().get(pk=staff.pk)


def _stamp(staff: Staff, by) -> None:
    # Without ``by`` the history middleware names the request's user (or nobody, outside a request).
    if by is not None:
        staff._history_user = by


@transaction.atomic
def staff_delete(*, staff: Staff, by=None) -> None:
    """Delete a staff member whom no record names (a mistaken entry); anyone else is refused.

    People who have records are deactivated instead (``staff_deactivate``): archives, visits,
    discrepancies and their history keep showing who it was.
    """
    staff = _locked_staff(staff)
    records = staff_records(staff)
    if records:
        listed = "; ".join(f"{record.label}: {record.count}" for record in records)
        raise StaffHasRecords(
            _(
                "%(name)s cannot be deleted: records still name them (%(records)s). Deactivate them instead: "
                "they leave the choice lists and the records keep showing them."
            )
            % {"name": staff.name, "records": listed},
            details={"records": [{"model": r.model, "label": r.label, "count": r.count} for r in records]},
        )
    _stamp(staff, by)
    staff.delete()


@transaction.atomic
def staff_deactivate(*, staff: Staff, by=None) -> Staff:
    """Someone who left: out of every choice list from now on, still shown on the records that name them."""
    staff = _locked_staff(staff)
    if not staff.active:
        raise ValidationError(_("%(name)s is already inactive.") % {"name": staff.name}, code="inactive")
    staff.active = False
    _stamp(staff, by)
    staff._change_reason = _("Deactivated")
    staff.save(update_fields=["active", "updated_at"])
    return staff


@transaction.atomic
def staff_reactivate(*, staff: Staff, by=None) -> Staff:
    """Someone who is back: offered in the choice lists again."""
    staff = _locked_staff(staff)
    if staff.active:
        raise ValidationError(_("%(name)s is already active.") % {"name": staff.name}, code="active")
    staff.active = True
    _stamp(staff, by)
    staff._change_reason = _("Reactivated")
    staff.save(update_fields=["active", "updated_at"])
    return staff


def housekeeping_run(*, keep_login_log_days: int = 90) -> dict[str, int]:
    """Nightly clean-up: expired sessions and old login records. Safe to run any number of times."""
    from axes.models import AccessLog

    engine = import_module(settings.SESSION_ENGINE)
    engine.SessionStore.clear_expired()
    cutoff = timezone.now() - timedelta(days=keep_login_log_days)
    deleted, _ = AccessLog.objects.filter(attempt_time__lt=cutoff).delete()
    return {"access_logs_deleted": deleted}


@transaction.atomic
def export_record_create(
    *, kind: str, by, query_string: str, filters: dict, row_count: int, file_name: str
) -> ExportRecord:
    """Record that `by` exported `row_count` rows of the list `kind`, filtered by `query_string`, as `file_name`."""
    record = ExportRecord(
        kind=kind,
        exported_by=by if getattr(by, "pk", None) else None,
        query_string=query_string,
        filters=filters,
        row_count=row_count,
        file_name=file_name[: ExportRecord._meta.get_field("file_name").max_length],
    )
    record.full_clean()
    record.save()
    return record
