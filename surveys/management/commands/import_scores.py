"""`manage.py import_scores FILE [--dry-run] [--user USERNAME]`: load the manufacturer's result sheets.

Prints each rejected row as `sheet S, row N, column C: “value”: reason`, and as its last line the
counts `created=N updated=N unchanged=N rejected=N` over all the file's tables. A file that
cannot be read is refused with a message on stderr and exit status 1, and nothing is stored.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from dealership_cs.management.import_command import SpreadsheetImportCommand
from surveys.imports import score_import


class Command(SpreadsheetImportCommand):
    help = "Import official scores, item scores and targets from a result workbook (.xlsx, .xls or .csv)."
    file_help = "the result file (.xlsx, .xls or .csv in UTF-8 or GB18030)"

    def run_import(self, *, path, by, dry_run):
        return score_import(source=path, file_name=path.name, by=by, dry_run=dry_run)

    def error_line(self, error) -> str:
        if not error.sheet:
            return super().error_line(error)
        return _("sheet %(sheet)s, row %(row)s, column %(column)s: “%(value)s”: %(reason)s") % {
            "sheet": error.sheet,
            "row": error.row,
            "column": error.column,
            "value": error.value,
            "reason": error.reason,
        }
