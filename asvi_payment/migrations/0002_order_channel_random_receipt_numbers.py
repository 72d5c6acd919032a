"""Audit H4 and M5: an order knows whether it came from the public path or the private space, and receipt
numbers are random. Receipts already numbered RA{year}{pk} get a random number (the old one is kept in
the reconciliation note, for agents) and lose their stored PDF, which printed the old number: the
reconciliation beat builds it again (services.requeue_missing_receipts)."""

import re
import secrets

from django.db import migrations, models

ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"  # as services.new_receipt_number: no 0/O, 1/I/L, U
SEQUENTIAL = re.compile(r"^RA\d{11}$")


def _random_number() -> str:
    chars = "".join(secrets.choice(ALPHABET) for _ in range(12))
    return f"RA-{chars[:4]}-{chars[4:8]}-{chars[8:]}"


def renumber_sequential_receipts(apps, schema_editor):
    PaymentOrder = apps.get_model("asvi_payment", "PaymentOrder")
    taken = set(PaymentOrder.objects.exclude(receipt_number="").values_list("receipt_number", flat=True))
    for order in PaymentOrder.objects.exclude(receipt_number="").iterator():
        if not SEQUENTIAL.match(order.receipt_number):
            continue
        number = _random_number()
        while number in taken:
            number = _random_number()
        taken.add(number)
        note = f"Ancien numéro de reçu {order.receipt_number}, remplacé par {number} (numéros aléatoires)."
        order.reconciliation_note = f"{order.reconciliation_note}\n{note}".strip()
        order.receipt_number = number
        order.receipt_pdf = ""
        order.save(update_fields=["receipt_number", "reconciliation_note", "receipt_pdf"])


class Migration(migrations.Migration):
    dependencies = [("asvi_payment", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="paymentorder",
            name="channel",
            field=models.CharField(
                choices=[
                    ("public", "Paiement public (numéro et code de contrôle)"),
                    ("private", "Espace privé de l'assuré"),
                ],
                default="public",
                max_length=10,
                verbose_name="canal",
            ),
        ),
        migrations.RunPython(renumber_sequential_receipts, migrations.RunPython.noop, elidable=True),
    ]
