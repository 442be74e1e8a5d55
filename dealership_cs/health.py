"""Liveness of the parts the app cannot work without: the database and the Celery broker."""

from __future__ import annotations

import os
from dataclasses import dataclass

from django.db import connection


@dataclass(frozen=True)
class Check:
    ok: bool
    error: str = ""

    def as_dict(self) -> dict:
        return {"ok": self.ok} if self.ok else {"ok": False, "error": self.error}


def _select_one() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def check_database() -> Check:
    try:
        _select_one()
    except Exception:
        # Details (host names, user names) stay in the logs; the endpoint is public.
        return Check(False, "unreachable")
    return Check(True)


def check_broker(app=None, timeout: float = 2.0) -> Check:
    from dealership_cs.celery import app as default_app

    app = app or default_app
    url = str(app.conf.broker_url or "")
    if url.startswith("filesystem://"):
        options = app.conf.broker_transport_options or {}
        folders = [options.get("data_folder_in"), options.get("data_folder_out"), options.get("control_folder")]
        for folder in folders:
            if not folder or not os.path.isdir(folder) or not os.access(folder, os.W_OK):
                return Check(False, "queue folder missing or not writable")
        return Check(True)
    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=timeout)
    except Exception:
        return Check(False, "unreachable")
    return Check(True)


def health_report() -> tuple[bool, dict]:
    checks = {"database": check_database(), "broker": check_broker()}
    ok = all(check.ok for check in checks.values())
    return ok, {"status": "ok" if ok else "error", "checks": {k: v.as_dict() for k, v in checks.items()}}
