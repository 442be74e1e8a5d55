"""Celery tasks of the customers app: thin, named, take ids, call one service."""

from __future__ import annotations

from celery import shared_task
from django.db import transaction


@shared_task(name="customers.omd_validate")
def omd_validate(import_id: int) -> str:
    from customers.omd.service import omd_import_validate

    return omd_import_validate(import_id=import_id).status


@shared_task(name="customers.omd_apply")
def omd_apply(import_id: int) -> str:
    from customers.omd.service import omd_import_apply

    return omd_import_apply(import_id=import_id).status


def schedule_omd_validate(import_id: int) -> None:
    """Send the validation to a worker once the upload is committed (the worker must see the row)."""
    transaction.on_commit(lambda: omd_validate.delay(import_id))


def schedule_omd_apply(import_id: int) -> None:
    transaction.on_commit(lambda: omd_apply.delay(import_id))
