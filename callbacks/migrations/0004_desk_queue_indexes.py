# Written for bench/callbacks.py's figures (1,000,000 tasks, 50,000 open): see bench/README.md.

from django.db import migrations, models

STATISTICS = "callback_task_status_expiry"


def create_statistics(apps, schema_editor):
    """PostgreSQL: tell the planner that open tasks are the ones not yet expired.

    Estimated apart, ``status IN ('open', 'in_progress')`` (5% of the tasks) and ``expires_on >
    today`` (5%) make 0.25% of the table, while nearly every open task has not expired: the
    desk's queue came out 20 times smaller than it is, and PostgreSQL then sorted and joined
    the whole queue instead of reading its first page from the index.
    """
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"CREATE STATISTICS IF NOT EXISTS {STATISTICS} (mcv) ON status, expires_on FROM callbacks_callbacktask"
    )
    schema_editor.execute("ANALYZE callbacks_callbacktask")


def drop_statistics(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP STATISTICS IF EXISTS {STATISTICS}")


class Migration(migrations.Migration):
    dependencies = [
        ("callbacks", "0003_supervise_permission"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="callbacktask",
            index=models.Index(
                models.ExpressionWrapper(models.Q(("agent__isnull", True)), output_field=models.BooleanField()),
                models.F("due_date"),
                models.F("id"),
                condition=models.Q(("status__in", ["open", "in_progress"])),
                name="callback_task_queue",
            ),
        ),
        migrations.AddIndex(
            model_name="callbacktask",
            index=models.Index(fields=["due_date", "id"], name="callback_task_due"),
        ),
        migrations.RunPython(create_statistics, drop_statistics, elidable=False),
    ]
