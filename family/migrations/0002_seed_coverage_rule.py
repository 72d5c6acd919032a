"""The law's age limits (Law 65-00 art. 5): 21, 26 while studying and unmarried, none when disabled.
Agents change them in the admin («Règles d'âge des ayants droit»)."""

import datetime

from django.db import migrations


def seed(apps, schema_editor):
    CoverageRule = apps.get_model("family", "CoverageRule")
    CoverageRule.objects.get_or_create(
        valid_from=datetime.date(2005, 9, 1),
        defaults={
            "child_age_limit": 21,
            "student_age_limit": 26,
            "disabled_without_limit": True,
            "reminder_days": 30,
            "source": "Loi 65-00 portant code de la couverture médicale de base, article 5",
        },
    )


class Migration(migrations.Migration):
    dependencies = [("family", "0001_family_members")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
