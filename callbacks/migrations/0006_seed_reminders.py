"""Seed the lifecycle reminders' rules and the private-car inspection schedule.

Birthday greetings 7 days before; the first maintenance 7 days before three months after delivery
(or at once at 4,500 km); regular maintenance 7 days before six months after the last; insurance
renewal 30 days before each delivery anniversary; the annual inspection 30 days before each date of
the schedule (every 2 years to year 6, yearly to year 15, every 6 months after). Each reminder kind
also gets a callback rule (three attempts, retried like the others). Administrators edit all of it.
"""

from django.db import migrations

REMINDERS = [
    # kind, lead days, months, mileage
    ("birthday", 7, None, None),
    ("first_maintenance", 7, 3, 4500),
    ("maintenance", 7, 6, None),
    ("insurance", 30, None, None),
    ("inspection", 30, None, None),
]
SCHEDULE = [(0, 6, 24), (6, 15, 12), (15, None, 6)]


def seed(apps, schema_editor):
    ReminderRule = apps.get_model("callbacks", "ReminderRule")
    InspectionStep = apps.get_model("callbacks", "InspectionStep")
    CallbackRule = apps.get_model("callbacks", "CallbackRule")
    for kind, lead, months, mileage in REMINDERS:
        ReminderRule.objects.get_or_create(
            kind=kind, defaults={"lead_days": lead, "months": months, "mileage_km": mileage, "window_days": 7}
        )
        # The callback rule of a reminder: due on the reminder's due date (0 days after), 14 days to call.
        CallbackRule.objects.get_or_create(
            kind=kind,
            defaults={
                "due_after_days": 0,
                "expires_after_days": 14,
                "max_attempts": 3,
                "retry_delay_hours": {"no_answer": 4, "busy": 1},
            },
        )
    if not InspectionStep.objects.exists():
        for from_year, to_year, months in SCHEDULE:
            InspectionStep.objects.create(from_year=from_year, to_year=to_year, interval_months=months)


class Migration(migrations.Migration):
    dependencies = [("callbacks", "0005_reminders")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
