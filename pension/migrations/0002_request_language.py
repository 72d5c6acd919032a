from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("pension", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="pensionrequest",
            name="language",
            field=models.CharField(default="fr", max_length=5, verbose_name="langue de la demande"),
        ),
    ]
