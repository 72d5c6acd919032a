"""The three staff roles (docs/DEPLOYMENT.md): «Agents», «Superviseurs», «Administrateurs».

Permissions are normally created after the migrations (post_migrate): create them here first, so the
groups get theirs on a fresh database too. backoffice.apps keeps the groups in step after each migrate."""

from django.contrib.auth.management import create_permissions
from django.db import migrations


def create_roles(apps, schema_editor):
    from backoffice.roles import sync_roles

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0, apps=apps)
        app_config.models_module = None
    sync_roles(apps.get_model("auth", "Group"), apps.get_model("auth", "Permission"))


def remove_roles(apps, schema_editor):
    from backoffice.roles import ROLES

    apps.get_model("auth", "Group").objects.filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("backoffice", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("accounts", "0001_initial"),
        ("tns_enrollment", "0001_initial"),
        ("pension", "0001_initial"),
        ("taawidaty", "0001_initial"),
        ("asvi_payment", "0001_initial"),
        ("core", "0003_outbox_next_attempt_at"),
        ("otp_totp", "0003_add_timestamps"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
