"""The OMD invoice import: upload → validate and preview (worker) → confirm → import (worker).

    omd_import = omd_import_upload(source=upload, file_name=upload.name, by=user)  # stored, check queued
    omd_import_validate(import_id=omd_import.pk)   # worker: read, check, stage, classify → previewed
    omd_import_confirm(omd_import=omd_import, by=user)   # → confirmed, import queued
    omd_import_apply(import_id=omd_import.pk)      # worker: the upsert, in one transaction → done
    omd_imports_requeue_stale()                    # every minute: imports whose worker died go back to the queue

The preview and the import run the same classification (`plan.classify`) on the same staged
rows, so their counts agree unless another import landed in between, in which case the import
follows the invoices as they are then. How the worker steps stay safe to kill is told in
`customers.omd.worker`; the states and their constraints are on the model (`OmdImport`).
"""

from __future__ import annotations

import hashlib
import io
import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import PurePath
from typing import BinaryIO

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from customers.models import OmdImport, OmdStagedRow
from customers.omd.columns import OMD_COLUMNS
from customers.omd.stage import PREVIEW_ROWS, delete_staged_rows, prune_staged_rows
from customers.omd.worker import (
    omd_import_apply,
    omd_import_validate,
    omd_imports_requeue_stale,
    validate,
    worker_lock,
)
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
    "omd_import_upload",
    "omd_import_validate",
    "omd_imports_requeue_stale",
    "omd_staged_rows_prune",
]

logger = logging.getLogger(__name__)

Source = str | os.PathLike[str] | BinaryIO
Status = OmdImport.Status
MAX_ATTEMPTS = OmdImport.MAX_ATTEMPTS


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


@transaction.atomic
def omd_import_upload(*, source: Source, file_name: str, by=None, dry_run: bool = False) -> OmdImport:
    """An administrator's upload (page or API): store it and have a worker check it once committed."""
    from customers.tasks import schedule_omd_validate

    omd_import = omd_import_create(source=source, file_name=file_name, by=by, dry_run=dry_run)
    schedule_omd_validate(omd_import.pk)
    return omd_import


# --- Confirm, cancel -------------------------------------------------------------------------


@transaction.atomic
def omd_import_confirm(
    *, omd_import: OmdImport, by=None, allow_revert: bool = False, enqueue: bool = True
) -> OmdImport:
    """Confirm a previewed import: it waits for a worker to import it (sent once committed, unless not `enqueue`).

    `allow_revert`: write the rows that revert values a later import replaced (the preview counts
    them as `reverted`), as updates; without it they are left as stored.
    """
    if omd_import.dry_run:
        raise ValidationError(
            _("This upload was only a check and cannot be imported; upload the file again to import it."),
            code="dry_run",
        )
    confirmed = OmdImport.objects.filter(pk=omd_import.pk, status=Status.PREVIEWED, dry_run=False).update(
        status=Status.CONFIRMED,
        confirmed_by=by,
        confirmed_at=timezone.now(),
        allow_revert=allow_revert,
        attempts=0,
        progress=0,
    )
    omd_import.refresh_from_db()
    if not confirmed:
        raise ValidationError(
            _("Only a previewed import can be confirmed; this one is “%(status)s”.")
            % {"status": omd_import.get_status_display()},
            code="wrong_status",
        )
    if enqueue:
        from customers.tasks import schedule_omd_apply

        schedule_omd_apply(omd_import.pk)
    return omd_import


@transaction.atomic
def omd_import_cancel(*, omd_import: OmdImport, by=None) -> OmdImport:
    """Cancel an import that waits (queued, previewed, confirmed) or is stuck, and drop its staged rows.

    Stuck: running, but its worker has not been heard of for OMD_IMPORT_STALE_SECONDS (and, on
    PostgreSQL, its database session is gone). A worker that comes back finds the import cancelled
    and rolls back what it was writing.
    """
    with worker_lock(omd_import.pk) as free:
        cancellable = OmdImport.objects.cancellable()
        if not free:  # a live worker is on it: it is slow, not stuck
            cancellable = cancellable.exclude(status__in=OmdImport.RUNNING)
        cancelled = cancellable.filter(pk=omd_import.pk).update(
            status=Status.CANCELLED,
            finished_at=timezone.now(),
            message=_("Cancelled by %(user)s.") % {"user": by} if by is not None else _("Cancelled."),
        )
    if cancelled:
        delete_staged_rows(omd_import.pk)
    omd_import.refresh_from_db()
    if not cancelled:
        raise ValidationError(
            _(
                "Only an import that waits (queued, previewed or confirmed) or whose worker stopped answering "
                "can be cancelled; this one is “%(status)s”."
            )
            % {"status": omd_import.get_status_display()},
            code="wrong_status",
        )
    return omd_import


# --- Housekeeping -----------------------------------------------------------------------------


def omd_staged_rows_prune(*, older_than_days: int = 7, keep_first: int = PREVIEW_ROWS) -> dict[str, int]:
    """Nightly: drop the working copy of imports finished more than ``older_than_days`` ago.

    A daily 200,000-row export would otherwise grow the staging table by as much every day. The
    rejected rows (the error report) and the first rows (the page's preview) stay. Safe to run
    any number of times: a pruned import has nothing more to delete.
    """
    cutoff = timezone.now() - timedelta(days=older_than_days)
    imports = list(
        OmdImport.objects.filter(status__in=OmdImport.FINISHED, finished_at__lt=cutoff).values_list("pk", flat=True)
    )
    deleted = 0
    for import_id in imports:
        with transaction.atomic():
            deleted += prune_staged_rows(import_id, keep_first=keep_first)
    return {"imports": len(imports), "staged_rows_deleted": deleted}


# --- Synchronous run (CLI) -------------------------------------------------------------------


def omd_import_run(
    *, source: Source, file_name: str, by=None, dry_run: bool = False, allow_revert: bool = False
) -> OmdImport:
    """Create, validate and (unless dry_run) confirm and apply, in this process.

    A refused file raises SpreadsheetRefused and leaves nothing stored, not even the import.
    """
    omd_import = omd_import_create(source=source, file_name=file_name, by=by, dry_run=dry_run)
    try:
        omd_import = validate(omd_import.pk, raise_refusal=True)
    except SpreadsheetRefused:
        _discard(omd_import)
        raise
    if dry_run or omd_import.status != Status.PREVIEWED:
        return omd_import
    omd_import_confirm(omd_import=omd_import, by=by, allow_revert=allow_revert, enqueue=False)
    return omd_import_apply(import_id=omd_import.pk)


def _discard(omd_import: OmdImport) -> None:
    with transaction.atomic():
        OmdStagedRow.objects.filter(omd_import=omd_import).delete()
        OmdImport.objects.filter(pk=omd_import.pk).delete()
    omd_import.file.delete(save=False)
