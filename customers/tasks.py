"""Celery tasks of the customers app: thin, named, take ids, call one service."""

from __future__ import annotations

from celery import current_app, shared_task
from django.db import transaction


@shared_task(name="customers.omd_validate")
def omd_validate(import_id: int) -> str:
    from customers.omd.service import omd_import_validate

    return omd_import_validate(import_id=import_id).status


@shared_task(name="customers.omd_apply")
def omd_apply(import_id: int) -> str:
    from customers.models import OmdImport
    from customers.omd.service import omd_import_apply

    omd_import = omd_import_apply(import_id=import_id)
    if omd_import.status == OmdImport.Status.DONE:
        schedule_accuracy_reconcile()
    return omd_import.status


@shared_task(name="customers.omd_prune_staged")
def omd_prune_staged() -> dict:
    from customers.omd.service import omd_staged_rows_prune

    return omd_staged_rows_prune()


@shared_task(name="customers.omd_requeue_stale")
def omd_requeue_stale() -> dict:
    from customers.omd.service import omd_imports_requeue_stale

    return omd_imports_requeue_stale()


def schedule_omd_validate(import_id: int) -> None:
    """Send the validation to a worker once the upload is committed (the worker must see the row)."""
    transaction.on_commit(lambda: omd_validate.delay(import_id))


def schedule_omd_apply(import_id: int) -> None:
    transaction.on_commit(lambda: omd_apply.delay(import_id))


def send_omd_step(import_id: int, waiting: str) -> None:
    """Send the task of the step an import waits for (queued: validation, confirmed: import), once committed."""
    from customers.models import OmdImport

    if waiting == OmdImport.Status.QUEUED:
        schedule_omd_validate(import_id)
    else:
        schedule_omd_apply(import_id)


def schedule_accuracy_reconcile() -> None:
    """Have a worker reconcile the archives with the invoices just imported, once committed.

    The job belongs to the reports app and is sent by name (customers does not import reports).
    It does not freeze months: only the nightly run does, so a month an administrator reopened
    stays open for the day's corrections.
    """
    transaction.on_commit(lambda: current_app.send_task("reports.accuracy_reconcile", kwargs={"freeze": False}))
