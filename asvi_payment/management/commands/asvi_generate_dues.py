from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from asvi_payment import services


class Command(BaseCommand):
    help = "Create the ASVI quarterly dues of every member (idempotent). Default: the current quarter."

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int)
        parser.add_argument("--quarter", type=int, choices=[1, 2, 3, 4])

    def handle(self, *args, year=None, quarter=None, **options):
        current_year, current_quarter = services.quarter_of(timezone.localdate())
        if (year is None) != (quarter is None):
            raise CommandError("Give both --year and --quarter, or neither.")
        year, quarter = year or current_year, quarter or current_quarter
        created = services.generate_quarterly_dues(year=year, quarter=quarter)
        self.stdout.write(f"{year} T{quarter}: {created} due(s) created.")
