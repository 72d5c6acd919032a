"""Receipt numbers are unique (random since 0002); their own transaction, after 0002 renumbered rows."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("asvi_payment", "0002_order_channel_random_receipt_numbers")]

    operations = [
        migrations.AddConstraint(
            model_name="paymentorder",
            constraint=models.UniqueConstraint(
                condition=models.Q(("receipt_number", ""), _negated=True),
                fields=("receipt_number",),
                name="asvi_order_unique_receipt_number",
            ),
        ),
    ]
