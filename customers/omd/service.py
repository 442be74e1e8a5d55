"""The OMD invoice import: upload → validate and preview (worker) → confirm → import (worker).

    omd_import = omd_import_create(source=upload, file_name=upload.name, by=user)  # stores the file
    omd_import_validate(import_id=omd_import.pk)   # worker: read, check, stage, classify → previewed
    omd_import_confirm(omd_import=omd_import, by=user)   # → queued for the import
    omd_import_apply(import_id=omd_import.pk)      # worker: the upsert, in one transaction → done

The preview and the import run the same classification (`plan.classify`) on the same staged
rows, so their counts agree unless another import landed in between, in which case the import
follows the invoices as they are then.

Workers claim an import with a conditional UPDATE on its status (a task delivered twice finds
nothing to claim) and, on PostgreSQL, hold a session advisory lock on it while they work, so a
re-delivered task can take over an import left 'validating' or 'importing' by a killed worker
but never one that a live worker is still on. After MAX_ATTEMPTS claims the import is failed.
The import step writes everything in one transaction under `pg_advisory_xact_lock`, which
serialises OMD upserts (SQLite's write lock is global anyway): a killed worker leaves no
half-imported batch, and two uploads of the same file give one set of rows.
"""

from __future__ import annotations

import hashlib
import io
import logging
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import PurePath
from typing import BinaryIO

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import Error as DbError
from django.db import connection, transaction
from django.db.models import F, Q
from django.db.models.functions import Now
from django.utils import timezone
from django.utils.translation import gettext as _

from customers.models import OmdImport, OmdStagedRow
from customers.omd.apply import apply_plan
from customers.omd.columns import OMD_COLUMNS
from customers.omd.plan import classify
from customers.omd.stage import PREVIEW_ROWS, delete_staged_rows, prune_staged_rows, stage_file
from dealership_cs.spreadsheets import ACCEPTED_EXTENSIONS, SpreadsheetRefused, default_max_bytes, format_size
from dealership_cs.spreadsheets.model import EMPTY, TOO_LARGE, UNSUPPORTED_TYPE

__all__ = [
    "MAX_ATTEMPTS",
    "OMD_COLUMNS",
    "omd_import_apply",
    "omd_import_cancel",
    "omd_import_confirm",
    "omd_import_create",
    "omd_import_run",
    "omd_import_validate",
]

logger = logging.getLogger(__name__)

Source = str | os.PathLike[str] | BinaryIO
Status = OmdImport.Status

MAX_ATTEMPTS = 3
# Advisory lock keys (PostgreSQL). The single-bigint key serialises all OMD upserts; the
# two-int keys (namespace, import id) mark the worker busy on one import. PostgreSQL keeps the
# two key spaces apart.
UPSERT_LOCK_KEY = 0x4F4D44_01
WORKER_LOCK_NAMESPACE = 0x4F4D44


# --- Upload ----------------------------------------------------------------------------------


@contextmanager
def _binary(source: Source | File) -> Iterator[tuple[BinaryIO, int]]:
    """The source as a rewound binary file and its size; non-seekable streams are buffered up to the limit."""
    if isinstance(source, str | os.PathLike):
        with open(source, "rb") as fh:
            yield fh, os.fstat(fh.fileno()).st_size
        return
    try:
        source.seek(0, io.SEEK_END)
        size = source.tell()
        source.seek(0)
    except (AttributeError, OSError, io.UnsupportedOperation):
        # One byte over the limit is enough to tell "too large" without reading an unbounded stream.
        data = source.read(default_max_bytes() + 1)
        source, size = io.BytesIO(data), len(data)
    yield source, size


def _refuse_early(file_name: str, size: int) -> None:
    """The checks that need no parsing; the worker runs all the others (same messages as the reader's)."""
    limit = default_max_bytes()
    if PurePath(file_name).suffix.lower() not in ACCEPTED_EXTENSIONS:
        raise SpreadsheetRefused(
            _("“%(file)s” is not a supported file type. Accepted types: %(types)s.")
            % {"file": file_name, "types": ", ".join(ACCEPTED_EXTENSIONS)},
            file_name=file_name,
            code=UNSUPPORTED_TYPE,
        )
    if size == 0:
        raise SpreadsheetRefused(
            _("“%(file)s” is empty (0 bytes).") % {"file": file_name}, file_name=file_name, code=EMPTY
        )
    if size > limit:
        raise SpreadsheetRefused(
            _("The file “%(file)s” is %(size)s; the limit is %(limit)s.")
            % {"file": file_name, "size": format_size(size), "limit": format_size(limit)},
            file_name=file_name,
            code=TOO_LARGE,
        )


def _sha256(fh: BinaryIO) -> str:
    digest = hashlib.sha256()
    for block in iter(lambda: fh.read(1 << 20), b""):
        digest.update(block)
    fh.seek(0)
    return digest.hexdigest()


def _storage_name(file_name: str) -> str:
    # Browsers on Windows may send "C:\fakepath\导出.xlsx"; storage refuses path separators.
    name = PurePath(file_name.replace("\\", "/")).name
    return name or f"omd{PurePath(file_name).suffix.lower()}"


@transaction.atomic
def omd_import_create(*, source: Source, file_name: str, by=None, dry_run: bool = False) -> OmdImport:
    """Store an uploaded export as a queued import (the caller enqueues the validation on commit).

    An empty or oversized file, or one of an unsupported type, raises SpreadsheetRefused and
    stores nothing; every other check runs in the worker.
    """
    with _binary(source) as (fh, size):
        _refuse_early(file_name, size)
        omd_import = OmdImport(
            file_name=file_name[: OmdImport._meta.get_field("file_name").max_length],
            size=size,
            sha256=_sha256(fh),
            uploaded_by=by,
            dry_run=dry_run,
            status=Status.QUEUED,
        )
        omd_import.file.save(_storage_name(file_name), File(fh), save=False)
    omd_import.full_clean()
    omd_import.save()
    return omd_import


# --- Worker plumbing -------------------------------------------------------------------------


@contextmanager
def _worker_lock(import_id: int) -> Iterator[bool]:
    """True when this worker may work on the import (always, except on PostgreSQL while another holds it)."""
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


def _claim(import_id: int, claimable: Q, status: str, **changes) -> bool:
    """Move the import from a claimable state to `status`, counting the attempt; True if this call did it."""
    return bool(
        OmdImport.objects.filter(claimable, pk=import_id, attempts__lt=MAX_ATTEMPTS).update(
            status=status, attempts=F("attempts") + 1, message="", **changes
        )
    )


def _not_claimed(import_id: int, running: str) -> OmdImport:
    """An import this call could not claim: give it up if its attempts are spent, else leave it be."""
    OmdImport.objects.filter(pk=import_id, status=running, attempts__gte=MAX_ATTEMPTS).update(
        status=Status.FAILED,
        message=_("The import was stopped %(count)d times before it could finish; upload the file again.")
        % {"count": MAX_ATTEMPTS},
        finished_at=Now(),
    )
    return OmdImport.objects.get(pk=import_id)


def _fail(import_id: int, running: str, message: str) -> None:
    with transaction.atomic():
        if running == Status.VALIDATING:
            delete_staged_rows(import_id)  # a failed validation leaves nothing staged
        OmdImport.objects.filter(pk=import_id, status=running).update(
            status=Status.FAILED, message=message, finished_at=Now()
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
        # The database itself is the problem: leave the import to the next attempt.
        logger.warning("OMD import %s: could not record the failure", import_id, exc_info=True)


def _format(timings: dict[str, float]) -> str:
    return ", ".join(f"{name} {seconds:.2f}s" for name, seconds in timings.items())


# --- Validate --------------------------------------------------------------------------------


def omd_import_validate(*, import_id: int) -> OmdImport:
    """Worker step 1: read and check the file into staged rows and classify them → previewed (or failed)."""
    return _validate(import_id, raise_refusal=False)


def _validate(import_id: int, *, raise_refusal: bool) -> OmdImport:
    claimable = Q(status=Status.QUEUED, confirmed_at__isnull=True) | Q(status=Status.VALIDATING)
    with _worker_lock(import_id) as free:
        if not free:
            return OmdImport.objects.get(pk=import_id)
        if not _claim(import_id, claimable, Status.VALIDATING, progress=0, started_at=Now(), finished_at=None):
            return _not_claimed(import_id, Status.VALIDATING)
        omd_import = OmdImport.objects.get(pk=import_id)
        try:
            # Chunks a killed attempt committed before it died.
            with transaction.atomic():
                delete_staged_rows(import_id)
            started = time.perf_counter()
            stats = stage_file(omd_import)
            timings = stats.timings
            with transaction.atomic():
                counts = classify(import_id=import_id, columns=omd_import.columns, timings=timings)
                OmdImport.objects.filter(pk=import_id, status=Status.VALIDATING).update(
                    status=Status.PREVIEWED, progress=100, **counts.as_fields()
                )
            timings["total"] = time.perf_counter() - started
            logger.info("OMD import %s validated: %s; %s", import_id, counts, _format(timings))
        except SpreadsheetRefused as exc:
            _fail(import_id, Status.VALIDATING, exc.message)
            _drop_file(omd_import)
            if raise_refusal:
                raise
        except Exception as exc:
            _unexpected(import_id, Status.VALIDATING, exc)
            raise
    return OmdImport.objects.get(pk=import_id)


# --- Confirm, cancel -------------------------------------------------------------------------


@transaction.atomic
def omd_import_confirm(*, omd_import: OmdImport, by=None) -> OmdImport:
    """Queue a previewed import for the import step (the caller enqueues it on commit)."""
    if omd_import.dry_run:
        raise ValidationError(
            _("This upload was only a check and cannot be imported; upload the file again to import it."),
            code="dry_run",
        )
    confirmed = OmdImport.objects.filter(pk=omd_import.pk, status=Status.PREVIEWED, dry_run=False).update(
        status=Status.QUEUED, confirmed_by=by, confirmed_at=timezone.now(), attempts=0, progress=0
    )
    omd_import.refresh_from_db()
    if not confirmed:
        raise ValidationError(
            _("Only a previewed import can be confirmed; this one is “%(status)s”.")
            % {"status": omd_import.get_status_display()},
            code="wrong_status",
        )
    return omd_import


@transaction.atomic
def omd_import_cancel(*, omd_import: OmdImport, by=None) -> OmdImport:
    """Cancel a queued or previewed import and drop its staged rows."""
    cancelled = OmdImport.objects.filter(pk=omd_import.pk, status__in=(Status.QUEUED, Status.PREVIEWED)).update(
        status=Status.CANCELLED,
        finished_at=timezone.now(),
        message=_("Cancelled by %(user)s.") % {"user": by} if by is not None else _("Cancelled."),
    )
    if cancelled:
        delete_staged_rows(omd_import.pk)
    omd_import.refresh_from_db()
    if not cancelled:
        raise ValidationError(
            _("Only a queued or previewed import can be cancelled; this one is “%(status)s”.")
            % {"status": omd_import.get_status_display()},
            code="wrong_status",
        )
    return omd_import


# --- Apply -----------------------------------------------------------------------------------


def _lock_upserts() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [UPSERT_LOCK_KEY])


def omd_import_apply(*, import_id: int) -> OmdImport:
    """Worker step 2: re-classify against the current invoices and write the plan, all in one transaction."""
    claimable = Q(status=Status.QUEUED, confirmed_at__isnull=False, dry_run=False) | Q(status=Status.IMPORTING)
    with _worker_lock(import_id) as free:
        if not free:
            return OmdImport.objects.get(pk=import_id)
        if not _claim(import_id, claimable, Status.IMPORTING, progress=0, started_at=Now()):
            return _not_claimed(import_id, Status.IMPORTING)
        omd_import = OmdImport.objects.select_related("uploaded_by", "confirmed_by").get(pk=import_id)
        try:
            started = time.perf_counter()
            timings: dict[str, float] = {}
            with transaction.atomic():
                _lock_upserts()
                counts = classify(import_id=import_id, columns=omd_import.columns, timings=timings)
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
                OmdImport.objects.filter(pk=import_id, status=Status.IMPORTING).update(
                    status=Status.DONE, progress=100, finished_at=now, **counts.as_fields()
                )
                commit_started = time.perf_counter()
            timings["commit"] = time.perf_counter() - commit_started
            timings["total"] = time.perf_counter() - started
            logger.info("OMD import %s applied: %s; %s", import_id, counts, _format(timings))
        except Exception as exc:
            _unexpected(import_id, Status.IMPORTING, exc)
            raise
    return OmdImport.objects.get(pk=import_id)


# --- Housekeeping -----------------------------------------------------------------------------

FINISHED = (Status.DONE, Status.FAILED, Status.CANCELLED)


def omd_staged_rows_prune(*, older_than_days: int = 7, keep_first: int = PREVIEW_ROWS) -> dict[str, int]:
    """Nightly: drop the working copy of imports finished more than ``older_than_days`` ago.

    A daily 200,000-row export would otherwise grow the staging table by as much every day. The
    rejected rows (the error report) and the first rows (the page's preview) stay. Safe to run
    any number of times: a pruned import has nothing more to delete.
    """
    cutoff = timezone.now() - timedelta(days=older_than_days)
    imports = list(OmdImport.objects.filter(status__in=FINISHED, finished_at__lt=cutoff).values_list("pk", flat=True))
    deleted = 0
    for import_id in imports:
        with transaction.atomic():
            deleted += prune_staged_rows(import_id, keep_first=keep_first)
    return {"imports": len(imports), "staged_rows_deleted": deleted}


# --- Synchronous run (CLI) -------------------------------------------------------------------


def omd_import_run(*, source: Source, file_name: str, by=None, dry_run: bool = False) -> OmdImport:
    """Create, validate and (unless dry_run) confirm and apply, in this process.

    A refused file raises SpreadsheetRefused and leaves nothing stored, not even the import.
    """
    omd_import = omd_import_create(source=source, file_name=file_name, by=by, dry_run=dry_run)
    try:
        omd_import = _validate(omd_import.pk, raise_refusal=True)
    except SpreadsheetRefused:
        _discard(omd_import)
        raise
    if dry_run or omd_import.status != Status.PREVIEWED:
        return omd_import
    omd_import_confirm(omd_import=omd_import, by=by)
    return omd_import_apply(import_id=omd_import.pk)


def _discard(omd_import: OmdImport) -> None:
    with transaction.atomic():
        OmdStagedRow.objects.filter(omd_import=omd_import).delete()
        OmdImport.objects.filter(pk=omd_import.pk).delete()
    omd_import.file.delete(save=False)
