"""Seed the callback rules, the sales, service and follow-up questionnaires and the complaint deadlines.

The figures are the department's (DOMAIN.md, "Callbacks"): a sales callback three days after
delivery, a service callback two days after the car left, three attempts. The questions carry the
catalogue's codes (the six sales weak points, the eight MOT items) so answers line up with the
official item scores. Re-running it changes nothing it finds; administrators edit all of it later.
"""

from django.db import migrations
from django.utils import timezone

RULES = [
    # kind, due after, expires after, questionnaire
    ("sales", 3, 15, "sales"),
    ("service", 2, 10, "service"),
    ("complaint_followup", 1, 7, "complaint_followup"),
    ("invitation", 0, 14, None),
]
RETRY = {"no_answer": 4, "busy": 1}

QUESTIONNAIRES = {
    "sales": (
        "销售回访问卷",
        "scale5",
        2,
        [
            ("S1", "销售顾问对车辆配置、优势及利益的讲解，您满意吗？"),
            ("S2", "购车手续的解释是否清楚？"),
            ("S3", "您对试乘试驾满意吗？"),
            ("S4", "是否按承诺的时间交车？"),
            ("S5", "交车时的详细讲解，您满意吗？"),
            ("S6", "交车后我们对您的关怀，您满意吗？"),
        ],
    ),
    "service": (
        "售后回访问卷",
        "scale10",
        4,
        [
            ("8C2", "接车时对维修工作的解释，您满意吗？"),
            ("9A1", "维修保养工作是否一次做好？"),
            ("9A6", "您对维修时间的长短满意吗？"),
            ("11.1", "服务人员的友好程度，您满意吗？"),
            ("11.11", "从接车到交车的时间，您满意吗？"),
            ("11.12", "交车时车辆的整洁，您满意吗？"),
            ("11.13", "结算清单的解释是否清楚？"),
            ("12B.1", "顾客等候区的舒适程度，您满意吗？"),
        ],
    ),
    "complaint_followup": ("投诉回访问卷", "scale5", 2, [("C1", "您对投诉的处理结果满意吗？")]),
}

DEADLINES = [("high", 24, 24), ("medium", 24, 72), ("low", 24, 168)]


def seed(apps, schema_editor):
    Questionnaire = apps.get_model("callbacks", "Questionnaire")
    Version = apps.get_model("callbacks", "QuestionnaireVersion")
    Question = apps.get_model("callbacks", "Question")
    Rule = apps.get_model("callbacks", "CallbackRule")
    Deadline = apps.get_model("callbacks", "ComplaintDeadline")
    for code, (name, scale, threshold, questions) in QUESTIONNAIRES.items():
        questionnaire, _ = Questionnaire.objects.get_or_create(code=code, defaults={"name": name})
        if questionnaire.versions.exists():
            continue
        version = Version.objects.create(
            questionnaire=questionnaire, number=1, status="in_use", published_at=timezone.now()
        )
        for position, (question_code, text) in enumerate(questions, 1):
            Question.objects.create(
                version=version,
                code=question_code,
                text=text,
                scale=scale,
                complaint_threshold=threshold,
                position=position * 10,
            )
    for kind, due, expires, questionnaire_code in RULES:
        Rule.objects.get_or_create(
            kind=kind,
            defaults={
                "due_after_days": due,
                "expires_after_days": expires,
                "questionnaire": Questionnaire.objects.filter(code=questionnaire_code).first(),
                "max_attempts": 3,
                "retry_delay_hours": RETRY,
            },
        )
    for severity, response, resolution in DEADLINES:
        Deadline.objects.get_or_create(
            severity=severity, defaults={"response_hours": response, "resolution_hours": resolution}
        )


class Migration(migrations.Migration):
    dependencies = [("callbacks", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
