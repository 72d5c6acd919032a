"""Make a new document-signing key (docs/SECURITY.md, «Document-signing keys»).

    python manage.py new_signing_key 2027-a

prints the DOCUMENT_SIGNING_KEY value to put in the secret store, and the entry to append to
DOCUMENT_SIGNING_RETIRED_KEYS for the key it replaces. Nothing is written anywhere.
"""

import json

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from macnss.core import document_signing


class Command(BaseCommand):
    help = "Print a new Ed25519 document-signing key, and the retired-key entry of the current one."

    def add_arguments(self, parser):
        parser.add_argument("key_id", help="the new key's id: letters, digits, '-' or '_' (e.g. 2027-a)")

    def handle(self, *args, key_id, **options):
        if not document_signing.KEY_ID_PATTERN.match(key_id):
            raise CommandError("The key id must be 1-40 letters, digits, '-' or '_'.")
        if any(key.key_id == key_id for key in document_signing.published_keys()):
            raise CommandError(f"The key id {key_id!r} was already used: choose another.")
        value, public = document_signing.new_key(key_id)
        today = timezone.localdate()
        current = document_signing.published_keys()[0]
        retired = {
            "key_id": current.key_id,
            "public_key": document_signing.b64encode(current.public_key),
            "valid_from": (current.valid_from or today).isoformat(),
            "valid_to": today.isoformat(),
        }
        self.stdout.write(f"DOCUMENT_SIGNING_KEY={value}")
        self.stdout.write(f"DOCUMENT_SIGNING_KEY_VALID_FROM={today.isoformat()}")
        self.stdout.write(f"# public key of {key_id}: {public}")
        entries = [*settings.DOCUMENT_SIGNING_RETIRED_KEYS, retired]
        self.stdout.write(f"DOCUMENT_SIGNING_RETIRED_KEYS='{json.dumps(entries)}'")
