"""The CI run on PostgreSQL proves it really ran there."""

from __future__ import annotations

from django.db import connection


def test_postgres_run_uses_postgresql(requires_postgres, db):
    assert connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        cursor.execute("SHOW TimeZone")
        assert cursor.fetchone()[0] in {"UTC", "Etc/UTC", "Asia/Shanghai"}


def test_sqlite_runs_in_wal_mode_outside_tests(settings):
    if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        assert "journal_mode=WAL" in settings.DATABASES["default"]["OPTIONS"]["init_command"]
