"""Seed the accuracy rules of 2010 and 2011 from the department's plan (DOMAIN.md)."""

from decimal import Decimal

from django.db import migrations

POINTS = {"timeliness": 40, "name": 12, "amount": 6, "invoice_number": 6, "callback": 36}
RULES = {
    # 2010: the regional and national averages of the manufacturer's report.
    2010: {
        "regional": {"timeliness": "38", "name": "10.7", "amount": "5.4", "invoice_number": "5.1", "callback": "35.6"},
        "national": {"timeliness": "38.1", "name": "10.7", "amount": "5.4", "invoice_number": "5", "callback": "35.2"},
    },
    # 2011: the department's targets (total 97).
    2011: {
        "target": {"timeliness": "38.5", "name": "11.5", "amount": "5.5", "invoice_number": "5.5", "callback": "36"},
    },
}


def seed(apps, schema_editor):
    AccuracyRule = apps.get_model("reports", "AccuracyRule")
    for year, figures in RULES.items():
        values = {f"{item}_points": Decimal(points) for item, points in POINTS.items()}
        for kind, items in figures.items():
            values.update({f"{item}_{kind}": Decimal(value) for item, value in items.items()})
        AccuracyRule.objects.update_or_create(year=year, defaults=values)


class Migration(migrations.Migration):
    dependencies = [("reports", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
