"""The shared shape of the spreadsheet-import commands (`import_archives`, `import_scores`).

A subclass names its file, calls its service in `run_import`, and may word its row errors; the
base resolves `--user`, turns a refused file into exit status 1 with the message on stderr, prints
each rejected row and ends with the counts line scripts read.
"""

from __future__ import annotations

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from dealership_cs.spreadsheets import SpreadsheetRefused


class SpreadsheetImportCommand(BaseCommand):
    file_help = "the file (.xlsx, .xls or .csv in UTF-8 or GB18030)"

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", help=self.file_help)
        parser.add_argument(
            "--dry-run", action="store_true", help="check the file and report the counts, but store nothing"
        )
        parser.add_argument("--user", help="username recorded as the importer in the history and the import record")

    def run_import(self, *, path: Path, by, dry_run: bool):
        """Call the import service; return its result (errors, created, updated, unchanged, rejected)."""
        raise NotImplementedError

    def error_line(self, error) -> str:
        return _("row %(row)s, column %(column)s: “%(value)s”: %(reason)s") % {
            "row": error.row,
            "column": error.column,
            "value": error.value,
            "reason": error.reason,
        }

    def handle(self, *args, file: str, dry_run: bool, user: str | None, **options) -> None:
        path = Path(file)
        if not path.is_file():
            raise CommandError(_("“%(file)s” does not exist or is not a file.") % {"file": file})
        by = None
        if user:
            try:
                by = get_user_model().objects.get_by_natural_key(user)
            except get_user_model().DoesNotExist:
                raise CommandError(_("There is no user “%(user)s”.") % {"user": user}) from None
        try:
            result = self.run_import(path=path, by=by, dry_run=dry_run)
        except SpreadsheetRefused as exc:
            raise CommandError(exc.message) from exc
        for error in result.errors:
            self.stdout.write(self.error_line(error))
        if dry_run:
            self.stdout.write(_("Dry run: nothing was stored."))
        # The last line is for scripts: keep it exactly in this form, untranslated.
        self.stdout.write(
            f"created={result.created} updated={result.updated} unchanged={result.unchanged} rejected={result.rejected}"
        )
