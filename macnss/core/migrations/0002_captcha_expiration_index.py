"""django-simple-captcha deletes expired captchas on every submitted form; without an index on
`expiration` that DELETE scans the whole table on the busiest public forms."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_initial"),
        ("captcha", "0002_alter_captchastore_id"),
    ]

    operations = [
        migrations.RunSQL(
            "CREATE INDEX IF NOT EXISTS captcha_captchastore_expiration_idx ON captcha_captchastore (expiration)",
            "DROP INDEX IF EXISTS captcha_captchastore_expiration_idx",
        )
    ]
