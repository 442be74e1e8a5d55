"""manage.py generate_callbacks [--date YYYY-MM-DD]: the nightly callback queue for a day (default today)."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from callbacks.services import callbacks_generate


class Command(BaseCommand):
    help = "Create the day's due callback tasks, expire lapsed ones and return stale held work to the pool."

    def add_arguments(self, parser):
        parser.add_argument("--date", help="the day to generate for, YYYY-MM-DD (default: today in Asia/Shanghai)")

    def handle(self, *args, **options):
        day = None
        if options["date"]:
            try:
                day = dt.date.fromisoformat(options["date"])
            except ValueError as exc:
                raise CommandError(_("“%(value)s” is not a date (YYYY-MM-DD).") % {"value": options["date"]}) from exc
        result = callbacks_generate(on=day)
        if result.locked:
            raise CommandError(_("Another generation is running; nothing was done."))
        self.stdout.write(result.line())
