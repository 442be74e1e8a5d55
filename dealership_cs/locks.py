"""A lock per job name, so that two runs of a nightly job never overlap.

PostgreSQL: a session advisory lock (released by the server if the process dies). SQLite: a row
in JobLock with an expiry, so a killed run cannot hold the lock forever.
"""

from __future__ import annotations

import os
import socket
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from dealership_cs.models import JobLock


def _advisory_key(name: str) -> int:
    return zlib.crc32(name.encode()) & 0x7FFFFFFF


@contextmanager
def job_lock(name: str, *, ttl: timedelta = timedelta(hours=2)) -> Iterator[bool]:
    """Yield True when this process holds the lock for ``name``, False when another run holds it."""
    if connection.vendor == "postgresql":
        key = _advisory_key(name)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s)", [key])
            acquired = cursor.fetchone()[0]
        try:
            yield acquired
        finally:
            if acquired:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_unlock(%s)", [key])
        return
    holder = f"{socket.gethostname()}:{os.getpid()}:{id(object())}"
    now = timezone.now()
    acquired = False
    with transaction.atomic():
        JobLock.objects.filter(name=name, expires_at__lt=now).delete()
        try:
            with transaction.atomic():
                JobLock.objects.create(name=name, holder=holder, acquired_at=now, expires_at=now + ttl)
            acquired = True
        except IntegrityError:
            acquired = False
    try:
        yield acquired
    finally:
        if acquired:
            JobLock.objects.filter(name=name, holder=holder).delete()
