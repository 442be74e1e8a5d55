"""The plan's .xlsx: the nine columns in the plan's own Chinese words, read back cell by cell."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from urllib.parse import unquote

import openpyxl
import pytest

from care_events.exports import NINE_COLUMNS
from care_events.models import StaffAssignment
from care_events.tests.factories import CostLineFactory, KpiFactory, TimeNodeFactory
from customers.tests.factories import StaffFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("role", "status"), [("staff", 200), ("agent", 200), ("manager", 200), ("norole", 403)])
def test_who_may_export_the_plan(client, cast, activity, role, status):
    client.force_login(cast[role])
    assert client.get("/care/plans/2011/export.xlsx").status_code == status


def test_the_plan_export_reads_back_in_nine_columns(client, staff_user, activity):
    activity.name = "=HYPERLINK(1)"
    activity.time_nodes_text = "4月底前邀约"
    activity.key_elements = "免费检测"
    activity.method = "到店"
    activity.content = "检测+洗车"
    activity.staff_text = "服务顾问"
    activity.measures = "到场率"
    activity.save()
    TimeNodeFactory(activity=activity, name="邀约完成", due_on=dt.date(2011, 5, 10))
    StaffAssignment.objects.create(activity=activity, staff=StaffFactory(name="王顾问"), task="签到")
    KpiFactory(activity=activity, name="到场人数", target=Decimal("80"), unit="人")
    CostLineFactory(activity=activity, amount=Decimal("1234.5"))
    client.force_login(staff_user)

    response = client.get("/care/plans/2011/export.xlsx")

    assert "客户关怀计划-2011.xlsx" in unquote(response["Content-Disposition"])
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert (
        tuple(rows[0][:9])
        == NINE_COLUMNS
        == (
            "活动计划",
            "活动时间节点",
            "关键要素",
            "活动方式",
            "内容",
            "活动规模",
            "活动预算费用",
            "工作人员安排",
            "对应考核绩效",
        )
    )
    row = rows[1]
    assert row[0] == "'=HYPERLINK(1)"  # text stays text
    assert row[1] == "4月底前邀约\n2011-05-10 邀约完成"
    assert row[2:5] == ["免费检测", "到店", "检测+洗车"]
    assert row[5] == 100 and row[6] == 20000
    assert row[7] == "服务顾问\n王顾问：签到"
    assert row[8] == "到场率\n到场人数 80.00人"
    assert row[10] == dt.datetime(2011, 5, 10) and row[11] == dt.datetime(2011, 5, 12)
    assert row[13] == 1234.5
    assert rows[2][6] == 20000 and rows[2][13] == 1234.5  # the totals row
