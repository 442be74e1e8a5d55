"""Writes on the shared organisation: staff records and housekeeping."""

from __future__ import annotations

from datetime import timedelta
from importlib import import_module

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from dealership_cs.models import Staff

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


def housekeeping_run(*, keep_login_log_days: int = 90) -> dict[str, int]:
    """Nightly clean-up: expired sessions and old login records. Safe to run any number of times."""
    from axes.models import AccessLog

    engine = import_module(settings.SESSION_ENGINE)
    engine.SessionStore.clear_expired()
    cutoff = timezone.now() - timedelta(days=keep_login_log_days)
    deleted, _ = AccessLog.objects.filter(attempt_time__lt=cutoff).delete()
    return {"access_logs_deleted": deleted}
