"""Seed the manufacturer's score programs and their item catalogues (DOMAIN.md).

Programs and items are data that admins maintain; this gives a new database the ones the
department's plan names, before any demo data. Re-running it changes nothing it finds.
"""

from django.db import migrations

PROGRAMS = [
    # code, name, headline, scale, reported, order
    ("SSI", "销售满意度（SSI）", "SSI", 1000, "quarter", 10),
    ("CSS", "售后服务满意度（CSS）", "MOT", 100, "month", 20),
    ("MS_SALES", "神秘客户（销售）", "", 100, "quarter", 30),
    ("MS_SERVICE", "神秘客户（售后）", "", 100, "quarter", 40),
]

ITEMS = {
    # The eight MOT items of the 2010 report.
    "CSS": [
        ("8C2", "维修工作解释"),
        ("9A1", "正确完成维修保养工作"),
        ("9A6", "维修时间长短"),
        ("11.1", "服务人员友好程度"),
        ("11.11", "接车-交车的时间"),
        ("11.12", "车辆整洁"),
        ("11.13", "结算清单解释"),
        ("12B.1", "顾客等候区舒适程度"),
    ],
    # The six sales attributes the 2010 results showed as weak (asked in sales callbacks).
    "SSI": [
        ("S1", "销售顾问对车辆配置、优势及利益的讲解"),
        ("S2", "清楚解释所有购车手续"),
        ("S3", "试乘试驾"),
        ("S4", "按承诺的时间交车"),
        ("S5", "交车时的详细讲解"),
        ("S6", "交车后持续关怀客户"),
    ],
}
YEARS = (2010, 2011)


def seed(apps, schema_editor):
    Program = apps.get_model("surveys", "Program")
    ScoreItem = apps.get_model("surveys", "ScoreItem")
    for code, name, headline, scale, kind, order in PROGRAMS:
        program, _created = Program.objects.get_or_create(
            code=code,
            defaults={"name": name, "headline": headline, "scale_max": scale, "period_kind": kind, "order": order},
        )
        for year in YEARS:
            for position, (item_code, item_name) in enumerate(ITEMS.get(code, []), 1):
                ScoreItem.objects.get_or_create(
                    program=program,
                    year=year,
                    code=item_code,
                    defaults={"name": item_name, "order": position * 10},
                )


class Migration(migrations.Migration):
    dependencies = [("surveys", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
