"""The nightly task, its schedule, its trigger after an OMD import, and `manage.py reconcile`."""

from __future__ import annotations

from datetime import date, timedelta
from io import StringIO
from unittest import mock

import pytest
from celery.exceptions import Retry
from celery.schedules import crontab
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import IntegrityError, transaction
from django.utils import timezone

from customers import tasks as customer_tasks
from customers.models import Discrepancy, OmdImport
from dealership_cs.celery import app as celery_app
from reports.models import AccuracyMonth, ReconcileRequest, ReconcileRun
from reports.services import accuracy_month_reopen, accuracy_reconcile_request, accuracy_reconcile_request_run
from reports.tasks import accuracy_reconcile_task
from reports.tests.helpers import AUGUST, make_archive, paired, run

pytestmark = pytest.mark.django_db
JULY = date(2011, 7, 1)


@pytest.fixture
def two_months():
    """A late invoice in July and a name mismatch in August (2011: long past both freeze days)."""
    july = make_archive(delivered=date(2011, 7, 10))
    paired(july, days_after=6)
    august = make_archive()
    paired(august, name="李娜")


def test_the_task_runs_the_nightly_reconciliation_and_a_second_call_changes_nothing(two_months):
    first = accuracy_reconcile_task()
    assert first == {
        "ran": True,
        "unchanged": False,
        "months": ["2011-07", "2011-08"],
        "frozen": ["2011-07", "2011-08"],
        "found": 2,
        "created": 2,
        "updated": 0,
        "closed": 0,
    }
    second = accuracy_reconcile_task()
    assert second == {
        "ran": True,
        "unchanged": False,
        "months": [],
        "frozen": [],
        "found": 0,
        "created": 0,
        "updated": 0,
        "closed": 0,
    }
    assert Discrepancy.objects.count() == 2


def test_the_task_without_freezing_is_idempotent_too(two_months):
    first = accuracy_reconcile_task(freeze=False)
    second = accuracy_reconcile_task(freeze=False)
    assert (first["created"], first["frozen"], first["unchanged"]) == (2, [], False)
    assert (second["found"], second["created"], second["updated"], second["closed"]) == (2, 0, 0, 0)
    assert second["unchanged"] is True
    assert not AccuracyMonth.objects.filter(frozen=True).exists()


def test_the_task_is_registered_under_its_name_and_scheduled_at_two_at_night():
    assert celery_app.tasks["reports.accuracy_reconcile"].name == accuracy_reconcile_task.name
    assert settings.CELERY_BEAT_SCHEDULE["accuracy-reconcile-nightly"] == {
        "task": "reports.accuracy_reconcile",
        "schedule": crontab(hour=2, minute=0),
    }
    assert settings.CELERY_TIMEZONE == "Asia/Shanghai"


def _import(status: str) -> OmdImport:
    now = timezone.now()  # a finished import has its end; a done one was confirmed (OmdImport's constraints)
    confirmed_at = now if status == OmdImport.Status.DONE else None
    return OmdImport.objects.create(
        file="omd/2011/09/omd.xlsx",
        file_name="omd.xlsx",
        sha256="0" * 64,
        status=status,
        confirmed_at=confirmed_at,
        finished_at=now,
    )


@pytest.mark.parametrize(("status", "sent"), [(OmdImport.Status.DONE, True), (OmdImport.Status.FAILED, False)])
def test_a_successful_omd_import_sends_the_reconciliation_once_committed(
    monkeypatch, django_capture_on_commit_callbacks, status, sent
):
    omd_import = _import(status)
    monkeypatch.setattr("customers.omd.service.omd_import_apply", lambda import_id: OmdImport.objects.get(pk=import_id))
    with mock.patch.object(customer_tasks.current_app, "send_task") as send_task:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            assert customer_tasks.omd_apply(omd_import.pk) == status
        send_task.assert_not_called()  # nothing leaves before the commit
        for callback in callbacks:
            callback()
    if sent:
        # By name: customers does not import reports. Only the nightly run freezes months.
        send_task.assert_called_once_with("reports.accuracy_reconcile", kwargs={"freeze": False})
    else:
        send_task.assert_not_called()


def test_the_sent_reconciliation_is_the_task_the_worker_knows(two_months):
    task = celery_app.tasks["reports.accuracy_reconcile"]
    assert task(freeze=False)["created"] == 2


# --- manage.py reconcile -----------------------------------------------------------------------


def test_the_command_reconciles_every_open_month_and_prints_what_it_did(two_months):
    out = StringIO()
    call_command("reconcile", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[-1] == "months=2 found=2 created=2 updated=0 closed=0 frozen=2011-07,2011-08"
    assert "2011-07, 2011-08" in lines[0]
    out = StringIO()
    call_command("reconcile", stdout=out)
    assert out.getvalue().splitlines()[-1] == "months=0 found=0 created=0 updated=0 closed=0 frozen=-"


def test_the_command_reconciles_one_month_without_freezing_it(two_months):
    out = StringIO()
    call_command("reconcile", "--month", "2011-08", stdout=out)
    assert out.getvalue().splitlines()[-1] == "months=1 found=1 created=1 updated=0 closed=0 frozen=-"
    assert list(AccuracyMonth.objects.values_list("month", "frozen")) == [(AUGUST, False)]


def _refused(*args: str) -> str:
    """Run the command expecting a refusal: manage.py prints the message on stderr and exits with its status 1."""
    with pytest.raises(CommandError) as refused:
        call_command(*args, stdout=StringIO())
    assert refused.value.returncode == 1
    return str(refused.value)


@pytest.mark.parametrize("month", ["2011-13", "August", "2011/08"])
def test_the_command_refuses_a_bad_month_with_exit_status_1(month, english):
    assert "YYYY-MM" in _refused("reconcile", "--month", month)


def test_the_command_refuses_a_frozen_month_until_it_is_reopened(two_months, admin_user, english):
    run(today=date(2011, 9, 20), freeze=True)
    assert AccuracyMonth.objects.get(month=JULY).frozen
    assert _refused("reconcile", "--month", "2011-07") == "2011-07 is frozen; an administrator must reopen it first."
    accuracy_month_reopen(month=JULY, by=admin_user)
    out = StringIO()
    call_command("reconcile", "--month", "2011-07", stdout=out)
    assert out.getvalue().splitlines()[-1].startswith("months=1 ")


def test_the_command_says_so_when_another_run_holds_the_lock(two_months, lock_held_elsewhere, english):
    assert "Another reconciliation is running" in _refused("reconcile")
    assert not Discrepancy.objects.exists()


# --- "reconcile now" -------------------------------------------------------------------------------


def _request(admin_user, month=AUGUST, today=date(2011, 9, 3)):
    with mock.patch("reports.tasks.accuracy_reconcile_task.delay"):
        return accuracy_reconcile_request(month=month, by=admin_user, today=today)


def test_a_request_is_sent_to_the_worker_only_after_commit(admin_user, django_capture_on_commit_callbacks):
    with mock.patch("reports.tasks.accuracy_reconcile_task.delay") as delay:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            request = accuracy_reconcile_request(month=date(2011, 8, 17), by=admin_user, today=date(2011, 9, 3))
        delay.assert_not_called()
        for callback in callbacks:
            callback()
    delay.assert_called_once_with(request_id=request.pk)
    assert (request.month, request.status, request.requested_by) == (AUGUST, "queued", admin_user)


def test_the_requested_run_reconciles_its_month_unfrozen_and_a_second_call_does_nothing(
    two_months, admin_user, english
):
    request = _request(admin_user)
    outcome = accuracy_reconcile_task(request_id=request.pk)
    assert outcome == {"request": request.pk, "month": "2011-08", "status": "done"}
    request.refresh_from_db()
    assert request.started_at is not None and request.finished_at >= request.started_at
    assert request.message == "found=1 created=1 updated=0 closed=0"
    # Only August, and it stays open although its freeze day passed long ago.
    assert list(AccuracyMonth.objects.values_list("month", "frozen")) == [(AUGUST, False)]
    assert Discrepancy.objects.count() == 1
    again = accuracy_reconcile_task(request_id=request.pk)
    assert again["status"] == "done" and ReconcileRun.objects.count() == 1


def test_a_request_waits_while_another_reconciliation_runs_and_fails_after_the_last_attempt(
    two_months, admin_user, lock_held_elsewhere, english
):
    request = _request(admin_user)
    with pytest.raises(Retry):
        accuracy_reconcile_task(request_id=request.pk)
    request.refresh_from_db()
    assert (request.status, request.started_at) == ("queued", None)
    request = accuracy_reconcile_request_run(request_id=request.pk, last_attempt=True)
    assert request.status == "failed" and "Another reconciliation kept running" in request.message
    assert not Discrepancy.objects.exists()


def test_a_month_frozen_after_the_request_fails_it_with_the_reason(two_months, admin_user, english):
    request = _request(admin_user)
    run(today=date(2011, 9, 20), freeze=True)
    assert accuracy_reconcile_task(request_id=request.pk)["status"] == "failed"
    request.refresh_from_db()
    assert request.message == "2011-08 is frozen; an administrator must reopen it first."


def test_asking_again_while_a_request_waits_returns_it_and_a_lost_one_is_replaced(admin_user):
    first = _request(admin_user)
    assert _request(admin_user).pk == first.pk
    # A request nobody finished within the hour (its worker was lost) is failed and asked again.
    ReconcileRequest.objects.filter(pk=first.pk).update(requested_at=timezone.now() - timedelta(hours=2))
    second = _request(admin_user)
    first.refresh_from_db()
    assert second.pk != first.pk and (first.status, second.status) == ("failed", "queued")


def test_requests_for_frozen_or_future_months_are_refused(two_months, admin_user, english):
    run(today=date(2011, 9, 20), freeze=True)
    with pytest.raises(ValidationError, match="2011-08 is frozen"):
        _request(admin_user)
    with pytest.raises(ValidationError, match="2011-10 has not begun"):
        _request(admin_user, month=date(2011, 10, 1), today=date(2011, 9, 20))
    assert not ReconcileRequest.objects.exists()


def test_one_request_waits_or_runs_per_month(admin_user):
    request = _request(admin_user)
    with pytest.raises(IntegrityError), transaction.atomic():
        ReconcileRequest.objects.create(month=request.month, requested_at=timezone.now())
    with pytest.raises(IntegrityError), transaction.atomic():
        ReconcileRequest.objects.filter(pk=request.pk).update(status="running")  # running needs started_at


def test_two_administrators_pressing_at_once_make_one_request(admin_user):
    competing = []

    def other_press_lands_first(request, *args, **kwargs):
        # The other administrator's request is inserted between this one's check and its insert.
        competing.append(ReconcileRequest.objects.create(month=request.month, requested_at=timezone.now()))

    with mock.patch.object(ReconcileRequest, "full_clean", other_press_lands_first):
        request = _request(admin_user)
    assert request.pk == competing[0].pk and ReconcileRequest.objects.count() == 1
