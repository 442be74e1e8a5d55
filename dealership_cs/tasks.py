"""Celery tasks of the project package: thin, named, each calls one service."""

from __future__ import annotations

import socket

from celery import shared_task
from django.utils import timezone

from dealership_cs.services import housekeeping_run


@shared_task(name="dealership_cs.ping")
def ping(token: str = "") -> dict:
    """Round trip through the broker and a worker; used by the system page and the tests."""
    return {"token": token, "worker": socket.gethostname(), "at": timezone.now().isoformat()}


@shared_task(name="dealership_cs.housekeeping")
def housekeeping() -> dict:
    return housekeeping_run()
