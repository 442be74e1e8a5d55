"""The care plan as .xlsx, in the plan's own nine columns, through the one export writer."""

from __future__ import annotations

from django.http import HttpResponse
from django.utils.translation import gettext as _

from care_events.selectors import PlanView
from dealership_cs.spreadsheets.writer import ExportWorkbook, Styled, xlsx_response

# The plan's columns exactly as the dealership writes them; they are the document's own words,
# not interface text, so they are not translated.
NINE_COLUMNS = (
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
EXTRA_COLUMNS = ("活动类型", "开始日期", "结束日期", "状态", "实际费用", "邀约人数", "到场人数")


def _nodes(row) -> str:
    """The plan's own text, then the recorded milestones with their dates."""
    lines = [row.activity.time_nodes_text] if row.activity.time_nodes_text else []
    lines += [f"{n.node.due_on:%Y-%m-%d} {n.node.name}" for n in row.nodes]
    return "\n".join(lines)


def _staff(row) -> str:
    lines = [row.activity.staff_text] if row.activity.staff_text else []
    lines += [f"{s.staff.name}：{s.task}" for s in row.staff]
    return "\n".join(lines)


def _measures(row) -> str:
    lines = [row.activity.measures] if row.activity.measures else []
    lines += [f"{k.name} {k.target}{k.unit}" for k in row.kpis]
    return "\n".join(lines)


def plan_workbook(view: PlanView) -> bytes:
    book = ExportWorkbook()
    sheet = book.sheet(
        f"{view.plan.year}客户关怀计划",
        widths=(24, 30, 24, 18, 30, 10, 14, 24, 30, 12, 12, 12, 10, 14, 10, 10),
        freeze="B2",
    )
    sheet.append([Styled(title, bold=True, fill="blue") for title in NINE_COLUMNS + EXTRA_COLUMNS])
    for row in view.rows:
        a = row.activity
        sheet.append(
            [
                Styled(a.name, wrap=True),
                Styled(_nodes(row), wrap=True),
                Styled(a.key_elements, wrap=True),
                Styled(a.method, wrap=True),
                Styled(a.content, wrap=True),
                a.planned_scale,
                Styled(a.planned_budget, number_format="#,##0.00"),
                Styled(_staff(row), wrap=True),
                Styled(_measures(row), wrap=True),
                a.get_kind_display(),
                a.starts_on,
                a.ends_on,
                a.get_status_display(),
                Styled(row.actual_cost, number_format="#,##0.00", fill="red" if row.over_budget else None),
                row.invited,
                row.attended,
            ]
        )
    totals = view.totals
    sheet.append(
        [Styled(_("Total"), bold=True), "", "", "", "", None, Styled(totals.planned_budget, bold=True)]
        + ["", "", "", None, None, "", Styled(totals.actual_cost, bold=True), totals.invited, totals.attended]
    )
    return book.to_bytes()


def plan_response(view: PlanView) -> HttpResponse:
    return xlsx_response(plan_workbook(view), f"客户关怀计划-{view.plan.year}")
