"""Seed each rule year's "last year's result" from the department's plan (DOMAIN.md).

2011's rules carry 2010's result: 38 / 11 / 5 / 5 / 36 = 95. The plan gives no 2009 result, so
2010's rules carry none. Values an administrator has already entered are left as they are.

The seeded rules had no history yet (data migrations send no signals): each gets a first entry
with its values as seeded, so the first change made in the admin shows what it was before.
"""

from decimal import Decimal

from django.db import migrations
from django.utils import timezone

LAST_YEAR = {
    2011: {"timeliness": "38", "name": "11", "amount": "5", "invoice_number": "5", "callback": "36"},
}


def seed(apps, schema_editor):
    AccuracyRule = apps.get_model("reports", "AccuracyRule")
    for year, items in LAST_YEAR.items():
        rule = AccuracyRule.objects.filter(year=year).first()
        if rule is None:
            continue
        fields = []
        for item, value in items.items():
            if getattr(rule, f"{item}_last_year") is None:
                setattr(rule, f"{item}_last_year", Decimal(value))
                fields.append(f"{item}_last_year")
        if fields:
            rule.save(update_fields=fields)
    Historical = apps.get_model("reports", "HistoricalAccuracyRule")
    now = timezone.now()
    for rule in AccuracyRule.objects.all():
        if Historical.objects.filter(id=rule.pk).exists():
            continue
        values = {field.attname: getattr(rule, field.attname) for field in AccuracyRule._meta.concrete_fields}
        Historical.objects.create(
            **values,
            history_date=now,
            history_type="+",
            history_change_reason="Seeded from the department's plan",
        )


class Migration(migrations.Migration):
    dependencies = [("reports", "0005_reopenings_last_year_reconcile_requests")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
