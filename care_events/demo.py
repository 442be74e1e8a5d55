"""Demo care plan: the 2011 plan (approved) with an activity of each kind; the spring ones are done,
with cost lines and typed KPIs, the autumn ones planned with time nodes some of which are overdue.

Idempotent: if the 2011 plan exists nothing is created. At the end the invitations' demo
(care_events.demo_invitations.load, when present) gives the done activities their attendance.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from importlib import import_module

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from care_events.models import CareActivity, CarePlan, CostLine, Kpi, StaffAssignment, TimeNode
from dealership_cs.models import Staff
from dealership_cs.permissions import Role

K = CareActivity.Kind
DONE, PLANNED, PREPARING = CareActivity.Status.DONE, CareActivity.Status.PLANNED, CareActivity.Status.PREPARING

# name, kind, start, end, scale, budget, status, key elements, method, content, measures, costs
ACTIVITIES = [
    (
        "新春节日问候",
        K.HOLIDAY_GREETING,
        (1, 20),
        (2, 10),
        2000,
        "8000",
        DONE,
        "短信+电话问候",
        "电话/短信",
        "春节前向全部保有客户致以问候并赠送台历",
        "问候覆盖率≥95%",
        [("台历印制", "5200"), ("短信费", "1800")],
    ),
    (
        "春季免费检测日",
        K.FREE_INSPECTION,
        (3, 19),
        (3, 20),
        150,
        "15000",
        DONE,
        "28项免费检测、工时8折",
        "到店",
        "春季免费检测、洗车、保养咨询",
        "到场≥100台次，满意度≥90%",
        [("场地布置", "3500"), ("礼品", "6800"), ("餐饮", "2600")],
    ),
    (
        "养车知识讲座",
        K.LECTURE,
        (4, 16),
        (4, 16),
        60,
        "6000",
        DONE,
        "技术经理主讲",
        "到店讲座",
        "日常用车与保养常识",
        "到场≥40人，满意度≥90%",
        [("讲座礼品", "2400"), ("茶歇", "900")],
    ),
    (
        "夏季空调检查",
        K.SEASONAL_CHECK,
        (6, 15),
        (7, 15),
        300,
        "12000",
        DONE,
        "空调系统免费检测",
        "到店",
        "空调检测、清洗优惠",
        "检测≥200台次",
        [("检测耗材", "4300"), ("宣传物料", "1500")],
    ),
    (
        "车友会自驾游",
        K.OWNER_CLUB,
        (9, 17),
        (9, 18),
        40,
        "30000",
        PREPARING,
        "线路、安全、保险",
        "外出活动",
        "周边两日自驾游",
        "参与≥30车，满意度≥95%",
        [],
    ),
    (
        "新车上市发布会",
        K.NEW_MODEL_LAUNCH,
        (10, 22),
        (10, 22),
        200,
        "50000",
        PLANNED,
        "新车展示、试驾",
        "到店发布会",
        "新车型发布、老客户专场",
        "到场≥150人，订车≥10台",
        [],
    ),
    (
        "冬季安全检查",
        K.SEASONAL_CHECK,
        (11, 12),
        (11, 30),
        300,
        "12000",
        PLANNED,
        "防冻液、电瓶、轮胎",
        "到店",
        "冬季用车安全检查",
        "检测≥200台次",
        [],
    ),
    (
        "客户答谢会",
        K.OTHER,
        (12, 17),
        (12, 17),
        120,
        "25000",
        PLANNED,
        "年终答谢",
        "晚宴",
        "年度客户答谢晚宴",
        "到场≥100人",
        [],
    ),
]


def _d(month_day: tuple[int, int]) -> dt.date:
    return dt.date(2011, *month_day)


def _users():
    User = get_user_model()
    staff = User.objects.filter(groups__name=Role.CS_STAFF.value).order_by("pk").first()
    manager = User.objects.filter(groups__name=Role.MANAGER.value).order_by("pk").first()
    owner = staff or manager or User.objects.filter(is_superuser=True).order_by("pk").first()
    if owner is None:
        owner, _ = User.objects.get_or_create(username="demo.care", defaults={"first_name": "客服部"})
    return owner, manager or owner


@transaction.atomic
def load() -> str:
    if CarePlan.objects.filter(year=2011).exists():
        return "the 2011 care plan exists, nothing created" + _invitations()
    owner, manager = _users()
    people = list(Staff.objects.filter(active=True).order_by("pk")[:6])
    plan = CarePlan.objects.create(
        year=2011,
        title="2011年客户关怀计划",
        total_budget=Decimal("180000"),
        owner=owner,
        status=CarePlan.Status.APPROVED,
        approved_by=manager,
        approved_at=timezone.make_aware(dt.datetime(2011, 1, 5, 10)),
    )
    nodes = costs = 0
    for index, (name, kind, start, end, scale, budget, status, key, method, content, measures, lines) in enumerate(
        ACTIVITIES
    ):
        starts_on, ends_on = _d(start), _d(end)
        activity = CareActivity.objects.create(
            plan=plan,
            name=name,
            kind=kind,
            purpose="提升客户满意度与回厂率",
            time_nodes_text=f"{starts_on:%m月%d日}举办，提前两周邀约",
            key_elements=key,
            method=method,
            content=content,
            planned_scale=scale,
            planned_budget=Decimal(budget),
            staff_text="客服专员负责邀约，服务顾问负责接待",
            measures=measures,
            starts_on=starts_on,
            ends_on=ends_on,
            status=status,
        )
        # Milestones inside the activity's dates: preparation on its first day, the summary on its last.
        for node_name, due in (("物料与场地就绪", starts_on), ("活动总结提交", ends_on)):
            done_at = timezone.make_aware(dt.datetime.combine(due, dt.time(18))) if status == DONE else None
            responsible = people[(index + nodes) % len(people)] if people else None
            TimeNode.objects.create(
                activity=activity, name=node_name, due_on=due, responsible=responsible, done_at=done_at
            )
            nodes += 1
        for person, task in zip(people[index % 2 :: 2][:2], ("邀约与签到", "现场接待"), strict=False):
            StaffAssignment.objects.get_or_create(activity=activity, staff=person, defaults={"task": task})
        for item, amount in lines:
            CostLine.objects.create(activity=activity, item=item, amount=Decimal(amount), spent_on=ends_on)
            costs += 1
        if status == DONE:
            Kpi.objects.create(
                activity=activity, name="到场人数", unit="人", source=Kpi.Source.ATTENDANCE, target=scale // 2 or 1
            )
            Kpi.objects.create(activity=activity, name="到场率", unit="%", source=Kpi.Source.ATTENDANCE_RATE, target=60)
            Kpi.objects.create(activity=activity, name="满意度", unit="%", source=Kpi.Source.SATISFACTION, target=90)
            Kpi.objects.create(activity=activity, name="带来维修台次", unit="台", target=30, actual=24 + index * 3)
        else:
            Kpi.objects.create(
                activity=activity, name="到场人数", unit="人", source=Kpi.Source.ATTENDANCE, target=scale
            )
    return f"plan 2011: {len(ACTIVITIES)} activities, {nodes} time nodes, {costs} cost lines" + _invitations()


def _invitations() -> str:
    """The invitations' own demo (attendance and feedback for the done activities), if that module exists."""
    try:
        module = import_module("care_events.demo_invitations")
    except ModuleNotFoundError:
        return ""
    return "; " + module.load()
