"""`manage.py import_scores FILE [--dry-run] [--user USERNAME]`: load the manufacturer's result sheets.

Prints each rejected row as `sheet S, row N, column C: “value”: reason`, and as its last line the
counts `created=N updated=N unchanged=N rejected=N` over all the file's tables. A file that
cannot be read is refused with a message on stderr and exit status 1, and nothing is stored.
"""

from __future__ import annotations

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from dealership_cs.spreadsheets import SpreadsheetRefused
from surveys.imports import score_import


class Command(BaseCommand):
    help = "Import official scores, item scores and targets from a result workbook (.xlsx, .xls or .csv)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", help="the result file (.xlsx, .xls or .csv in UTF-8 or GB18030)")
        parser.add_argument(
            "--dry-run", action="store_true", help="check the file and report the counts, but store nothing"
        )
        parser.add_argument("--user", help="username recorded as the importer in the history and the import record")

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
            result = score_import(source=path, file_name=path.name, by=by, dry_run=dry_run)
        except SpreadsheetRefused as exc:
            raise CommandError(exc.message) from exc

        for error in result.errors:
            params = {
                "sheet": error.sheet,
                "row": error.row,
                "column": error.column,
                "value": error.value,
                "reason": error.reason,
            }
            if error.sheet:
                self.stdout.write(
                    _("sheet %(sheet)s, row %(row)s, column %(column)s: “%(value)s”: %(reason)s") % params
                )
            else:
                self.stdout.write(_("row %(row)s, column %(column)s: “%(value)s”: %(reason)s") % params)
        if dry_run:
            self.stdout.write(_("Dry run: nothing was stored."))
        # The last line is for scripts: keep it exactly in this form, untranslated.
        self.stdout.write(
            f"created={result.created} updated={result.updated} unchanged={result.unchanged} rejected={result.rejected}"
        )
