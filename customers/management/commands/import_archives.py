"""`manage.py import_archives FILE [--dry-run] [--user USERNAME]`: load a closed-deal archive ledger.

Prints each rejected row as `row N, column C: “value”: reason`, and as its last line the counts
`created=N updated=N unchanged=N rejected=N` (one archive per data row). A file that cannot be
read is refused with a message on stderr and exit status 1, and nothing is stored.
"""

from __future__ import annotations

from customers.ledger import ledger_import
from dealership_cs.management.import_command import SpreadsheetImportCommand


class Command(SpreadsheetImportCommand):
    help = "Import customers, vehicles and closed-deal archives from an archive ledger (.xlsx, .xls or .csv)."
    file_help = "the ledger file (.xlsx, .xls or .csv in UTF-8 or GB18030)"

    def run_import(self, *, path, by, dry_run):
        return ledger_import(source=path, file_name=path.name, by=by, dry_run=dry_run)
