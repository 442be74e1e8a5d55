"""Import an OMD invoice export synchronously: the same pipeline the upload page runs in a worker."""

from __future__ import annotations

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from customers.omd.selectors import frozen_months_note, omd_reverted_rows, omd_row_errors


class Command(BaseCommand):
    help = "Import an OMD invoice export (.xlsx, .xls, .csv). Prints row errors, then the counts."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--dry-run", action="store_true", help="Validate and count; store no invoices.")
        parser.add_argument("--user", help="Username recorded as the importer.")
        parser.add_argument(
            "--allow-revert",
            action="store_true",
            help="Also write rows that would bring back values a later import replaced (otherwise held back).",
        )

    def handle(self, *args, file: str, dry_run: bool, user: str | None, allow_revert: bool, **options):
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
            omd_import = omd_import_run(
                source=path, file_name=path.name, by=by, dry_run=dry_run, allow_revert=allow_revert
            )
        except SpreadsheetRefused as exc:
            raise CommandError(exc.message) from None
        for error in omd_row_errors(omd_import):
            self.stdout.write(_("row %(row)s, column %(column)s: “%(value)s”: %(reason)s") % error)
        if omd_import.status == omd_import.Status.FAILED:
            raise CommandError(omd_import.message)
        for row in omd_reverted_rows(omd_import):
            self.stdout.write(
                _("row %(row)s, invoice %(number)s: held back, it would revert the values of import #%(import)s")
                % {"row": row.row_number, "number": row.invoice_number, "import": row.newer_import_id or "?"}
            )
        if omd_import.frozen_rows:
            self.stdout.write(frozen_months_note(omd_import))
        self.stdout.write(
            f"created={omd_import.created} updated={omd_import.updated} unchanged={omd_import.unchanged} "
            f"rejected={omd_import.rejected} voided={omd_import.voided} reverted={omd_import.reverted}"
        )
