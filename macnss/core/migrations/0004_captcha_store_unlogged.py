"""PostgreSQL: the captcha rows skip the write-ahead log (an UNLOGGED table).

A captcha lives ten minutes and is written on every display of a public form. After a crash PostgreSQL
empties an unlogged table, and standbys do not receive it: the people then filling a form get "the code
does not match" and a new image, which they would also get for a mistyped code. Nothing else is lost.
"""

from django.db import migrations


def set_unlogged(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE captcha_captchastore SET UNLOGGED")


def set_logged(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE captcha_captchastore SET LOGGED")


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0003_outbox_next_attempt_at"),
        ("captcha", "0002_alter_captchastore_id"),
    ]

    operations = [migrations.RunPython(set_unlogged, set_logged, elidable=False)]
