from importlib import import_module

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction


class Command(BaseCommand):
    help = "Load the demo data (idempotent) and print the demo accounts, one per journey."

    def handle(self, *args, **options):
        accounts = []
        with transaction.atomic():
            # accounts first: the categories, SMIG and agents the journeys' data refer to.
            ordered = sorted(apps.get_app_configs(), key=lambda c: (c.name != "accounts", c.name))
            for config in ordered:
                try:
                    module = import_module(f"{config.name}.demo")
                except ModuleNotFoundError as exc:
                    if exc.name != f"{config.name}.demo":
                        raise
                    continue
                accounts.extend(module.seed())
        self.stdout.write(self.style.SUCCESS("Demo data loaded. Demo accounts (number / password):"))
        for account in accounts:
            line = f"  {account.journey:<38} {account.number:<12} {account.password}"
            if account.note:
                line += f"   ({account.note})"
            self.stdout.write(line)
