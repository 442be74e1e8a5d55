"""The supervision pages' tables as .xlsx, through the one export writer."""

from __future__ import annotations

from django.utils.translation import gettext as _

from callbacks.models import CallbackKind, CallbackTask, Complaint
from callbacks.selectors.supervision import (
    AgentRow,
    ComplaintCounts,
    QuestionRow,
    ReachRow,
    ShadowRow,
)
from dealership_cs.spreadsheets.writer import ExportWorkbook, Styled

SECTIONS = ("agents", "reach", "answers", "complaints", "shadow")


def _header(values) -> list[Styled]:
    return [Styled(str(v), bold=True) for v in values]


def agents_sheet(book: ExportWorkbook, rows: list[AgentRow]) -> None:
    sheet = book.sheet(_("Tasks by agent"), widths=(18, 10, 10, 10, 12, 10, 10, 10), freeze="A2")
    statuses = CallbackTask.Status
    sheet.append(_header([_("Agent"), *[s.label for s in statuses], _("Total")]))
    for row in rows:
        name = (row.agent.get_full_name() or row.agent.get_username()) if row.agent else _("Pool (nobody)")
        sheet.append([name, *[row.counts.get(s.value, 0) for s in statuses], row.total])


def reach_sheet(book: ExportWorkbook, rows: list[ReachRow]) -> None:
    sheet = book.sheet(_("Reach rate"), widths=(8, 12, 12, 12), freeze="A2")
    sheet.append(_header([_("Month"), _("Attempted"), _("Reached"), _("Reach rate (%)")]))
    for row in rows:
        sheet.append([row.month, row.attempted, row.reached, row.rate])


def answers_sheet(book: ExportWorkbook, rows: list[QuestionRow]) -> None:
    sheet = book.sheet(_("Answers by question"), widths=(10, 10, 40, *([9] * 12)), freeze="D2")
    sheet.append(_header([_("Kind"), _("Code"), _("Question"), *[_("Month %(m)s") % {"m": m} for m in range(1, 13)]]))
    for row in rows:
        sheet.append(
            [
                CallbackKind(row.kind).label if row.kind in CallbackKind.values else row.kind,
                row.code,
                row.text,
                *[row.by_month[m][0] if m in row.by_month else None for m in range(1, 13)],
            ]
        )


def complaints_sheet(book: ExportWorkbook, counts: ComplaintCounts) -> None:
    sheet = book.sheet(_("Complaints"), widths=(16, 10))
    sheet.append(_header([_("Status"), _("Complaints")]))
    for status in Complaint.Status:
        sheet.append([status.label, counts.by_status.get(status.value, 0)])
    sheet.append([Styled(_("Overdue"), fill="red"), counts.overdue])


def shadow_sheet(book: ExportWorkbook, rows: list[ShadowRow]) -> None:
    sheet = book.sheet(_("Shadow score"), widths=(10, 8, 10, 12, 12, 10), freeze="A2")
    sheet.append(_header([_("Program"), _("Period"), _("Answers"), _("Shadow score"), _("Official score"), _("Gap")]))
    for row in rows:
        sheet.append([row.program, row.period, row.answers, row.shadow, row.official, row.gap])
