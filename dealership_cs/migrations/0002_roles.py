"""Create the four role groups; their permissions follow the role table after each migrate."""

from django.db import migrations

ROLE_CODES = ["cs_staff", "callback_agent", "manager", "admin"]


def create_roles(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for code in ROLE_CODES:
        Group.objects.get_or_create(name=code)


class Migration(migrations.Migration):
    dependencies = [
        ("dealership_cs", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(create_roles, migrations.RunPython.noop)]
