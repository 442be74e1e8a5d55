"""A whole Celery worker killed (SIGKILL) in the middle of an OMD import, on PostgreSQL and Redis.

Real processes: a beat and workers started as `make run` and production start them, with the
heartbeat, staleness and sweep thresholds shrunk through their environment variables. The worker
on the import is killed once while it validates and once while it imports; a replacement worker
comes up (as a supervisor restarts one), and nobody touches the import: the sweeper hands it back
to the queue and it completes, with exactly the data a clean import gives.

To kill the worker at a known point, the test holds a table lock the worker's next statement
needs (the staging table, then the invoices' history) and finds the worker's blocked session by
its application name; it releases the lock once the worker is dead.
"""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from customers.models import OmdImport, OmdInvoice, OmdStagedRow
from customers.omd.service import omd_import_confirm, omd_import_run, omd_import_upload
from customers.tests import omd_files as files
from customers.tests.omd_files import invoice, red_letter
from dealership_cs.celery import app as celery_app

pytestmark = [pytest.mark.worker, pytest.mark.postgres, pytest.mark.redis]

Status = OmdImport.Status
History = OmdInvoice.history.model
# Shrunk thresholds (seconds): the sweeper runs every second and hands back an import not heard
# of for three.
THRESHOLDS = {"OMD_IMPORT_HEARTBEAT_SECONDS": "1", "OMD_IMPORT_STALE_SECONDS": "3", "OMD_IMPORT_SWEEP_SECONDS": "1"}
DEADLINE = 40  # seconds for each step to come through; the whole test takes about 30


def _database_url() -> str:
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{db['NAME']}"


def _forget_stale_messages() -> None:
    """Drop queued tasks and the unacknowledged ones killed workers leave in Redis (the broker's own keys)."""
    import redis

    celery_app.control.purge()
    redis.Redis.from_url(os.environ["REDIS_URL"]).delete("unacked", "unacked_index", "unacked_mutex")


class Processes:
    """The beat and the workers this test starts, each in a process group of its own."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        data_dir.mkdir(parents=True, exist_ok=True)
        self.env = {
            **os.environ,
            **THRESHOLDS,
            "DATABASE_URL": _database_url(),
            "DATA_DIR": str(data_dir),
            "DJANGO_SETTINGS_MODULE": "dealership_cs.settings",
        }
        self.running: dict[str, subprocess.Popen] = {}

    def start(self, name: str, *args: str) -> None:
        with open(self.data_dir / f"{name}.log", "wb") as log:  # the child keeps its own copy
            self.running[name] = subprocess.Popen(
                [sys.executable, "-m", "celery", "-A", "dealership_cs", *args],
                cwd=settings.BASE_DIR,
                env={**self.env, "PGAPPNAME": f"omd-test-{name}"},
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def worker(self, name: str) -> None:
        self.start(name, "worker", "--pool", "solo", "-n", f"{name}@%h", "--without-gossip", "--without-mingle")

    def kill(self, name: str) -> None:
        """The whole worker, at once: no shutdown, no acknowledgement, no goodbye to the database."""
        process = self.running.pop(name)
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)

    def stop_all(self) -> None:
        for process in self.running.values():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.running.values():
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        self.running.clear()

    def logs(self) -> str:
        """The last lines each process logged, for a failure's message."""
        return "\n".join(_tail(log) for log in sorted(self.data_dir.glob("*.log")))


def _tail(log: Path) -> str:
    return f"--- {log.name}\n{log.read_text(errors='replace')[-3000:]}"


def _side_connection():
    import psycopg2

    db = connection.settings_dict
    side = psycopg2.connect(
        dbname=db["NAME"], user=db["USER"], password=db["PASSWORD"], host=db["HOST"], port=db["PORT"] or 5432
    )
    return side


def _blocked_worker(watcher, name: str, statement: str, processes: Processes) -> int:
    """The backend of worker `name` once it waits on a lock in `statement`."""
    deadline = time.monotonic() + DEADLINE
    with watcher.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT pid FROM pg_stat_activity WHERE application_name = %s AND wait_event_type = 'Lock' "
                "AND query LIKE %s",
                [f"omd-test-{name}", f"%{statement}%"],
            )
            found = cursor.fetchone()
            if found:
                return found[0]
            time.sleep(0.1)
    raise AssertionError(f"worker {name} never reached {statement}\n{processes.logs()}")


def _wait_for(pk: int, status: str, processes: Processes) -> OmdImport:
    deadline = time.monotonic() + DEADLINE
    while time.monotonic() < deadline:
        omd_import = OmdImport.objects.get(pk=pk)
        if omd_import.status == status:
            return omd_import
        assert omd_import.status != Status.FAILED, omd_import.message
        time.sleep(0.2)
    raise AssertionError(f"import #{pk} is {OmdImport.objects.get(pk=pk).status}, not {status}\n{processes.logs()}")


def _kill_while_blocked(processes: Processes, name: str, table: str, statement: str, then) -> None:
    """Hold `table`, do `then` (which sends the worker its task), kill the worker once it waits on the table."""
    holder, watcher = _side_connection(), _side_connection()
    watcher.autocommit = True  # a transaction would see pg_stat_activity frozen at its start
    try:
        with holder.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {table} IN EXCLUSIVE MODE")
        then()
        _blocked_worker(watcher, name, statement, processes)
        processes.kill(name)
    finally:
        holder.rollback()  # the dead worker's session goes on, fails to answer, rolls back and ends
        holder.close()
        watcher.close()


def snapshot() -> list[tuple]:
    invoices = list(
        OmdInvoice.objects.order_by("invoice_number").values_list(
            "invoice_number",
            "invoice_date",
            "customer_name",
            "phone",
            "vin",
            "amount",
            "voided",
            "voided_by__invoice_number",
        )
    )
    history = sorted(History.objects.values_list("invoice_number", "history_type", "voided", "amount"))
    return [*invoices, *history]


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_in_the_middle_of_an_import_is_recovered_without_a_manual_step(
    requires_postgres, requires_redis, admin_user, settings, tmp_path
):
    data_dir = tmp_path / "data"
    settings.MEDIA_ROOT = data_dir / "media"  # the workers read the upload from their DATA_DIR
    data = files.omd_xlsx([invoice(n) for n in range(1, 31)] + [red_letter(31, voids=4), invoice(32, vin="bad")])[0]
    _forget_stale_messages()
    processes = Processes(data_dir)
    started = time.monotonic()
    try:
        processes.start("beat", "beat", "-s", str(data_dir / "beat-schedule"), "--loglevel=INFO")
        processes.worker("a")

        # Killed while validating: the worker has claimed the import and beats its heartbeat.
        uploaded: list[OmdImport] = []
        _kill_while_blocked(
            processes,
            "a",
            OmdStagedRow._meta.db_table,
            f"DELETE FROM {OmdStagedRow._meta.db_table}",
            lambda: uploaded.append(omd_import_upload(source=io.BytesIO(data), file_name="omd.xlsx", by=admin_user)),
        )
        pk = uploaded[0].pk
        left = OmdImport.objects.get(pk=pk)
        assert (left.status, left.attempts) == (Status.VALIDATING, 1)
        processes.worker("b")  # a replacement comes up, as a supervisor restarts a worker

        previewed = _wait_for(pk, Status.PREVIEWED, processes)
        assert (previewed.attempts, previewed.created, previewed.rejected, previewed.voided) == (2, 31, 1, 1)
        assert OmdStagedRow.objects.filter(omd_import_id=pk).count() == 32

        # Killed while importing: its transaction has written the invoices and waits on the history.
        _kill_while_blocked(
            processes,
            "b",
            History._meta.db_table,
            f"INSERT INTO {History._meta.db_table}",
            lambda: omd_import_confirm(omd_import=previewed, by=admin_user),
        )
        assert OmdImport.objects.get(pk=pk).status == Status.IMPORTING
        processes.worker("c")

        done = _wait_for(pk, Status.DONE, processes)
        elapsed = time.monotonic() - started
    finally:
        processes.stop_all()
        _forget_stale_messages()

    assert (done.attempts, done.created, done.rejected, done.voided, done.message) == (2, 31, 1, 1, "")
    assert done.finished_at is not None and done.finished_at <= timezone.now()
    assert elapsed < 120
    recovered = snapshot()
    assert len(recovered) == 31 + 31  # each invoice once, and its one history row

    OmdInvoice.objects.all().delete()
    History.objects.all().delete()
    clean = omd_import_run(source=io.BytesIO(data), file_name="omd.xlsx", by=admin_user)
    assert (clean.created, clean.rejected, clean.voided) == (31, 1, 1)
    assert snapshot() == recovered
