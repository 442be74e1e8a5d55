"""Celery tasks of the reports app: thin, named, each calls one service."""

from __future__ import annotations

from celery import shared_task

from reports.services import accuracy_reconcile


@shared_task(name="reports.accuracy_reconcile")
def accuracy_reconcile_task(freeze: bool = True) -> dict:
    """The nightly reconciliation (beat, 02:00), also sent by name after each OMD import.

    Safe to run twice: a second run changes nothing, and a run while another holds the lock
    returns at once (``ran`` false).
    """
    return accuracy_reconcile(freeze=freeze).as_dict()
