"""Create the private bucket when files go to S3 (first deploy, docker-compose); nothing on the local disk."""

from django.conf import settings
from django.core.files.storage import storages
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Create the S3 bucket of the private files if it does not exist (no-op on the local disk)."

    def handle(self, *args, **options):
        if not settings.STORAGE_S3_ENDPOINT_URL:
            self.stdout.write("Private files are on the local disk: nothing to create.")
            return
        bucket = storages["private"].bucket
        if bucket.creation_date is None:
            bucket.create()
            self.stdout.write(f"Created the bucket {bucket.name}.")
        else:
            self.stdout.write(f"The bucket {bucket.name} exists.")
