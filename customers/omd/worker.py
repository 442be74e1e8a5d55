"""The worker steps of an OMD import, and what keeps them safe to kill.

A step claims the import with a conditional UPDATE from its waiting state to its running state
(`OmdImport.CLAIMED_FROM`: queued → validating, confirmed → importing), so a task delivered
twice finds nothing to claim. While it works, a thread of its own beats the import's
`heartbeat_at` every OMD_IMPORT_HEARTBEAT_SECONDS, on a connection of its own, so the beat goes
on through the long statements of the import itself. A worker killed in the middle (the whole
process, SIGKILL, a machine gone) stops beating: every OMD_IMPORT_SWEEP_SECONDS,
`omd_imports_requeue_stale` hands an import not heard of for OMD_IMPORT_STALE_SECONDS back to
its waiting state and sends its task again, or fails it with a message once it has been claimed
`OmdImport.MAX_ATTEMPTS` times. The broker would only redeliver the task after its visibility
timeout (an hour).

On PostgreSQL the worker also holds a session advisory lock on the import while it works: the
lock lives exactly as long as the worker's database session, so the sweeper and a cancelling
administrator leave alone an import whose worker is still connected, however late its beat.
The import step writes everything in one transaction under `pg_advisory_xact_lock`, which
serialises OMD upserts (SQLite's write lock is global anyway): a killed worker leaves no
half-imported batch, and two uploads of the same file give one set of rows. A step whose import
was taken from it meanwhile (cancelled, handed back) rolls back what it was writing.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

from django.conf import settings
from django.db import Error as DbError
from django.db import connection, connections, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from customers.models import OmdImport
from customers.omd.apply import apply_plan
from customers.omd.frozen import frozen_months
from customers.omd.plan import classify
from customers.omd.stage import ImportNoLongerRunning, delete_staged_rows, stage_file
from dealership_cs.spreadsheets import SpreadsheetRefused

logger = logging.getLogger(__name__)

Status = OmdImport.Status

# Advisory lock keys (PostgreSQL). The single-bigint key serialises all OMD upserts; the
# two-int keys (namespace, import id) mark the worker busy on one import. PostgreSQL keeps the
# two key spaces apart.
UPSERT_LOCK_KEY = 0x4F4D44_01
WORKER_LOCK_NAMESPACE = 0x4F4D44


# --- Claims, heartbeat, failures --------------------------------------------------------------


@contextmanager
def worker_lock(import_id: int) -> Iterator[bool]:
    """True when no live worker holds the import (always on SQLite); held until the block ends."""
    if connection.vendor != "postgresql":
        yield True
        return
    key = (WORKER_LOCK_NAMESPACE, import_id & 0x7FFFFFFF)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", key)
        locked = cursor.fetchone()[0]
    try:
        yield locked
    finally:
        if locked:
            try:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_unlock(%s, %s)", key)
            except DbError:  # the connection is gone, and the lock with it
                logger.warning("OMD import %s: could not release the worker lock", import_id, exc_info=True)


def _claim(import_id: int, running: str, **changes) -> bool:
    """Move the import from the waiting state of `running` to it, counting the attempt; True if this call did it."""
    now = timezone.now()
    return bool(
        OmdImport.objects.claimable(running)
        .filter(pk=import_id)
        .update(status=running, attempts=F("attempts") + 1, message="", heartbeat_at=now, started_at=now, **changes)
    )


@contextmanager
def heartbeat(import_id: int, running: str) -> Iterator[None]:
    """Beat the import's heartbeat from a thread of its own while the block runs.

    The thread has its own database connection (Django's are per thread) and commits each beat at
    once, so it beats while the worker's own transaction is busy. A beat that fails (SQLite's write
    lock held by the import's transaction) is skipped; the next one tries again.
    """
    stop = threading.Event()
    interval = settings.OMD_IMPORT_HEARTBEAT_SECONDS

    def beat() -> None:
        try:
            while not stop.wait(interval):
                try:
                    OmdImport.objects.filter(pk=import_id, status=running).update(heartbeat_at=timezone.now())
                except DbError as exc:  # e.g. SQLite's write lock, held by the import's own transaction
                    logger.info("OMD import %s: a heartbeat could not be written (%s)", import_id, exc)
        finally:
            connections.close_all()  # this thread's connections only

    thread = threading.Thread(target=beat, name=f"omd-heartbeat-{import_id}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def _finish(import_id: int, running: str, **changes) -> None:
    """Leave the running state (in the caller's transaction); raise if the import was taken away meanwhile."""
    if not OmdImport.objects.filter(pk=import_id, status=running).update(**changes):
        raise ImportNoLongerRunning(import_id)


def _fail(import_id: int, running: str, message: str) -> None:
    with transaction.atomic():
        if running == Status.VALIDATING:
            delete_staged_rows(import_id)  # a failed validation leaves nothing staged
        OmdImport.objects.filter(pk=import_id, status=running).update(
            status=Status.FAILED, message=message, finished_at=timezone.now()
        )


def _drop_file(omd_import: OmdImport) -> None:
    """Delete a refused upload's file, keeping the import and its reason.

    A hostile or unreadable file is of no further use (a failed import is never run again) and
    may be large: a dozen refusals, a zip bomb among them, kept 48 MB under DATA_DIR.
    """
    name = omd_import.file.name
    if not name:
        return
    OmdImport.objects.filter(pk=omd_import.pk).update(file="")
    try:
        omd_import.file.storage.delete(name)
    except OSError:
        logger.warning("OMD import %s: could not delete the refused file %s", omd_import.pk, name, exc_info=True)


def _unexpected(import_id: int, running: str, exc: Exception) -> None:
    logger.exception("OMD import %s stopped on an unexpected error", import_id)
    try:
        _fail(
            import_id,
            running,
            _("The import stopped on an unexpected error: %(error)s") % {"error": f"{type(exc).__name__}: {exc}"[:300]},
        )
    except DbError:
        # The database itself is the problem: the import stays running and the sweeper hands it back.
        logger.warning("OMD import %s: could not record the failure", import_id, exc_info=True)


def _format(timings: dict[str, float]) -> str:
    return ", ".join(f"{name} {seconds:.2f}s" for name, seconds in timings.items())


def _frozen_fields(counts) -> dict:
    return {"frozen_rows": counts.frozen_rows, "frozen_months": counts.frozen_months}


# --- Validate --------------------------------------------------------------------------------


def omd_import_validate(*, import_id: int) -> OmdImport:
    """Worker step 1: read and check the file into staged rows and classify them → previewed (or failed)."""
    return validate(import_id, raise_refusal=False)


def validate(import_id: int, *, raise_refusal: bool) -> OmdImport:
    with worker_lock(import_id) as free:
        if not free or not _claim(import_id, Status.VALIDATING, progress=0, finished_at=None):
            return OmdImport.objects.get(pk=import_id)
        omd_import = OmdImport.objects.get(pk=import_id)
        try:
            with heartbeat(import_id, Status.VALIDATING):
                # Chunks a killed attempt committed before it died.
                with transaction.atomic():
                    delete_staged_rows(import_id)
                started = time.perf_counter()
                stats = stage_file(omd_import)
                timings = stats.timings
                with transaction.atomic():
                    counts = classify(
                        import_id=import_id,
                        columns=omd_import.columns,
                        frozen=frozen_months(),
                        timings=timings,
                    )
                    _finish(import_id, Status.VALIDATING, status=Status.PREVIEWED, progress=100, **counts.as_fields())
            timings["total"] = time.perf_counter() - started
            logger.info("OMD import %s validated: %s; %s", import_id, counts, _format(timings))
        except ImportNoLongerRunning:
            logger.info("OMD import %s was cancelled or handed back while it was being validated", import_id)
        except SpreadsheetRefused as exc:
            _fail(import_id, Status.VALIDATING, exc.message)
            _drop_file(omd_import)
            if raise_refusal:
                raise
        except Exception as exc:
            _unexpected(import_id, Status.VALIDATING, exc)
            raise
    return OmdImport.objects.get(pk=import_id)


# --- Apply -----------------------------------------------------------------------------------


def _lock_upserts() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [UPSERT_LOCK_KEY])


def omd_import_apply(*, import_id: int) -> OmdImport:
    """Worker step 2: re-classify against the current invoices and write the plan, all in one transaction."""
    with worker_lock(import_id) as free:
        if not free or not _claim(import_id, Status.IMPORTING, progress=0):
            return OmdImport.objects.get(pk=import_id)
        omd_import = OmdImport.objects.select_related("uploaded_by", "confirmed_by").get(pk=import_id)
        try:
            started = time.perf_counter()
            timings: dict[str, float] = {}
            with heartbeat(import_id, Status.IMPORTING), transaction.atomic():
                _lock_upserts()
                counts = classify(
                    import_id=import_id,
                    columns=omd_import.columns,
                    allow_revert=omd_import.allow_revert,
                    frozen=frozen_months(),
                    timings=timings,
                )
                now = timezone.now()
                by = omd_import.confirmed_by or omd_import.uploaded_by
                apply_plan(
                    import_id=import_id,
                    columns=omd_import.columns,
                    now=now,
                    user_id=by.pk if by else None,
                    reason=_("OMD import #%(id)s: %(file)s") % {"id": import_id, "file": omd_import.file_name},
                    timings=timings,
                )
                # Raises (and so rolls everything back) if the import was cancelled meanwhile.
                _finish(
                    import_id, Status.IMPORTING, status=Status.DONE, progress=100, finished_at=now, **counts.as_fields()
                )
                commit_started = time.perf_counter()
            timings["commit"] = time.perf_counter() - commit_started
            timings["total"] = time.perf_counter() - started
            logger.info("OMD import %s applied: %s; %s", import_id, counts, _format(timings))
        except ImportNoLongerRunning:
            logger.info("OMD import %s was cancelled or handed back while it was being imported", import_id)
        except Exception as exc:
            _unexpected(import_id, Status.IMPORTING, exc)
            raise
    return OmdImport.objects.get(pk=import_id)


# --- Imports whose worker died ---------------------------------------------------------------


def omd_imports_requeue_stale(*, now: datetime | None = None) -> dict[str, list[int]]:
    """Hand each running import whose worker stopped beating back to the queue, or fail it.

    Periodic (OMD_IMPORT_SWEEP_SECONDS). An import whose attempts are spent is failed with a
    message; the others go back to their waiting state and their task is sent again. Safe to run
    twice or concurrently: each change is a conditional UPDATE on the stale state it found.
    """
    from customers.tasks import send_omd_step

    result: dict[str, list[int]] = {"requeued": [], "failed": []}
    for omd_import in OmdImport.objects.stale(now).only("pk", "status", "attempts").order_by("pk"):
        with worker_lock(omd_import.pk) as free:
            if not free:  # its worker is still connected: slow, not dead
                continue
            outcome = _hand_back(omd_import, now)
        if outcome == "requeued":
            # Sent once the worker lock is released: the worker that takes the task must get it.
            send_omd_step(omd_import.pk, OmdImport.CLAIMED_FROM[omd_import.status])
        if outcome:
            logger.warning("OMD import %s lost its worker while %s: %s", omd_import.pk, omd_import.status, outcome)
            result[outcome].append(omd_import.pk)
    return result


@transaction.atomic
def _hand_back(omd_import: OmdImport, now: datetime | None) -> str | None:
    still_stale = OmdImport.objects.stale(now).filter(pk=omd_import.pk, status=omd_import.status)
    if omd_import.attempts >= OmdImport.MAX_ATTEMPTS:
        failed = still_stale.filter(attempts__gte=OmdImport.MAX_ATTEMPTS).update(
            status=Status.FAILED,
            message=_("The import was stopped %(count)d times before it could finish; upload the file again.")
            % {"count": OmdImport.MAX_ATTEMPTS},
            finished_at=timezone.now(),
        )
        if failed and omd_import.status == Status.VALIDATING:
            delete_staged_rows(omd_import.pk)
        return "failed" if failed else None
    requeued = still_stale.filter(attempts__lt=OmdImport.MAX_ATTEMPTS).update(
        status=OmdImport.CLAIMED_FROM[omd_import.status],
        progress=0,
        heartbeat_at=None,
        message=_(
            "The worker stopped answering during attempt %(attempt)d of %(max)d; the import went back to the queue."
        )
        % {"attempt": omd_import.attempts, "max": OmdImport.MAX_ATTEMPTS},
    )
    return "requeued" if requeued else None
