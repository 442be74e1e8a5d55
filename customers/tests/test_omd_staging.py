"""The staging step's reading thread and the nightly pruning of staged rows.

Runs on SQLite and on PostgreSQL; the thread is used for real only on PostgreSQL (COPY), so the
hand-off itself is also tested directly.
"""

from __future__ import annotations

import io
import threading
from datetime import timedelta

import pytest
from django.utils import timezone, translation

from customers.models import OmdImport, OmdStagedRow
from customers.omd import stage
from customers.omd.selectors import omd_error_workbook, omd_row_errors
from customers.omd.service import (
    omd_import_apply,
    omd_import_confirm,
    omd_import_create,
    omd_import_validate,
    omd_staged_rows_prune,
)
from customers.tests import omd_files as files
from customers.tests.omd_files import invoice

pytestmark = pytest.mark.django_db
Status = OmdImport.Status


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _reader_threads() -> list[threading.Thread]:
    return [thread for thread in threading.enumerate() if thread.name == "omd-stage-reader"]


def test_chunks_read_ahead_arrive_in_order_and_the_thread_ends():
    items = list(stage._ahead(iter(range(10)), depth=2))
    assert items == list(range(10))
    assert not _reader_threads()


def test_an_error_while_reading_is_raised_to_the_writer():
    def failing():
        yield 1
        raise ValueError("damaged row")

    chunks = stage._ahead(failing())
    assert next(chunks) == 1
    with pytest.raises(ValueError, match="damaged row"):
        next(chunks)
    assert not _reader_threads()


def test_a_writer_that_stops_early_stops_the_reading_thread():
    def endless():
        n = 0
        while True:
            n += 1
            yield n

    chunks = stage._ahead(endless(), depth=1)
    assert next(chunks) == 1
    chunks.close()  # what `closing(...)` does when a write fails
    assert not _reader_threads()


def test_the_reading_thread_speaks_the_callers_language():
    def language():
        yield translation.get_language()

    with translation.override("en"):
        assert list(stage._ahead(language())) == ["en"]
    with translation.override("zh-hans"):
        assert list(stage._ahead(language())) == ["zh-hans"]


def test_an_unexpected_error_while_staging_fails_the_import_and_leaves_nothing_staged(monkeypatch):
    data, _rows = files.omd_xlsx([invoice(n) for n in range(1, 30)])
    omd_import = omd_import_create(source=io.BytesIO(data), file_name="omd.xlsx")
    real_parse = stage.RowParser.parse
    calls = {"n": 0}

    def parse(self, row):
        calls["n"] += 1
        if calls["n"] == 20:
            raise RuntimeError("the parser broke")
        return real_parse(self, row)

    monkeypatch.setattr(stage, "CHUNK_ROWS", 5)  # several chunks are written before the error
    monkeypatch.setattr(stage.RowParser, "parse", parse)
    with pytest.raises(RuntimeError):
        omd_import_validate(import_id=omd_import.pk)
    omd_import.refresh_from_db()
    assert omd_import.status == Status.FAILED
    assert "the parser broke" in omd_import.message
    assert not OmdStagedRow.objects.filter(omd_import=omd_import).exists()
    assert not _reader_threads()


def _imported(invoices, *, finished_days_ago: int) -> OmdImport:
    data, _rows = files.omd_xlsx(invoices)
    omd_import = omd_import_create(source=io.BytesIO(data), file_name="omd.xlsx")
    omd_import = omd_import_validate(import_id=omd_import.pk)
    omd_import_confirm(omd_import=omd_import)
    omd_import = omd_import_apply(import_id=omd_import.pk)
    assert omd_import.status == Status.DONE
    OmdImport.objects.filter(pk=omd_import.pk).update(finished_at=timezone.now() - timedelta(days=finished_days_ago))
    return omd_import


def test_pruning_keeps_the_preview_rows_and_the_row_errors_of_imports_finished_a_week_ago():
    invoices = [invoice(n) for n in range(1, 31)]
    invoices[25] = invoice(26, amount="abc")  # a rejected row beyond the preview
    old = _imported(invoices, finished_days_ago=8)
    recent = _imported([invoice(n) for n in range(100, 110)], finished_days_ago=1)
    errors_before = omd_row_errors(old)

    result = omd_staged_rows_prune(keep_first=5)

    assert result == {"imports": 1, "staged_rows_deleted": 24}
    kept = OmdStagedRow.objects.filter(omd_import=old).order_by("row_number")
    assert kept.count() == 6
    assert [row.action for row in kept][-1] == OmdStagedRow.Action.REJECTED
    assert omd_row_errors(old) == errors_before
    assert omd_error_workbook(old)  # the error report still builds
    assert OmdStagedRow.objects.filter(omd_import=recent).count() == 10
    # Nothing more to delete the next night.
    assert omd_staged_rows_prune(keep_first=5)["staged_rows_deleted"] == 0


def test_pruning_leaves_imports_in_progress_alone():
    data, _rows = files.omd_xlsx([invoice(n) for n in range(1, 11)])
    omd_import = omd_import_create(source=io.BytesIO(data), file_name="omd.xlsx")
    omd_import = omd_import_validate(import_id=omd_import.pk)
    assert omd_import.status == Status.PREVIEWED
    OmdImport.objects.filter(pk=omd_import.pk).update(started_at=timezone.now() - timedelta(days=30))
    assert omd_staged_rows_prune(keep_first=1) == {"imports": 0, "staged_rows_deleted": 0}
    assert OmdStagedRow.objects.filter(omd_import=omd_import).count() == 10
