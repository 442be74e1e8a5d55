"""OmdImport's state machine on the model: one status per state, each tied to its fields by a named constraint."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from customers.models import OmdImport

Status = OmdImport.Status


def _import(**fields) -> OmdImport:
    return OmdImport.objects.create(file_name="omd.xlsx", sha256="0" * 64, **fields)


NOW = timezone.now()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("fields", "constraint"),
    [
        ({"status": "waiting"}, "omdimport_status_known"),
        ({"status": Status.CONFIRMED}, "omdimport_confirmed_states_confirmed"),
        ({"status": Status.DONE, "finished_at": NOW}, "omdimport_confirmed_states_confirmed"),
        ({"status": Status.QUEUED, "confirmed_at": NOW}, "omdimport_early_states_unconfirmed"),
        ({"status": Status.PREVIEWED, "confirmed_at": NOW}, "omdimport_early_states_unconfirmed"),
        ({"status": Status.FAILED, "dry_run": True, "confirmed_at": NOW, "finished_at": NOW}, "check_only"),
        ({"status": Status.VALIDATING}, "omdimport_running_has_heartbeat"),
        ({"status": Status.IMPORTING, "confirmed_at": NOW}, "omdimport_running_has_heartbeat"),
        ({"status": Status.CANCELLED}, "omdimport_finished_iff_finished_at"),
        ({"status": Status.PREVIEWED, "finished_at": NOW}, "omdimport_finished_iff_finished_at"),
        ({"status": Status.QUEUED, "progress": 101}, "omdimport_progress_percent"),
    ],
    ids=lambda value: value if isinstance(value, str) else None,
)
def test_a_state_without_the_fields_it_implies_is_refused_by_its_named_constraint(fields, constraint):
    with pytest.raises(IntegrityError, match=constraint):
        with transaction.atomic():
            _import(**fields)


@pytest.mark.django_db
def test_the_states_an_import_goes_through_are_accepted():
    for fields in (
        {"status": Status.QUEUED},
        {"status": Status.VALIDATING, "heartbeat_at": NOW},
        {"status": Status.PREVIEWED},
        {"status": Status.CONFIRMED, "confirmed_at": NOW},
        {"status": Status.IMPORTING, "confirmed_at": NOW, "heartbeat_at": NOW},
        {"status": Status.DONE, "confirmed_at": NOW, "finished_at": NOW},
        {"status": Status.FAILED, "finished_at": NOW},
        {"status": Status.CANCELLED, "confirmed_at": NOW, "finished_at": NOW},
    ):
        _import(**fields)
    assert OmdImport.objects.count() == 8


def test_claims_and_staleness_are_defined_on_the_model(settings):
    assert OmdImport.CLAIMED_FROM == {Status.VALIDATING: Status.QUEUED, Status.IMPORTING: Status.CONFIRMED}
    settings.OMD_IMPORT_STALE_SECONDS = 120
    fresh = OmdImport(status=Status.IMPORTING, heartbeat_at=timezone.now() - timedelta(seconds=60))
    stale = OmdImport(status=Status.IMPORTING, heartbeat_at=timezone.now() - timedelta(seconds=180))
    assert (fresh.stuck, fresh.cancellable, stale.stuck, stale.cancellable) == (False, False, True, True)
    assert OmdImport(status=Status.CONFIRMED).cancellable and not OmdImport(status=Status.DONE).cancellable


@pytest.mark.django_db(transaction=True)
def test_the_migration_splits_queued_into_queued_and_confirmed_and_fills_the_new_fields():
    before, after = [("customers", "0006_leaner_indexes")], [("customers", "0007_omdimport_states_heartbeat_reverts")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps.get_model("customers", "OmdImport")
    now = timezone.now()
    rows = {
        "waiting_for_check": old.objects.create(file_name="a.xlsx", sha256="a", status="queued"),
        "waiting_for_import": old.objects.create(file_name="b.xlsx", sha256="b", status="queued", confirmed_at=now),
        "validating": old.objects.create(file_name="c.xlsx", sha256="c", status="validating", started_at=now),
        "done_without_end": old.objects.create(file_name="d.xlsx", sha256="d", status="done", confirmed_at=now),
    }

    executor = MigrationExecutor(connection)
    executor.migrate(after)
    new = executor.loader.project_state(after).apps.get_model("customers", "OmdImport")
    migrated = {name: new.objects.get(pk=row.pk) for name, row in rows.items()}

    assert migrated["waiting_for_check"].status == "queued"
    assert (migrated["waiting_for_import"].status, migrated["waiting_for_import"].confirmed_at) == ("confirmed", now)
    assert (migrated["validating"].status, migrated["validating"].heartbeat_at) == ("validating", now)
    assert migrated["done_without_end"].finished_at is not None

    MigrationExecutor(connection).migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
