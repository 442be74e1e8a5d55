"""Fixtures of the reports tests."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections
from django.utils import translation

from dealership_cs.locks import job_lock
from reports.services import LOCK_NAME


@pytest.fixture
def lock_held_elsewhere():
    """The reconciliation's lock held by another run: another connection on PostgreSQL, a row on SQLite."""
    if connection.vendor != "postgresql":
        with job_lock(LOCK_NAME) as acquired:
            assert acquired
            yield
        return
    holding, release, done = threading.Event(), threading.Event(), threading.Event()

    def other_run():
        try:
            with job_lock(LOCK_NAME) as acquired:
                assert acquired
                holding.set()
                release.wait(10)
        finally:
            connections.close_all()
            done.set()

    thread = threading.Thread(target=other_run)
    thread.start()
    assert holding.wait(10)
    yield
    release.set()
    thread.join(10)


@pytest.fixture
def english():
    """Messages in English, whatever the catalogue says (the default language is Chinese)."""
    with translation.override("en"):
        yield
