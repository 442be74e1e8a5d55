"""Load the demo data set. Idempotent: running it again changes nothing.

Each app contributes a loader (a ``demo`` module with ``load(stdout)``); they run bottom layer
first, so customers exist before the callbacks that point to them.
"""

from importlib import import_module

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

from dealership_cs.permissions import OWN_APPS


class Command(BaseCommand):
    help = "Load demo data (DOMAIN.md's 2010 figures and realistic records); safe to run again."

    def handle(self, *args, **options):
        for label in OWN_APPS:
            config = apps.get_app_config(label)
            try:
                module = import_module(f"{config.name}.demo")
            except ModuleNotFoundError as exc:
                if exc.name != f"{config.name}.demo":
                    raise
                continue
            with transaction.atomic():
                summary = module.load()
            self.stdout.write(f"{label}: {summary}")
        self.stdout.write(self.style.SUCCESS("Demo data loaded."))
