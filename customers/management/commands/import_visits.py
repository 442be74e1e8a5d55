"""`manage.py import_visits FILE [--dry-run] [--user USERNAME] [--errors OUT.xlsx]`: load a DMS repair-order export.

Prints each rejected row as `row N, column C: “value”: reason`, and as its last line the counts
`created=N updated=N unchanged=N rejected=N` (one service visit per data row). With `--errors`
the rejected rows are also written to an .xlsx to correct and import again. A file that cannot
be read is refused with a message on stderr and exit status 1, and nothing is stored.
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from customers.visits import visit_import
from dealership_cs.management.import_command import SpreadsheetImportCommand


class Command(SpreadsheetImportCommand):
    help = "Import service visits (repair orders) with their cars, customers and advisors from a DMS export."
    file_help = "the repair-order export (.xlsx, .xls or .csv in UTF-8 or GB18030)"

    def add_arguments(self, parser) -> None:
        super().add_arguments(parser)
        parser.add_argument("--errors", metavar="OUT.xlsx", help="write the rejected rows to this .xlsx")

    def handle(self, *args, errors: str | None = None, **options) -> None:
        self.errors_path = Path(errors) if errors else None
        if self.errors_path is not None and not self.errors_path.parent.is_dir():
            # Checked before importing: the import must not be stored with its error report lost.
            raise CommandError(_("“%(folder)s” is not a folder.") % {"folder": self.errors_path.parent})
        super().handle(*args, **options)

    def run_import(self, *, path, by, dry_run):
        result = visit_import(source=path, file_name=path.name, by=by, dry_run=dry_run)
        if self.errors_path is not None and result.rejected:
            try:
                self.errors_path.write_bytes(result.error_workbook())
            except OSError as exc:
                self.stderr.write(
                    _("The rejected rows could not be written to “%(file)s”: %(reason)s")
                    % {"file": self.errors_path, "reason": exc.strerror or exc}
                )
        return result
