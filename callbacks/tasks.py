"""Celery tasks of the callback desk: thin, named, each calls one service."""

from __future__ import annotations

import datetime as dt

from celery import shared_task

from callbacks.services import callbacks_generate


@shared_task(name="callbacks.generate")
def callbacks_generate_task(on: str | None = None) -> dict:
    """The nightly queue (beat, 02:00 Asia/Shanghai). Safe to run twice: the second run creates nothing."""
    result = callbacks_generate(on=dt.date.fromisoformat(on) if on else None)
    return {
        "created": result.created,
        "expired": result.expired,
        "returned": result.returned,
        "skipped": result.skipped,
        "locked": result.locked,
    }
