from django.core.management.base import BaseCommand

from taawidaty import services


class Command(BaseCommand):
    help = "Re-queue the TAAWIDATY receipts (accusés de dépôt) that are still missing."

    def add_arguments(self, parser):
        parser.add_argument("--now", action="store_true", help="Build them in this process instead of the worker.")

    def handle(self, *args, now=False, **options):
        if now:
            from taawidaty.selectors import claims_missing_receipt

            built = sum(services.build_receipt(pk) for pk in claims_missing_receipt().values_list("pk", flat=True))
            self.stdout.write(f"{built} accusé(s) produit(s).")
        else:
            self.stdout.write(f"{services.requeue_missing_receipts()} accusé(s) remis en file.")
