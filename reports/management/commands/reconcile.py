"""`manage.py reconcile [--month YYYY-MM]`: the nightly reconciliation and accuracy roll-up, by hand.

Without --month it does what the nightly job does: every open month is reconciled, its roll-up
stored, and months past their freeze day are frozen. With --month it reconciles that month
only (never freezing it); a frozen month is refused until an administrator reopens it. Prints
the months, then as its last line ``found=N created=N updated=N closed=N frozen=…``. A bad or
frozen month, or another run holding the lock, ends with a message on stderr and exit status 1.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from reports.selectors import parse_month
from reports.services import accuracy_reconcile


class Command(BaseCommand):
    help = "Reconcile the closed-deal archives with the OMD invoices and store the accuracy roll-up."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--month", help="only this month (YYYY-MM); default: every open month")

    def handle(self, *args, month: str | None, **options) -> None:
        try:
            result = accuracy_reconcile(month=parse_month(month) if month else None)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        if not result.ran:
            raise CommandError(_("Another reconciliation is running; this one did nothing."))
        summary = result.as_dict()
        if summary["months"]:
            self.stdout.write(_("Reconciled: %(months)s") % {"months": ", ".join(summary["months"])})
        else:
            self.stdout.write(_("No open month to reconcile."))
        if result.unchanged:
            self.stdout.write(_("Nothing changed since the last run: the stored results stand."))
        if summary["frozen"]:
            self.stdout.write(_("Frozen: %(months)s") % {"months": ", ".join(summary["frozen"])})
        # The last line is for scripts: keep it exactly in this form, untranslated.
        self.stdout.write(
            f"months={len(summary['months'])} found={result.found} created={result.created} "
            f"updated={result.updated} closed={result.closed} frozen={','.join(summary['frozen']) or '-'}"
        )
