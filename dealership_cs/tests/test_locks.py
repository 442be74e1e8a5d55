"""Job locks: a second run while one holds the lock gets nothing; a dead run's lock does not last forever."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from dealership_cs.locks import _advisory_key, job_lock
from dealership_cs.models import JobLock


def test_a_second_holder_is_refused_until_the_first_releases(transactional_db):
    if connection.vendor == "postgresql":
        pytest.skip("PostgreSQL uses advisory locks; see the test below")
    with job_lock("nightly") as first:
        assert first is True
        with job_lock("nightly") as second:
            assert second is False
        assert JobLock.objects.filter(name="nightly").count() == 1
    with job_lock("nightly") as again:
        assert again is True


def test_an_expired_lock_of_a_killed_run_is_taken_over(transactional_db):
    if connection.vendor == "postgresql":
        pytest.skip("advisory locks die with their session")
    now = timezone.now()
    JobLock.objects.create(
        name="nightly", holder="dead:1", acquired_at=now - timedelta(hours=3), expires_at=now - timedelta(hours=1)
    )
    with job_lock("nightly") as acquired:
        assert acquired is True


def test_postgres_advisory_lock_refuses_another_session(requires_postgres, transactional_db):
    import psycopg2

    params = connection.get_connection_params()
    other = psycopg2.connect(**params)
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s)", [_advisory_key("nightly")])
            assert cursor.fetchone()[0] is True
        with job_lock("nightly") as acquired:
            assert acquired is False
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [_advisory_key("nightly")])
        with job_lock("nightly") as acquired:
            assert acquired is True
    finally:
        other.close()
