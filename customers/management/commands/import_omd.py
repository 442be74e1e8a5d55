"""Import an OMD invoice export synchronously: the same pipeline the upload page runs in a worker."""

from __future__ import annotations

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from customers.omd.selectors import omd_row_errors


class Command(BaseCommand):
    help = "Import an OMD invoice export (.xlsx, .xls, .csv). Prints row errors, then the counts."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--dry-run", action="store_true", help="Validate and count; store no invoices.")
        parser.add_argument("--user", help="Username recorded as the importer.")

    def handle(self, *args, file: str, dry_run: bool, user: str | None, **options):
        from customers.omd.service import omd_import_run
        from dealership_cs.spreadsheets import SpreadsheetRefused

        path = Path(file)
        if not path.is_file():
            raise CommandError(_("“%(file)s” does not exist or is not a file.") % {"file": file})
        by = None
        if user:
            by = get_user_model().objects.filter(username=user).first()
            if by is None:
                raise CommandError(_("There is no user “%(user)s”.") % {"user": user})
        try:
            omd_import = omd_import_run(source=path, file_name=path.name, by=by, dry_run=dry_run)
        except SpreadsheetRefused as exc:
            raise CommandError(exc.message) from None
        for error in omd_row_errors(omd_import):
            self.stdout.write(_("row %(row)s, column %(column)s: “%(value)s”: %(reason)s") % error)
        if omd_import.status == omd_import.Status.FAILED:
            raise CommandError(omd_import.message)
        self.stdout.write(
            f"created={omd_import.created} updated={omd_import.updated} unchanged={omd_import.unchanged} "
            f"rejected={omd_import.rejected} voided={omd_import.voided}"
        )
