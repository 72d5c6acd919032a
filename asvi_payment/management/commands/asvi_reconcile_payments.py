from datetime import timedelta

from django.core.management.base import BaseCommand

from asvi_payment import services


class Command(BaseCommand):
    help = "Expire ASVI payment orders left pending (no CMI callback) and re-queue receipts never sent."

    def add_arguments(self, parser):
        parser.add_argument("--minutes", type=int, default=60, help="Age after which a pending order expires.")

    def handle(self, *args, minutes, **options):
        expired = services.expire_stale_orders(older_than=timedelta(minutes=minutes))
        requeued = services.requeue_missing_receipts()
        self.stdout.write(f"{expired} order(s) expired, {requeued} receipt(s) re-queued.")
