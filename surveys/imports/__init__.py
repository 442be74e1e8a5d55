"""The import of the manufacturer's result sheets (scores, item scores, targets).

Contract (used by the import page, the API and ``import_scores``):

    result = score_import(source=upload_or_path, file_name="results.xlsx", by=user, dry_run=False)
    result.created, result.updated, result.unchanged, result.rejected   # ints, over all sheets
    result.errors      # list[ScoreRowError]: sheet, row, column, value, reason
    result.error_workbook()   # the rejected rows as read, a sheet per table (.xlsx bytes)
    result.batch       # the ScoreImport row (None after a dry run)
    result.counts      # dict with the four counts

``score_import`` raises ``dealership_cs.spreadsheets.SpreadsheetRefused`` (with a translated
``message``) when the file cannot be read at all; nothing is stored then.

A workbook holds up to three tables, each on its own sheet and recognised by its header
(``columns.TABLES``); a CSV holds one. ``score_template_workbook()`` builds the downloadable
template (.xlsx bytes) that the import reads back as it is.
"""

from .columns import ITEM_COLUMNS, SCORE_COLUMNS, TABLES, TARGET_COLUMNS
from .service import ScoreImportResult, ScoreRowError, error_workbook_name, score_import
from .template import score_template_workbook

__all__ = [
    "ITEM_COLUMNS",
    "SCORE_COLUMNS",
    "TABLES",
    "TARGET_COLUMNS",
    "ScoreImportResult",
    "ScoreRowError",
    "error_workbook_name",
    "score_import",
    "score_template_workbook",
]
