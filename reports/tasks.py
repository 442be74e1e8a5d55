"""Celery tasks of the reports app: thin, named, each calls one service."""

from __future__ import annotations

from celery import shared_task

from reports.models import ReconcileRequest
from reports.services import accuracy_reconcile, accuracy_reconcile_request_run

# An administrator's request waits this long for a running reconciliation to finish before failing.
REQUEST_RETRIES = 30
REQUEST_RETRY_DELAY = 60  # seconds


@shared_task(name="reports.accuracy_reconcile", bind=True, max_retries=REQUEST_RETRIES)
def accuracy_reconcile_task(self, freeze: bool = True, request_id: int | None = None) -> dict:
    """The nightly reconciliation (beat, 02:00), also sent by name after each OMD import.

    With ``request_id``: an administrator's "reconcile now" for one open month (never freezing it),
    retried while another reconciliation holds the lock. Safe to run twice: a second run changes
    nothing, a request already claimed is left to its worker, and a run while another holds the
    lock returns at once (``ran`` false).
    """
    if request_id is None:
        return accuracy_reconcile(freeze=freeze).as_dict()
    request = accuracy_reconcile_request_run(
        request_id=request_id, last_attempt=self.request.retries >= REQUEST_RETRIES
    )
    if request.status == ReconcileRequest.Status.QUEUED:
        raise self.retry(countdown=REQUEST_RETRY_DELAY)
    return {"request": request.pk, "month": f"{request.month:%Y-%m}", "status": request.status}
